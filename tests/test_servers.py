"""More than one server (issue 23): two app processes on one PostgreSQL warehouse behind nginx (deploy/nginx-pmks.conf),
one cookie secret. A browser stays on one process (the sign-in code exchange works through nginx), a sign-in, a
sign-out and a new password hold in every process at once, a write in one place shows in every process, kill -9 of
the process a browser is on moves it to the other one still signed in, and a restart of PostgreSQL under load is
said in Indonesian and survived without restarting anything."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from accounts import store as accounts
from accounts.users import COOKIE
from store import close_all, open_store
from tests import reportfiles as rf
from tests.conftest import PASSWORD, REPO, AppServer, add_users, check, run_etl, warehouse_env
from tests.nginx import Nginx
from tests.test_browser import wait_until_idle
from tests.test_marts import assert_marts_match_facts
from tests.test_security import PASSWORD as WEB_PASSWORD
from tests.test_security import on_login_page, sign_in

SECRET = "rahasia-cookie-bersama-uji-" + "x" * 20
USERS = (("adm", "admin", ""), ("pimpinan1", "pimpinan", ""), ("pimpinan2", "pimpinan", ""), ("ganti1", "pimpinan", ""),
         ("gagal1", "pimpinan", ""))


@pytest.fixture(scope="module")
def farm(pg_cluster, pg_demo_template, tmp_path_factory):
    """The demo warehouse in PostgreSQL with users, two app servers sharing the cookie secret, nginx in front."""
    name = f"farm_{os.getpid()}"
    url = pg_cluster.create_database(name, template=pg_demo_template)
    add_users(url, *USERS, password=WEB_PASSWORD)  # the password test_security's sign_in types
    close_all()
    logs = tmp_path_factory.mktemp("farm")
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": SECRET, "PMKS_LOCK_WAIT": "30"}
    apps = [AppServer(url, logs / f"app{i}.log", env=env) for i in (1, 2)]
    proxy = Nginx([a.port for a in apps])
    yield {"url": url, "apps": apps, "nginx": proxy, "cluster": pg_cluster, "logs": logs}
    proxy.stop()
    for app in apps:
        app.stop()
    close_all()
    pg_cluster.drop_database(name)


class Site:
    """An address a browser signs in at (sign_in() of test_security takes an object with .url)."""

    def __init__(self, url: str):
        self.url = url


def headline(page) -> tuple[int, int]:
    """(PMKS total, desa reporting) of Ringkasan's first sentence, e.g. 'Oktober 2026: 80.383 PMKS tercatat di 270 dari 328 desa'."""
    found = re.search(r"([\d.]+) PMKS tercatat di ([\d.]+) dari", page.inner_text("body"))
    assert found, page.inner_text("body")[:500]
    return int(found.group(1).replace(".", "")), int(found.group(2).replace(".", ""))


def month_truth(url: str) -> tuple[int, int]:
    with open_store(url).read() as con:
        return tuple(con.execute("select jumlah, laporan from agregat_laporan where tingkat = 'kabupaten' and periode = date '2026-10-01'").fetchone())


def established(port: int) -> int:
    """Open TCP connections to a local port (nginx keeps one per websocket to the app process a browser is on)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                count += 1
    return count


def test_sign_in_through_nginx_holds_and_every_process_honours_a_sign_out(farm, browser, page):
    site = Site(farm["nginx"].url)
    sign_in(page, site, "pimpinan1")
    assert headline(page) == month_truth(farm["url"])
    page.reload(wait_until="networkidle")  # a new Streamlit session: signed in by the HttpOnly cookie set at /sesi/tukar
    wait_until_idle(page)
    assert not on_login_page(page)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "pmks_rute" in cookies and cookies[COOKIE]["httpOnly"]
    # the same session cookie, taken to each app process directly: both know the session (it lives in PostgreSQL)
    others = []
    for app in farm["apps"]:
        other = browser.new_context(viewport={"width": 1400, "height": 1000})
        other.add_cookies([{**cookies[COOKIE], "domain": "127.0.0.1", "path": "/"}])
        tab = other.new_page()
        tab.goto(app.url, wait_until="networkidle")
        wait_until_idle(tab)
        assert not on_login_page(tab) and "Masuk sebagai" in tab.inner_text("body")
        others.append((other, tab))
    try:
        page.get_by_role("button", name="Keluar").click()  # signed out through nginx, on one of the processes
        page.get_by_label("Kata sandi").wait_for(timeout=30_000)
        for _, tab in others:  # the next run in either process asks for a sign-in
            tab.locator("[data-testid='stSidebarNav']").get_by_text("Peta", exact=True).click()
            tab.get_by_label("Kata sandi").wait_for(timeout=30_000)
            assert on_login_page(tab)
    finally:
        for other, _ in others:
            other.close()


def test_a_new_password_from_the_cli_signs_out_tabs_on_both_processes(farm, browser):
    tabs = []
    try:
        for app in farm["apps"]:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            tab = context.new_page()
            sign_in(tab, Site(app.url), "ganti1")
            tabs.append((context, tab))
        result = subprocess.run([sys.executable, "-m", "etl", "user", "add", "ganti1", "--role", "pimpinan", "--password-stdin"],
                                input="sandi-baru-ganti1\n", cwd=REPO, env=warehouse_env(farm["url"]), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        for _, tab in tabs:
            tab.locator("[data-testid='stSidebarNav']").get_by_text("Peta", exact=True).click()
            tab.get_by_label("Kata sandi").wait_for(timeout=30_000)
    finally:
        for context, _ in tabs:
            context.close()


def test_an_import_from_the_cli_shows_in_every_process(farm, browser, tmp_path):
    with open_store(farm["url"]).read() as con:
        kecamatan, desa = con.execute("""
            select k.nama, d.nama from wilayah d join wilayah k on k.kode = d.kode_induk
            where d.tingkat = 'desa' and d.kode not in (select kode_desa from laporan where aktif and periode = date '2026-10-01')
              and d.nama not in (select nama from wilayah where tingkat = 'desa' group by 1 having count(*) > 1)
            order by d.kode limit 1""").fetchone()
    before = month_truth(farm["url"])
    path = tmp_path / "baru.csv"
    path.write_bytes(rf.long_csv([{"kecamatan": kecamatan, "desa": desa, "indikator": "FM", "periode": "2026-10", "jumlah": 41}]))
    check(run_etl("import", str(path), db=farm["url"]))
    after = month_truth(farm["url"])
    assert after == (before[0] + 41, before[1] + 1)
    for app in farm["apps"]:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            tab = context.new_page()
            sign_in(tab, Site(app.url), "pimpinan2")
            assert headline(tab) == after
        finally:
            context.close()
    assert_marts_match_facts(farm["url"])


SAVE_LOOP = textwrap.dedent("""
    import sys
    from pathlib import Path
    from etl.cli.reports import read_only_check, write_files
    from etl.read.sandbox import SheetReader
    db, path = sys.argv[1], Path(sys.argv[2])
    data = path.read_bytes()
    with SheetReader() as reader:
        sheets = reader.read(data, path.name)
        print("siap", flush=True)
        while True:
            results, snap = read_only_check(db, [(path.name, data, sheets)], reader, replace=True, user="server")
            write_files(db, [(path.name, data, sheets)], reader, results, snap, replace=True, user="server")
""")


def test_kill_9_of_the_process_a_browser_is_on_moves_it_to_the_other_one_signed_in(farm, browser, tmp_path):
    """The last test of the module: it kills one app server (and a process saving big files) with SIGKILL."""
    with open_store(farm["url"]).read() as con:
        rows = con.execute("""select k.nama, d.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa'
                              and d.nama not in (select nama from wilayah where tingkat = 'desa' group by 1 having count(*) > 1)
                              order by d.kode limit 200""").fetchall()
    records = [{"kecamatan": k, "desa": d, "indikator": ind, "periode": m, "jumlah": 2}
               for m in ("2026-08", "2026-09") for k, d in rows for ind in ("FM", "PD", "LUT")]
    big = tmp_path / "besar.csv"
    big.write_bytes(rf.long_csv(records))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        sign_in(tab, Site(farm["nginx"].url), "pimpinan2")
        on = [app for app in farm["apps"] if established(app.port) > 0]
        victim = max(farm["apps"], key=lambda app: established(app.port)) if on else farm["apps"][0]
        saver = subprocess.Popen([sys.executable, "-c", SAVE_LOOP, farm["url"], str(big)], cwd=REPO, env=warehouse_env(None),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert saver.stdout.readline().strip() == "siap", saver.stderr.read()
        time.sleep(1.5)
        victim.proc.send_signal(signal.SIGKILL)  # the app process this browser is on
        saver.send_signal(signal.SIGKILL)  # and a process in the middle of saving
        victim.proc.wait(10)
        saver.wait(10)
        tab.reload(wait_until="networkidle")  # nginx sends the browser to the other process; the cookie still holds
        wait_until_idle(tab)
        assert not on_login_page(tab) and "Masuk sebagai" in tab.inner_text("body")
        assert headline(tab) == month_truth(farm["url"])
    finally:
        context.close()
    with open_store(farm["url"]).read() as con:  # every batch of the killed saver is whole or absent
        per_batch = con.execute("select batch_id, count(*) from laporan where nama_berkas = 'besar.csv' group by 1").fetchall()
        assert all(n == len(records) // 3 for _, n in per_batch), per_batch
        assert con.execute("select count(*) from audit where aksi = 'impor' and objek in "
                           "(select 'batch ' || batch_id::varchar from laporan where nama_berkas = 'besar.csv')").fetchone()[0] == len(per_batch)
    with open_store(farm["url"]).transaction(bump=(), wait=5) as con:  # no stale lock
        con.execute("select 1")
    assert_marts_match_facts(farm["url"])


# --- PostgreSQL restarted under load -------------------------------------------------------------


def test_postgresql_restarted_under_load_is_said_in_indonesian_and_survived(monkeypatch, pg_cluster, pg_demo):
    from streamlit.testing.v1 import AppTest

    add_users(pg_demo, ("adm", "admin", ""), ("pimpinan1", "pimpinan", ""))  # with conftest's PASSWORD
    store = open_store(pg_demo)
    user = accounts.check_login(store, "pimpinan1", PASSWORD)
    outcomes: dict[str, int] = {"ok": 0, "refused": 0}
    problems: list = []
    stop = threading.Event()

    def sign_loop():  # users signing in and out all through the restart
        while not stop.is_set():
            try:
                token = accounts.sign_in(store, user, "10.0.0.9")
                assert accounts.session_user(store, token) == user
                accounts.sign_out(store, token, "pimpinan1")
                outcomes["ok"] += 1
            except Exception as exc:  # noqa: BLE001 - only Indonesian refusals are allowed
                short = getattr(exc, "short", None)
                if short and "tidak dapat dihubungi" in short or short and "sibuk" in short:
                    outcomes["refused"] += 1
                    time.sleep(0.05)
                else:
                    problems.append(repr(exc))

    monkeypatch.setenv("PMKS_DATABASE_URL", pg_demo)
    monkeypatch.delenv("PMKS_DB", raising=False)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.session_state["_sesi_token"] = accounts.sign_in(store, user, None)
    at.run()
    assert not at.exception and any(t.value.startswith("Ringkasan PMKS") for t in at.title)
    threads = [threading.Thread(target=sign_loop) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        pg_cluster.pg_ctl("stop", "-m", "fast")
        try:
            time.sleep(1.0)
            at.run()  # the next run while PostgreSQL is down
            assert not at.exception
            shown = [e.value for e in at.error]
            assert any("Basis data sedang tidak dapat dihubungi" in e for e in shown), shown
            assert all("postgresql://" not in e and "connection" not in e.lower() for e in shown)
        finally:
            pg_cluster.pg_ctl("start")
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not problems, problems[:5]
    assert outcomes["refused"] > 0 and outcomes["ok"] > 0
    after = outcomes["ok"]
    deadline = time.time() + 30
    while outcomes["ok"] == after and time.time() < deadline:  # signing in works again, without a restart
        token = accounts.sign_in(store, user, None)
        accounts.sign_out(store, token, "pimpinan1")
        outcomes["ok"] += 1
    at.run()  # the same page, same process: back without a restart
    assert not at.exception and not at.error and any(t.value.startswith("Ringkasan PMKS") for t in at.title)
    with store.read() as con:  # all or nothing: one audit row per session opened and per session ended
        sessions, ended = con.execute("select count(*), count(berakhir) from sesi").fetchone()
        audit = dict(con.execute("select aksi, count(*) from audit where aksi in ('masuk', 'keluar') group by 1").fetchall())
    assert sessions - ended <= 1 + 3  # the page's session, and at most one per thread cut between sign-in and sign-out
    assert audit.get("masuk", 0) == sessions and audit.get("keluar", 0) == ended


def test_the_load_benchmark_runs_against_two_processes_behind_nginx(pg_demo, tmp_path):
    """bench/bench_load.py with --postgres --servers 2 in small: analysts in both processes save at the same moment
    while a watcher (on either process) sees every save; no error, and the warehouse adds up."""
    from datetime import date

    from bench import load_support as ls
    from bench.bench_load import run_load

    done: list = []  # in a thread of its own: the browser tests of this module leave playwright's event loop running here
    worker = threading.Thread(target=lambda: done.append(run_load(pg_demo, [4], rounds=1, think=0, timeout=240, action_timeout=90,
                                                                  month=date(2026, 10, 1), warm=False, log=tmp_path / "app.log",
                                                                  servers=2)))
    worker.start()
    worker.join(400)
    out = done[0]
    rec, setup = out.ctx.rec, out.ctx.setup
    assert not out.timed_out and out.failures == []
    assert rec.errors == [], [(tmp_path / f"app{i}.log").read_text()[-2000:] for i in (1, 2)]
    assert len(rec.saves) == 4 and len({s.batch for s in rec.saves}) == 4
    lag, missing = ls.lags(rec, setup, 4)
    assert missing == 0 and len(lag) == 4  # the watcher's Ringkasan showed every save, whichever process made it
