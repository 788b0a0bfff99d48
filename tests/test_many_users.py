"""Many users at once (issues 21 and 23): saves, imports, rollbacks, population files, user administration and
sign-ins from many threads and processes at the same moment, on both stores: the embedded DuckDB file (the analysts'
sessions are threads of one server process) and PostgreSQL (the sessions are spread over two app processes,
tests/app_process.py, each with its own store and DuckDB copy, beside the CLI). Each test starts its writers behind a
barrier and then checks invariants, never timings: totals equal the files accepted, every aggregate equals the same
aggregate recomputed from the facts and is what every process shows, users and sessions are exactly what was done,
and every write has exactly one audit row."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from accounts import store as accounts
from etl.cli.reports import read_only_check, write_files
from etl.read.sandbox import SheetReader
from store import open_store
from tests import reportfiles as rf
from tests.app_process import fingerprint
from tests.conftest import PASSWORD, REPO, add_users, check, reading, run_etl, warehouse_env
from tests.test_marts import assert_marts_match_facts

MONTH = "2026-10"
INDICATORS = ("FM", "PD", "LUT")


@pytest.fixture(params=["duckdb", "postgres"])
def fresh_db(request, empty_db, tmp_path):
    """An empty warehouse opened for demo: a DuckDB file, or a PostgreSQL database (a URL)."""
    if request.param == "postgres":
        return request.getfixturevalue("pg_empty")
    target = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, target)
    return target


def on_postgres(db) -> bool:
    return str(db).startswith("postgresql://")


@pytest.fixture(scope="module")
def reader():
    with SheetReader(timeout=20) as r:
        yield r


def pick(db, kecamatan: int, desa: int) -> list[tuple[str, list[str]]]:
    """`kecamatan` kecamatan with `desa` desa each whose names are unique in the kabupaten: [(kecamatan, [desa])]."""
    with reading(db) as con:
        rows = con.execute("""
            select k.kode, k.nama, d.nama from wilayah d join wilayah k on k.kode = d.kode_induk
            where d.tingkat = 'desa' and d.nama not in (select nama from wilayah where tingkat = 'desa' group by 1 having count(*) > 1)
            order by k.kode, d.kode""").fetchall()
    groups: dict[tuple, list[str]] = {}
    for code, name, desa_name in rows:
        groups.setdefault((code, name), []).append(desa_name)
    return [(name, names[:desa]) for (_, name), names in list(groups.items())[:kecamatan]]


def report(kecamatan: str, desa: list[str], value: int, months=(MONTH,)) -> tuple[bytes, int]:
    """A long CSV of these desa (three indicators each) and the total it holds."""
    records = [{"kecamatan": kecamatan, "desa": d, "indikator": ind, "periode": m, "jumlah": value + j}
               for m in months for d in desa for j, ind in enumerate(INDICATORS)]
    return rf.long_csv(records), sum(r["jumlah"] for r in records)


def run_together(actions) -> list:
    """Run the callables at once (each in its thread, released together by a barrier); their results, in order.
    Any exception fails the test."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)
    errors: list = []

    def run(i, action):
        try:
            barrier.wait()
            results[i] = action()
        except BaseException as exc:  # noqa: BLE001 - reported below with its thread
            errors.append((i, exc))

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    return results


def audit_count(db, action: str, obj: str | None = None) -> int:
    with reading(db) as con:
        if obj is None:
            return con.execute("select count(*) from audit where aksi = ?", [action]).fetchone()[0]
        return con.execute("select count(*) from audit where aksi = ? and objek = ?", [action, obj]).fetchone()[0]


def month_total(db, level: str = "kabupaten") -> int:
    with reading(db) as con:
        rows = con.execute("select jumlah from agregat_laporan where tingkat = ? and periode = ?::date", [level, f"{MONTH}-01"]).fetchall()
    assert len(rows) <= 1, rows  # one row per area and month: a duplicate is impossible
    return rows[0][0] if rows else 0


def saver(db, reader, name: str, data: bytes, replace: bool = False, prepared: threading.Event | None = None):
    """What Unggah Data does for one analyst: check on a snapshot, then save when the button is pressed."""
    sheets = reader.read(data, name)
    results, snapshot = read_only_check(db, [(name, data, sheets)], reader, replace=replace, user=name)
    return lambda: write_files(db, [(name, data, sheets)], reader, results, snapshot, replace=replace, user=name)[1]


class AppProcesses:
    """Analysts' saves spread over two app processes (PostgreSQL): each process checks its files first; calling the
    object presses every Simpan at once (in both processes) and returns the batch ids in the order of the files."""

    def __init__(self, db, files: list[tuple[str, bytes]], folder, replace: bool = False):
        self.db, self.procs, self.order = db, [], []
        for n in range(2):
            mine = [(i, name, data) for i, (name, data) in enumerate(files) if i % 2 == n]
            spec = []
            for i, name, data in mine:
                path = folder / f"app{n}_{i}_{name}"
                path.write_bytes(data)
                spec.append([name, str(path), replace, name])
                self.order.append(i)
            spec_file = folder / f"app{n}.json"
            spec_file.write_text(json.dumps(spec))
            self.procs.append(subprocess.Popen([sys.executable, "-m", "tests.app_process", str(db), str(spec_file)], cwd=REPO,
                                               env={**os.environ, "PMKS_LOCK_WAIT": "120"}, stdin=subprocess.PIPE,
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for proc in self.procs:
            assert proc.stdout.readline().strip() == "siap", proc.stderr.read()

    def __call__(self) -> list:
        for proc in self.procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [json.loads(proc.stdout.readline()) for proc in self.procs]
        assert not [e for r in results for e in r["errors"]], results
        by_file = dict(zip(self.order, [b for r in results for b in r["batches"]]))
        return [by_file[i] for i in sorted(by_file)]

    def shown(self) -> list[dict]:
        """What each process's pages show now (its copy's fingerprint, once it caught up with PostgreSQL)."""
        target = open_store(self.db).versions()["audit"]
        out = []
        for proc in self.procs:
            stdout, stderr = proc.communicate(f"{target}\n", timeout=120)
            assert proc.returncode == 0, stderr
            out.append(json.loads(stdout.strip().splitlines()[-1]))
        return out


def save_together(db, reader, files: list[tuple[str, bytes]], folder, replace: bool = False):
    """The actions for `run_together`: one per analyst in this process (DuckDB), or one for two app processes
    (PostgreSQL); `batches()` flattens their results."""
    if on_postgres(db):
        apps = AppProcesses(db, files, folder, replace)
        return [apps], apps
    return [saver(db, reader, name, data, replace) for name, data in files], None


def batches(results) -> list:
    return [b for r in results for b in (r if isinstance(r, list) else [r])]


def assert_every_process_shows_the_facts(db, apps: AppProcesses | None) -> None:
    """The marts equal the facts recomputed; on PostgreSQL every process's copy (this one's and each app process's)
    shows exactly PostgreSQL's marts and reports: what every process's pages show."""
    assert_marts_match_facts(db)
    if not on_postgres(db):
        return
    store = open_store(db)
    with store.read() as con:
        truth = fingerprint(con)
    store.follower().refresh()
    with store.analytics() as con:
        assert fingerprint(con) == truth
    if apps is not None:
        for shown in apps.shown():
            assert shown["fingerprint"] == truth, shown

# --- saves in one server process -------------------------------------------------------------------


@pytest.mark.parametrize("sessions", [2, 8])
def test_first_saves_of_a_month_from_many_sessions_each_land_once(fresh_db, reader, sessions, tmp_path):
    """The bug of issue 21: two analysts (different kecamatan) press Simpan together for a month with no reports yet;
    the kabupaten total read 1.476 instead of 738."""
    files = [(f"kec{i}.csv", *report(k, d, 10 * (i + 1))) for i, (k, d) in enumerate(pick(fresh_db, sessions, 3))]
    saves, apps = save_together(fresh_db, reader, [(n, data) for n, data, _ in files], tmp_path)  # all checked first
    saved = batches(run_together(saves))
    assert len(set(saved)) == sessions and None not in saved
    assert month_total(fresh_db) == sum(total for _, _, total in files)
    assert_every_process_shows_the_facts(fresh_db, apps)
    with reading(fresh_db) as con:
        trend = con.execute("select periode, count(*) from agregat_bulanan where tingkat = 'kabupaten' and kode_indikator = 'FM' group by 1").fetchall()
        assert trend == [(__import__("datetime").date(2026, 10, 1), 1)]
        assert con.execute("select count(*) from laporan where aktif").fetchone()[0] == 3 * sessions
    for batch in saved:
        assert audit_count(fresh_db, "impor", f"batch {batch}") == 1


def test_saves_into_a_month_that_has_reports_wait_their_turn(fresh_db, reader, tmp_path):
    """The month already has reports: the second save ended in 'Conflict on tuple deletion' before."""
    groups = pick(fresh_db, 5, 2)
    first, _ = report(*groups[0], 1)
    check(run_etl("import", str(_write(tmp_path / "awal.csv", first)), db=fresh_db))
    files = [(f"kec{i}.csv", *report(k, d, 5 * i)) for i, (k, d) in enumerate(groups[1:], 1)]
    saves, apps = save_together(fresh_db, reader, [(n, data) for n, data, _ in files], tmp_path)
    assert None not in batches(run_together(saves))
    assert month_total(fresh_db) == sum(t for _, _, t in files) + report(*groups[0], 1)[1]
    assert_every_process_shows_the_facts(fresh_db, apps)


def test_replacing_the_same_desa_from_four_sessions_keeps_one_whole_file(fresh_db, reader, tmp_path):
    (kecamatan, desa), = pick(fresh_db, 1, 4)
    files = [(f"ganti{i}.csv", *report(kecamatan, desa, 100 * (i + 1))) for i in range(4)]
    saves, apps = save_together(fresh_db, reader, [(n, data) for n, data, _ in files], tmp_path, replace=True)
    saved = batches(run_together(saves))
    assert None not in saved and len(set(saved)) == 4
    with reading(fresh_db) as con:
        active = con.execute("select l.nama_berkas, n.jumlah from laporan l join laporan_nilai n on n.laporan_id = l.id where l.aktif").fetchall()
        kept = con.execute("select count(*) from laporan").fetchone()[0]
    winners = {name for name, _ in active}
    assert len(winners) == 1  # the last save replaced every desa of the earlier ones: never a mix of two files
    total = dict((n, t) for n, _, t in files)[winners.pop()]
    assert sum(v for _, v in active) == total == month_total(fresh_db)
    assert kept == 4 * len(desa)  # every replaced report is kept for the history and a rollback
    assert_every_process_shows_the_facts(fresh_db, apps)
    assert sum(audit_count(fresh_db, "impor", f"batch {b}") for b in saved) == 4


def test_readers_see_whole_states_only_while_sessions_save(fresh_db, reader, tmp_path):
    groups = pick(fresh_db, 6, 3)
    files = [(f"kec{i}.csv", *report(k, d, i + 1)) for i, (k, d) in enumerate(groups)]
    possible = set()  # every total a reader may see: the sum of any set of whole files
    for mask in range(1 << len(files)):
        possible.add(sum(t for i, (_, _, t) in enumerate(files) if mask >> i & 1))
    stop = threading.Event()
    seen, problems = [], []

    def read_loop(copy: bool):
        """Snapshots of the store (on PostgreSQL also of this process's copy, which pages read: no facts there)."""
        store = open_store(fresh_db)
        while not stop.is_set():
            try:
                with (store.analytics() if copy else store.read()) as con:
                    top = con.execute("select coalesce(sum(jumlah), 0) from agregat_laporan where tingkat = 'kabupaten' and periode = ?::date", [f"{MONTH}-01"]).fetchone()[0]
                    desa = con.execute("select coalesce(sum(jumlah), 0) from agregat_laporan where tingkat = 'desa' and periode = ?::date", [f"{MONTH}-01"]).fetchone()[0]
                    facts = desa if copy else con.execute("select coalesce(sum(jumlah), 0) from pmks_counts where periode = ?::date", [f"{MONTH}-01"]).fetchone()[0]
                seen.append(top)
                if not top == desa == facts:
                    problems.append((top, desa, facts))
            except Exception as exc:  # noqa: BLE001 - a reader must never see an error caused by a writer
                problems.append(exc)

    copies = (False, True, True) if on_postgres(fresh_db) else (False, False, False)
    readers = [threading.Thread(target=read_loop, args=(copy,)) for copy in copies]
    saves, apps = save_together(fresh_db, reader, [(n, data) for n, data, _ in files], tmp_path)
    for t in readers:
        t.start()
    try:
        run_together(saves)
    finally:
        stop.set()
        for t in readers:
            t.join(60)
    assert not problems, problems[:5]
    assert seen and set(seen) <= possible
    assert_every_process_shows_the_facts(fresh_db, apps)


# --- processes: the CLI while the server saves ------------------------------------------------------


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _etl(*args, db) -> subprocess.Popen:
    env = warehouse_env(db, {"PMKS_LOCK_WAIT": "120"})
    return subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cli_imports_and_a_rollback_while_the_server_saves(fresh_db, reader, tmp_path):
    groups = pick(fresh_db, 7, 2)
    old, old_total = report(*groups[0], 7)
    check(run_etl("import", str(_write(tmp_path / "lama.csv", old)), db=fresh_db))
    undone, _ = report(*groups[0], 70)  # replaced by a batch that the CLI will roll back
    check(run_etl("import", "--replace", str(_write(tmp_path / "salah.csv", undone)), db=fresh_db))
    with reading(fresh_db) as con:
        wrong_batch = con.execute("select max(id) from impor_batch").fetchone()[0]
    cli_files = [(tmp_path / f"cli{i}.csv", *report(*groups[i], 3 * i)) for i in (1, 2)]
    app_files = [(f"app{i}.csv", *report(*groups[i], 11 * i)) for i in (3, 4, 5, 6)]
    saves, apps = save_together(fresh_db, reader, [(n, data) for n, data, _ in app_files], tmp_path)
    for path, data, _ in cli_files:
        path.write_bytes(data)
    procs = []

    def start_cli():
        procs.extend([_etl("import", str(p), db=fresh_db) for p, _, _ in cli_files] + [_etl("rollback", str(wrong_batch), db=fresh_db)])
        return [p.communicate(timeout=300) for p in procs]

    outputs = run_together([start_cli, *saves])[0]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert all("Traceback" not in err for _, err in outputs)
    expected = old_total + sum(t for _, _, t in cli_files) + sum(t for _, _, t in app_files)
    assert month_total(fresh_db) == expected  # the rolled-back batch is gone and the file it replaced is back
    assert_every_process_shows_the_facts(fresh_db, apps)
    assert audit_count(fresh_db, "rollback", f"batch {wrong_batch}") == 1
    with reading(fresh_db) as con:
        batches = [r[0] for r in con.execute("select id from impor_batch where jenis = 'impor'").fetchall()]
    assert all(audit_count(fresh_db, "impor", f"batch {b}") == 1 for b in batches) and len(batches) == 2 + 2 + 4


def test_population_files_from_two_processes_and_the_server_at_once(fresh_db, tmp_path):
    from etl.cli.population import check_and_write
    from etl.write.population import parse_acuan
    from tests import popfiles

    with reading(fresh_db) as con:
        desa = con.execute("""select d.kode, k.nama, d.nama from wilayah d join wilayah k on k.kode = d.kode_induk
                              where d.tingkat = 'desa' order by d.kode limit 90""").fetchall()
    parts = [desa[0:30], desa[30:60], desa[60:90]]
    values = {code: (500 + i, 400 + i) for i, (code, _, _) in enumerate(desa)}
    files = [popfiles.codes_csv(part, values) for part in parts]
    paths = [_write(tmp_path / f"penduduk{i}.csv", data) for i, data in enumerate(files)]
    acuan = parse_acuan("2025-S2")
    procs = []

    def cli():
        procs.extend(_etl("penduduk", "import", str(p), "--sumber", "dukcapil", "--tanggal", "2025-S2", db=fresh_db) for p in paths[:2])
        return [p.communicate(timeout=300) for p in procs]

    sheets = SheetReader().read(files[2], paths[2].name)  # a CSV is parsed here, without a worker

    def app():
        return check_and_write(fresh_db, paths[2].name, files[2], sheets, acuan, "dukcapil", dry_run=False, replace=False, user="admin")[1]

    outputs, batch = run_together([cli, app])
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert batch is not None
    with reading(fresh_db) as con:
        rows = con.execute("select kode_wilayah, jumlah from penduduk_desa where aktif and acuan = date '2025-12-31'").fetchall()
        dupes = con.execute("select count(*) from (select kode_wilayah from penduduk_desa where aktif group by 1 having count(*) > 1) as d").fetchone()[0]
    assert dupes == 0 and len(rows) == 90
    assert dict(rows) == {code: sum(v) for code, v in values.items()}
    assert audit_count(fresh_db, "impor_penduduk") == 3


# --- users and sessions ------------------------------------------------------------------------------

ADD_USERS = textwrap.dedent("""
    import sys
    from accounts import store as accounts
    from store import open_store
    store = open_store(sys.argv[1])
    for i in range(int(sys.argv[3])):
        accounts.save_user(store, f"{sys.argv[2]}{i:02d}", "Uji", "pimpinan", "", "sandi-uji-1234", "proses-" + sys.argv[2])
""")
REMOVE_USERS = textwrap.dedent("""
    import sys
    from accounts import store as accounts
    from store import open_store
    store = open_store(sys.argv[1])
    for login in sys.argv[2:]:
        accounts.remove_user(store, login, "penghapus")
""")


def test_a_hundred_user_adds_from_four_processes_while_another_removes_users(fresh_db):
    doomed = [f"lama{i:02d}" for i in range(20)]
    add_users(fresh_db, ("adm", "admin", ""), *[(login, "staf", "") for login in doomed])
    from store import close_all

    close_all()
    env = {**os.environ, "PMKS_LOCK_WAIT": "120"}
    procs = [subprocess.Popen([sys.executable, "-c", ADD_USERS, str(fresh_db), f"p{n}_", "25"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(4)]
    procs.append(subprocess.Popen([sys.executable, "-c", REMOVE_USERS, str(fresh_db), *doomed], cwd=REPO, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 5, outputs
    logins = {u["login"] for u in accounts.list_users(open_store(fresh_db))}
    added = {f"p{n}_{i:02d}" for n in range(4) for i in range(25)}
    assert logins == added | {"adm"}  # every add kept, every removed user stays removed
    with reading(fresh_db) as con:
        rows = dict(con.execute("select aksi, count(*) from audit where aksi like 'pengguna%' group by 1").fetchall())
    assert rows == {"pengguna_tambah": 100 + 21, "pengguna_hapus": 20}


def test_fifty_sign_ins_and_outs_from_threads_each_end_their_session(fresh_db):
    add_users(fresh_db, ("adm", "admin", ""), *[(f"user{i}", "pimpinan", "") for i in range(10)])
    store = open_store(fresh_db)
    tokens: list[str] = []
    lock = threading.Lock()

    def cycles(login):
        def run():
            for _ in range(5):
                user = accounts.check_login(store, login, PASSWORD)
                token = accounts.sign_in(store, user, "10.0.0.7")
                assert accounts.session_user(store, token) == user
                with lock:
                    tokens.append(token)
                assert accounts.sign_out(store, token, login)
                assert accounts.session_user(store, token) is None
        return run

    run_together([cycles(f"user{i}") for i in range(10)])
    assert len(tokens) == len(set(tokens)) == 50
    assert all(accounts.session_user(store, t) is None for t in tokens)
    with reading(fresh_db) as con:
        assert con.execute("select count(*), count(berakhir) from sesi").fetchone() == (50, 50)
        assert dict(con.execute("select aksi, count(*) from audit where aksi in ('masuk', 'keluar') group by 1").fetchall()) == {"masuk": 50, "keluar": 50}


def test_a_store_that_fails_leaves_users_closed_not_open(fresh_db):
    """Fail closed: with no users and no demo access, nobody may enter, whatever else happens."""
    check(run_etl("settings", "--demo-access", "off", db=fresh_db))
    store = open_store(fresh_db)
    with pytest.raises(accounts.NoAccess):
        accounts.who_may_enter(store, "uji")
    add_users(fresh_db, ("adm", "admin", ""))
    assert accounts.who_may_enter(store, "uji") == accounts.Gate(demo=False, users=1)
    assert accounts.session_user(store, "tebakan") is None


# --- kill -9 --------------------------------------------------------------------------------------

SIGN_LOOP = textwrap.dedent("""
    import sys
    from accounts import store as accounts
    from store import open_store
    store = open_store(sys.argv[1])
    user = accounts.check_login(store, "adm", sys.argv[2])
    print("siap", flush=True)
    while True:
        token = accounts.sign_in(store, user, None)
        accounts.sign_out(store, token, "adm")
""")
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


@pytest.mark.parametrize("loop", ["save", "sign-out"])
def test_a_server_killed_mid_write_leaves_all_or_nothing_and_no_stale_lock(fresh_db, tmp_path, loop):
    add_users(fresh_db, ("adm", "admin", ""))
    groups = pick(fresh_db, 20, 12)
    data, _ = report(groups[0][0], groups[0][1], 1)
    records = [{"kecamatan": k, "desa": d, "indikator": ind, "periode": m, "jumlah": 3}
               for m in ("2026-08", "2026-09", "2026-10") for k, names in groups for d in names for ind in INDICATORS]
    big = _write(tmp_path / "besar.csv", rf.long_csv(records))
    from store import close_all

    close_all()
    script, args = (SAVE_LOOP, [str(fresh_db), str(big)]) if loop == "save" else (SIGN_LOOP, [str(fresh_db), PASSWORD])
    for kills, delay in enumerate((0.3, 0.9, 1.7), 1):
        proc = subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, env=warehouse_env(None, {"PMKS_LOCK_WAIT": "60"}),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "siap", proc.stderr.read()
        if loop == "save" and kills == 3:  # the last kill comes after a save landed (a loaded machine saves slowly)
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                with reading(fresh_db) as con:
                    if con.execute("select count(*) from impor_batch where jenis = 'impor'").fetchone()[0]:
                        break
                close_all()
                time.sleep(0.2)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = open_store(fresh_db)
        with store.transaction(bump=(), wait=5) as con:  # no stale lock: the next writer gets in at once
            con.execute("select 1")
        with reading(fresh_db) as con:
            if loop == "save":
                files = con.execute("select count(distinct batch_id) from laporan where aktif").fetchone()[0]
                per_batch = con.execute("select batch_id, count(*) from laporan group by 1").fetchall()
                assert files <= 1 and all(n == len(records) // len(INDICATORS) for _, n in per_batch), per_batch  # whole batches
                batches = [b for b, _ in per_batch]
                audited = con.execute("select count(*) from audit where aksi = 'impor'").fetchone()[0]
                assert audited == len(batches)
            else:
                sessions, ended = con.execute("select count(*), count(berakhir) from sesi").fetchone()
                audit = dict(con.execute("select aksi, count(*) from audit where aksi in ('masuk', 'keluar') group by 1").fetchall())
                assert audit.get("masuk", 0) == sessions and audit.get("keluar", 0) == ended and sessions - ended <= kills  # at most the one each kill interrupted between its sign-in and sign-out
        close_all()
    if loop == "save":
        assert_marts_match_facts(fresh_db)


def test_writers_of_one_process_get_their_turn_in_the_order_they_asked():
    """The store's writer queue is first come, first served: under many writers nobody is overtaken again and again
    (issue 21: fifty analysts pressing Simpan at once)."""
    from store.locks import FairLock

    lock = FairLock()
    assert lock.acquire(1)
    order, threads = [], []
    for i in range(8):
        def wait(i=i):
            assert lock.acquire(60)
            order.append(i)
            lock.release()
        threads.append(threading.Thread(target=wait))
        threads[-1].start()
        while lock._next < i + 2:  # the thread has taken its ticket: the next one queues behind it
            time.sleep(0.001)
    assert not lock.acquire(0)  # a writer that will not wait gives up, and its ticket is skipped
    lock.release()
    for t in threads:
        t.join(60)
    assert order == list(range(8))
