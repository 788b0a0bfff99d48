"""Shared fixtures: built warehouses (synthetic geometry), a running app, a real browser; the real-geography switch."""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "reference"
ARTIFACTS = REPO / "artifacts"
DEMO_UNTIL = "2026-10"


FIXTURES = REPO / "tests" / "fixtures"


def reference(*parts: str) -> Path:
    """A file of ../shared/reference, for tests marked `reference` only; missing is a failure.

    Outside CI those tests are deselected when the folder is missing (see pytest_collection_modifyitems).
    """
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"reference data missing: {path} (tests marked 'reference' check the real geography and need it)")
    return path


def pytest_collection_modifyitems(config, items):
    """Without ../shared/reference (a plain clone of the repository), deselect the real-geography tests - unless CI=true,
    where they must run and fail."""
    if REFERENCE.is_dir() or os.environ.get("CI") == "true":
        return
    deselected = [item for item in items if item.get_closest_marker("reference")]
    if not deselected:
        return
    items[:] = [item for item in items if not item.get_closest_marker("reference")]
    config.hook.pytest_deselected(items=deselected)
    config._reference_deselected = len(deselected)
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller prints the line
        config.workeroutput["reference_deselected"] = len(deselected)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    count = getattr(node, "workeroutput", {}).get("reference_deselected")
    if count:
        node.config._reference_deselected = max(count, getattr(node.config, "_reference_deselected", 0))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = getattr(config, "_reference_deselected", 0)
    if count and not hasattr(config, "workeroutput"):
        terminalreporter.write_line(
            f"{count} real-geography tests (marked 'reference') deselected: {REFERENCE} is missing. "
            "They run when it exists and fail under CI=true without it.", yellow=True)


def sample_codes() -> dict[tuple[str, str], str]:
    """(kecamatan, desa) -> official code of a few desa, typed by hand (tests/fixtures/desa_contoh.csv)."""
    rows = csv.DictReader((FIXTURES / "desa_contoh.csv").open(encoding="utf-8"))
    return {(r["nama_kecamatan"], r["nama_desa"]): r["kode_desa"] for r in rows}


def warehouse_env(db, env: dict | None = None) -> dict:
    """The environment of a child process (CLI, app server) working on `db`: a DuckDB file (PMKS_DB) or a PostgreSQL
    URL (PMKS_DATABASE_URL)."""
    full = {**os.environ, **(env or {})}
    if db is not None:
        full.pop("PMKS_DATABASE_URL", None)
        full.pop("PMKS_DB", None)
        full["PMKS_DATABASE_URL" if str(db).startswith("postgresql://") else "PMKS_DB"] = str(db)
    return full


def run_etl(*args: str, db: Path | str | None = None, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `python -m etl ...` as a user would, in a child process (`db`: a DuckDB file or a PostgreSQL URL)."""
    full_env = warehouse_env(db, {"PMKS_LOCK_WAIT": "2", **(env or {})})
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout)


def check(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def table_fingerprint(db) -> dict:
    """Row count and an order-independent checksum of every table: equal fingerprints = unchanged data."""
    with reading(db) as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1").fetchall()]
        out = {}
        for t in tables:
            out[t] = con.execute(f'select count(*), coalesce(sum(hash(columns(*))), 0)::varchar from (select * from "{t}")').fetchone()
        return out


@pytest.fixture(scope="session")
def synthetic_boundaries(tmp_path_factory) -> Path:
    """A GeoJSON of synthetic polygons for all 328 desa of Tuban, with their real codes (tests/geography.py)."""
    from tests.geography import write_geojson

    return write_geojson(tmp_path_factory.mktemp("geo") / "batas_desa_sintetis.geojson")


@pytest.fixture(scope="session")
def built_db(tmp_path_factory, synthetic_boundaries) -> Path:
    """A Tuban warehouse with synthetic boundaries imported as a user would and a seeded demo history (read it, don't
    change it)."""
    db = tmp_path_factory.mktemp("wh") / "pmks.duckdb"
    check(run_etl("init", db=db))
    check(run_etl("boundaries", str(synthetic_boundaries), db=db))
    check(run_etl("demo", "--seed", "7", "--months", "24", "--until", DEMO_UNTIL, db=db))
    return db


@pytest.fixture(scope="session")
def reference_db(tmp_path_factory) -> Path:
    """The demo warehouse on the real desa polygons of ../shared/reference (for tests marked `reference` only)."""
    db = tmp_path_factory.mktemp("wh_ref") / "pmks.duckdb"
    check(run_etl("init", db=db))
    check(run_etl("boundaries", "--download", "--source", str(reference("raw")), db=db))
    check(run_etl("demo", "--seed", "7", "--months", "3", "--until", DEMO_UNTIL, db=db))
    return db


@pytest.fixture()
def demo_db(built_db, tmp_path) -> Path:
    """A private copy of the demo warehouse that a test may change."""
    target = tmp_path / "pmks.duckdb"
    shutil.copy(built_db, target)
    return target


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> Path:
    """A warehouse with geography and indicators but no report, opened for demo (no users, no sign-in)."""
    db = tmp_path_factory.mktemp("empty") / "pmks.duckdb"
    check(run_etl("init", db=db))
    check(run_etl("settings", "--demo-access", "on", db=db))
    return db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    def __init__(self, db: Path, log: Path, env: dict | None = None, scheme: str = "http"):
        self.port = _free_port()
        self.db = db
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        env = warehouse_env(db, env)
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        import ssl
        import urllib.request

        unverified = ssl._create_unverified_context()  # the tests' own self-signed certificate
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2, context=unverified).read() == b"ok":
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start; see {log}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def app_server(built_db, tmp_path_factory):
    server = AppServer(built_db, tmp_path_factory.mktemp("log") / "streamlit.log")
    yield server
    server.stop()


# --- PostgreSQL (issue 23): a throwaway cluster per test worker, warehouses copied from prepared templates ---------


@pytest.fixture(scope="session")
def pg_cluster():
    """A real PostgreSQL server of this test run (tests/pgcluster.py), removed at the end."""
    from tests.pgcluster import PgCluster

    cluster = PgCluster.start()
    yield cluster
    from store import close_all

    close_all()
    cluster.stop()


@pytest.fixture(scope="session")
def pg_empty_template(pg_cluster) -> str:
    """The PostgreSQL twin of `empty_db`, prepared once with the CLI (a template database)."""
    url = pg_cluster.create_database("tmpl_kosong")
    check(run_etl("init", db=url))
    check(run_etl("settings", "--demo-access", "on", db=url))
    return "tmpl_kosong"


@pytest.fixture(scope="session")
def pg_demo_template(pg_cluster, synthetic_boundaries) -> str:
    """The PostgreSQL twin of `built_db` (boundaries and the seeded demo history), prepared once with the CLI."""
    url = pg_cluster.create_database("tmpl_demo")
    check(run_etl("init", db=url))
    check(run_etl("boundaries", str(synthetic_boundaries), db=url))
    check(run_etl("demo", "--seed", "7", "--months", "24", "--until", DEMO_UNTIL, db=url))
    return "tmpl_demo"


_PG_COUNT = iter(range(1, 1_000_000))


def _pg_copy(cluster, template: str):
    name = f"uji_{os.getpid()}_{next(_PG_COUNT)}"
    url = cluster.create_database(name, template=template)
    yield url
    from store import close_all

    close_all()
    cluster.drop_database(name)


@pytest.fixture()
def pg_empty(pg_cluster, pg_empty_template):
    """A private PostgreSQL warehouse like `empty_db` (a URL) that a test may change."""
    yield from _pg_copy(pg_cluster, pg_empty_template)


@pytest.fixture()
def pg_demo(pg_cluster, pg_demo_template):
    """A private PostgreSQL warehouse like `demo_db` (a URL) that a test may change."""
    yield from _pg_copy(pg_cluster, pg_demo_template)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="id-ID")
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def memory_warehouse(kabupaten: str = "35.23", seed: int = 7, months: int = 13) -> duckdb.DuckDBPyConnection:
    """A Tuban warehouse in memory, built in the test process (no subprocess, no file), like sqlite-utils' fresh_db:
    schema, gazetteer, indicators, census population and a seeded demo history up to DEMO_UNTIL."""
    from datetime import date

    from etl.reference.census import SHIPPED, load_population, read_population
    from etl.reference.indikator import load_indikator, read_indikator
    from etl.reference.wilayah import load_wilayah, read_wilayah
    from etl.write.demo import write_demo
    from store.schema import migrate_connection, set_setting

    con = duckdb.connect(":memory:")
    migrate_connection(con)
    con.execute("begin transaction")
    load_wilayah(con, read_wilayah(kabupaten))
    load_indikator(con, read_indikator())
    load_population(con, read_population(SHIPPED), only_known=True)
    set_setting(con, "kode_wilayah", kabupaten)
    write_demo(con, seed=seed, months=months, today=date(2026, 11, 28))
    con.execute("commit")
    return con


PASSWORD = "rahasia-uji-123"


def add_users(db: Path, *users: tuple[str, ...], password: str = PASSWORD) -> None:
    """Add (login, role, kecamatan[, desa of a psm]) users to the warehouse as an admin would (through the store,
    audited); an admin comes first, as the store requires. Adding the first user ends a demo warehouse's open access."""
    from accounts import store as accounts
    from store import open_store

    store = open_store(db)
    for login, role, kecamatan, *desa in sorted(users, key=lambda u: u[1] != "admin"):
        accounts.save_user(store, login, f"Uji {login}", role, kecamatan, password, "uji", desa=desa[0] if desa else "")


@contextlib.contextmanager
def reading(db: Path):
    """A snapshot of the warehouse through its store: safe while the app (in this process or another) holds it."""
    from store import open_store

    with open_store(db).read() as con:
        yield con


class Snapshot:
    """A snapshot of the warehouse through its store, closed by `close()`: for tests that read what another process
    (the app server) wrote; the store asks that process to give the file up and waits its turn."""

    def __init__(self, db: Path):
        from store import open_store

        self._block = open_store(db).read()
        self._con = self._block.__enter__()

    def __getattr__(self, name):
        return getattr(self._con, name)

    def close(self) -> None:
        self._block.__exit__(None, None, None)


def open_snapshot(db: Path) -> Snapshot:
    return Snapshot(db)


@pytest.fixture(autouse=True)
def _close_stores():
    """Each test starts and ends without an open store in this process (a file may be copied, deleted or handed to
    another process next)."""
    from store import close_all

    yield
    close_all()


@pytest.fixture(scope="module")
def mem_con():
    con = memory_warehouse()
    yield con
    con.close()


def num(text):
    """A number as the app shows it ('1.234', '12,5', '—') read back: 1234, 12.5, None."""
    if not isinstance(text, str):
        return text
    if text in ("—", "–", ""):
        return None
    value = float(text.replace(".", "").replace(",", "."))
    return int(value) if value.is_integer() and "," not in text else value


class Offered:
    """A download link the page shows (`dashboard.ui.offer`): its label, file name and id on the server's route."""

    def __init__(self, label: str, name: str, file_id: str):
        self.label, self.name, self.file_id = label, name, file_id


def offered(at) -> list[Offered]:
    """The download links of an AppTest run (the app's own `/unduh/<id>` route), in page order."""
    import html as html_lib

    found = []
    for element in at.get("html"):
        for m in re.finditer(r'<a class="pmks-unduh"[^>]*href="/unduh/([^"]+)" download="([^"]*)"[^>]*>([^<]*)</a>', element.value):
            found.append(Offered(html_lib.unescape(m.group(3)), html_lib.unescape(m.group(2)), m.group(1)))
    return found


def fetch(file_id: str, token: str | None) -> tuple[int, bytes]:
    """What the server answers for `/unduh/<id>` to a browser holding this session token (None: no cookie)."""
    import server

    headers = [(b"cookie", f"pmks_sesi={token}".encode())] if token else []
    response = server._serve_download(file_id, headers)
    return response.status_code, response.body


def html_tables(at) -> list:
    """The app's HTML lists (`ui.list_table`, class pmks-tabel) of an AppTest run, in page order, read back as frames
    of the text shown; the caption (the list's name for screen readers) is in `frame.attrs['label']`."""
    from html.parser import HTMLParser

    import pandas as pd

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.cell, self.row, self.where = [], None, None, None

        def handle_starttag(self, tag, attrs):
            if tag == "table" and "pmks-tabel" in (dict(attrs).get("class") or ""):
                self.tables.append({"head": [], "rows": [], "label": ""})
            elif self.tables and tag == "tr":
                self.row = []
            elif self.tables and tag in ("td", "th", "caption"):
                self.cell = ""

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

        def handle_endtag(self, tag):
            if tag == "caption" and self.tables:
                self.tables[-1]["label"], self.cell = self.cell, None
            elif tag in ("td", "th") and self.cell is not None:
                self.row.append(self.cell)
                self.cell = None
            elif tag == "tr" and self.row is not None:
                table = self.tables[-1]
                if table["head"]:
                    table["rows"].append(self.row)
                else:
                    table["head"] = self.row
                self.row = None

    reader = Reader()
    for element in at.get("html"):
        reader.feed(element.value)
    out = []
    for t in reader.tables:
        frame = pd.DataFrame(t["rows"], columns=t["head"])
        frame.attrs["label"] = t["label"]
        out.append(frame)
    return out
