"""Issue 27, point 1: maps on a fresh machine without internet. The default kabupaten's simplified desa boundaries
ship in data/ with their source and licence; `python -m etl boundaries --if-missing` (run by scripts/run.sh on every
start) falls back to them when the download is not possible; the admin installs them in a click; Ringkasan says why
its map is missing instead of leaving it out silently."""

from __future__ import annotations

import gzip
import json
import os
import subprocess

import pytest

from etl.reference import boundaries as bnd
from etl.reference import shipped_boundaries as shipped_copy
from tests.conftest import REPO, check, reference, run_etl, table_fingerprint

OFFLINE = {"PMKS_BOUNDARY_SOURCE": "http://127.0.0.1:9/"}  # nothing listens there: the download fails at once


def boundary_sources(db) -> dict[str, int]:
    from tests.conftest import reading

    with reading(db) as con:
        return dict(con.execute("select sumber, count(*) from batas_wilayah where tingkat = 'desa' group by 1").fetchall())


def test_the_shipped_boundaries_are_small_and_say_where_they_come_from():
    path = shipped_copy.shipped_file("35.23")
    assert path.is_file() and path.stat().st_size < 150 * 1024
    collection = json.loads(gzip.decompress(path.read_bytes()))
    codes = [f["properties"]["kode"] for f in collection["features"]]
    assert len(codes) == len(set(codes)) == 328 and all(c.startswith("35.23.") for c in codes)
    readme = (REPO / "data" / "README.md").read_text()
    assert path.name in readme and bnd.SOURCE_COMMIT in readme and "MIT" in readme and "scripts/ship_boundaries.py" in readme
    licence = (REPO / "data" / "LICENSE-wilayah_boundaries").read_text()
    assert licence.startswith("MIT License") and "Cahya DSN" in licence


@pytest.mark.reference
def test_the_shipped_file_is_what_the_script_makes_from_the_pinned_source(tmp_path):
    out = tmp_path / "batas.geojson.gz"
    done = subprocess.run([os.sys.executable, "scripts/ship_boundaries.py", "--source", str(reference("raw")), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == shipped_copy.shipped_file("35.23").read_bytes()


def test_without_internet_the_shipped_boundaries_fill_in_and_a_second_run_changes_nothing(tmp_path):
    db = tmp_path / "pmks.duckdb"
    check(run_etl("init", db=db))
    first = check(run_etl("boundaries", "--if-missing", db=db, env=OFFLINE))
    assert "batas bawaan aplikasi" in first.stdout and "328 desa/kelurahan" in first.stdout
    assert boundary_sources(db) == {shipped_copy.shipped_source("35.23"): 328}
    before = table_fingerprint(db)
    again = check(run_etl("boundaries", "--if-missing", db=db, env=OFFLINE))
    assert "sudah lengkap" in again.stdout and table_fingerprint(db) == before
    shipped = check(run_etl("boundaries", "--shipped", db=db))
    assert "328 desa/kelurahan" in shipped.stdout
    from tests.conftest import reading

    with reading(db) as con:
        area = con.execute("select sum(luas_km2) from batas_wilayah where tingkat = 'kecamatan'").fetchone()[0]
    assert 1960 < area < 1985  # the source's own figure: 1.973,5 km²


def test_filling_in_keeps_the_boundaries_an_office_imported(tmp_path):
    from tests.test_admin import small_boundary_file

    db = tmp_path / "pmks.duckdb"
    check(run_etl("init", db=db))
    data, codes = small_boundary_file()
    (tmp_path / "kantor.geojson").write_bytes(data)
    check(run_etl("boundaries", str(tmp_path / "kantor.geojson"), db=db))
    check(run_etl("boundaries", "--if-missing", db=db, env=OFFLINE))
    assert boundary_sources(db) == {"berkas kantor.geojson": len(codes), shipped_copy.shipped_source("35.23"): 328 - len(codes)}


def test_without_internet_and_without_a_shipped_copy_the_command_says_so(tmp_path):
    db = tmp_path / "pmks.duckdb"
    check(run_etl("init", "--kabupaten", "35.22", db=db))  # Bojonegoro: nothing shipped
    done = run_etl("boundaries", "--if-missing", db=db, env=OFFLINE)
    assert done.returncode == 1 and "tidak dapat dihubungi" in done.stderr and "Traceback" not in done.stderr
    assert boundary_sources(db) == {}


def test_run_sh_fills_in_missing_boundaries_on_a_later_run_and_reads_only_the_repository(tmp_path):
    """The README's first command on a warehouse made before the maps (no boundaries): its preparation step fills them
    in from data/ without internet and leaves the demo history alone."""
    db = tmp_path / "demo.duckdb"
    check(run_etl("init", db=db))
    check(run_etl("demo", "--months", "2", "--until", "2026-10", db=db))
    from store import close_all
    from tests.conftest import reading

    with reading(db) as con:
        reports = con.execute("select count(*), max(batch_id) from laporan").fetchone()
    close_all()  # the script's processes take the file
    env = {**os.environ, **OFFLINE, "PMKS_DB": str(db), "PATH": f"{os.path.dirname(os.sys.executable)}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", "scripts/prepare.sh"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert boundary_sources(db) == {shipped_copy.shipped_source("35.23"): 328}
    with reading(db) as con:
        assert con.execute("select count(*), max(batch_id) from laporan").fetchone() == reports
    for script in ("run.sh", "prepare.sh"):
        text = (REPO / "scripts" / script).read_text()
        assert "../shared" not in text and "reference" not in text
    assert "scripts/prepare.sh" in (REPO / "scripts" / "run.sh").read_text()


def no_boundaries(tmp_path):
    db = tmp_path / "tanpa_batas.duckdb"
    check(run_etl("init", db=db))
    check(run_etl("demo", "--months", "3", "--until", "2026-10", db=db))
    return db


def test_the_admin_installs_the_shipped_boundaries_in_a_click(monkeypatch, tmp_path):
    from tests.test_pages import run_app

    db = no_boundaries(tmp_path)
    at = run_app(monkeypatch, db, "pages/peta.py")
    assert any("belum dipasang" in w.value and "Pengguna & Pengaturan" in w.value for w in at.warning)
    at = run_app(monkeypatch, db, "pages/pengaturan.py")
    assert not at.exception
    assert any("328 desa/kelurahan belum berbatas" in i.value for i in at.info)
    at.button(key="batas_bawaan").click().run()
    assert not at.exception
    assert any("Batas 328 desa dan 20 kecamatan disimpan" in s.value for s in at.success)
    assert boundary_sources(db) == {shipped_copy.shipped_source("35.23"): 328}
    from tests.conftest import reading

    with reading(db) as con:
        assert con.execute("select count(*) from audit where aksi = 'batas_wilayah' and objek = ?", [shipped_copy.shipped_source("35.23")]).fetchone()[0] == 1
    assert not [b for b in at.button if b.key == "batas_bawaan"]  # nothing missing any more: no button
    at = run_app(monkeypatch, db, "pages/peta.py")
    assert not at.exception and len(at.get("plotly_chart")) == 1


def test_ringkasan_says_why_its_map_is_missing(monkeypatch, tmp_path):
    from tests.test_pages import run_app

    at = run_app(monkeypatch, no_boundaries(tmp_path))
    at.session_state["ringkasan_rinci"] = "Per wilayah"
    at.run()
    assert not at.exception
    assert any("Batas wilayah desa belum dipasang" in i.value for i in at.info)
