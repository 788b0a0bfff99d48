"""Concurrency and safety: parallel imports, an import killed midway, the app serving during an import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb

from tests import reportfiles as rf
from tests.conftest import REPO, check, run_etl
from tests.test_ingest import _active_state


def _etl(*args, db) -> subprocess.Popen:
    env = {**os.environ, "PMKS_DB": str(db), "PMKS_LOCK_WAIT": "60"}
    return subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_imports_at_once_both_land_once(empty_db, tmp_path):
    import shutil

    db = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, db)
    records = lambda kec, desa: [{"kecamatan": kec, "desa": desa, "indikator": i, "periode": f"2026-{m:02d}", "jumlah": m}  # noqa: E731
                                 for m in range(1, 11) for i in ("FM", "PD", "LUT")]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(rf.long_csv(records("Soko", "Menilo")))
    b.write_bytes(rf.long_csv(records("Montong", "Pakel")))
    procs = [_etl("import", str(a), db=db), _etl("import", str(b), db=db)]
    outputs = [p.communicate(timeout=180) for p in procs]
    codes = [p.returncode for p in procs]
    assert all(c in (0, 2) for c in codes), outputs
    for code, (_out, err) in zip(codes, outputs):
        assert "Traceback" not in err
        if code == 2:
            assert "Coba lagi" in err
    for code, path in zip(codes, (a, b)):
        if code == 2:  # told to retry: the retry lands
            check(run_etl("import", str(path), db=db))
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*), count(distinct (kode_desa, periode)) from laporan where aktif").fetchone() == (20, 20)
    assert con.execute("select count(*) from laporan_nilai").fetchone() == (60,)
    con.close()


def test_import_killed_midway_leaves_the_previous_data(demo_db, tmp_path):
    con = duckdb.connect(str(demo_db), read_only=True)
    desa = con.execute("select d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa' "
                       "and d.nama not in (select nama from wilayah where tingkat = 'desa' group by 1 having count(*) > 1) order by d.kode").fetchall()
    con.close()
    indicators = ["FM", "PD", "LUT", "AT", "PRSE", "ADK"]
    records = [{"kecamatan": k, "desa": d, "indikator": i, "periode": f"2026-{m:02d}", "jumlah": 7}
               for m in range(1, 11) for d, k in desa for i in indicators]  # about 18.000 rows: a few seconds of work
    path = tmp_path / "besar.csv"
    path.write_bytes(rf.long_csv(records))
    before = _active_state(demo_db)
    outcomes = set()
    for delay in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0):
        proc = _etl("import", str(path), "--replace", db=demo_db)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _active_state(demo_db)
        after = state != before
        if after:  # it finished before the kill: the whole file is in
            con = duckdb.connect(str(demo_db), read_only=True)
            assert con.execute("select count(*), min(n.jumlah), max(n.jumlah) from laporan l join laporan_nilai n on n.laporan_id = l.id "
                               "where l.aktif and l.nama_berkas = 'besar.csv'").fetchone() == (len(records), 7, 7)
            con.close()
            outcomes.add("selesai")
            break
        assert state == before  # killed: nothing of it, nothing lost
        outcomes.add("dibatalkan")
    con = duckdb.connect(str(demo_db), read_only=True)  # the file is still a sound warehouse
    assert con.execute("select count(*) from laporan where aktif").fetchone()[0] > 0
    con.close()
    assert outcomes


def test_warehouse_file_is_not_world_readable(tmp_path):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    assert db.stat().st_mode & 0o007 == 0
