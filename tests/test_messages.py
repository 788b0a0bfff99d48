"""Bad input and broken setups get a clear Indonesian message naming the file, and change nothing (issue 12)."""

from __future__ import annotations

import json
import shutil
import tomllib

import duckdb
import pytest

from etl.read.sheets import MAX_FILE_BYTES
from tests import reportfiles as rf
from tests.conftest import REPO, check, run_etl, table_fingerprint
from tests.test_pages import run_app

ENGLISH = ("Error", "error", "exception", "Traceback", "not a valid", "Operation not permitted", "Permission denied",
           "Is a directory", "AttributeError", "tak terduga", "nan'", "not ", " file")


def no_english(text: str) -> None:
    for word in ENGLISH:
        assert word not in text, (word, text)


@pytest.fixture()
def fresh_db(empty_db, tmp_path):
    target = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, target)
    return target


# Boundaries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content", [("batas.csv", "kode,nama\n35.23.01.2001,Jlodro\n"), ("batas.kml", "<kml/>"),
                                           ("batas.zip", "bukan zip")])
def test_boundaries_from_a_file_that_is_not_gis_names_the_accepted_formats(fresh_db, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    before = table_fingerprint(fresh_db)
    r = run_etl("boundaries", str(path), db=fresh_db)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("Gagal: ") and name in r.stderr
    for fmt in ("GeoJSON", "GeoPackage", "Shapefile", ".zip"):
        assert fmt in r.stderr
    no_english(r.stderr)
    assert table_fingerprint(fresh_db) == before


# --report-json -----------------------------------------------------------------------------------


def test_report_json_path_that_cannot_be_written_is_refused_before_anything_is_saved(fresh_db, tmp_path):
    report = tmp_path / "laporan.csv"
    report.write_bytes(rf.long_csv([{"kecamatan": "Soko", "desa": "Menilo", "indikator": "FM", "periode": "2026-10", "jumlah": 3}]))
    before = table_fingerprint(fresh_db)
    folder = tmp_path / "hasil"
    folder.mkdir()
    not_a_folder = report / "hasil.json"
    for target in (folder, not_a_folder):
        r = run_etl("import", "--report-json", str(target), str(report), db=fresh_db)
        assert r.returncode == 2, r.stdout + r.stderr
        assert str(target) in r.stderr and "--report-json" in r.stderr and "tidak ada yang diimpor" in r.stderr
        no_english(r.stderr)
        assert table_fingerprint(fresh_db) == before
    assert list(folder.iterdir()) == []
    good = tmp_path / "hasil.json"
    check(run_etl("import", "--report-json", str(good), str(report), db=fresh_db))
    assert json.loads(good.read_text(encoding="utf-8"))["files"][0]["status"] == "accepted"


# Sheets of CSV issues ----------------------------------------------------------------------------


def test_issue_of_a_csv_imported_with_a_workbook_has_no_sheet(demo_db):
    """A CSV has no sheet: its issues name none, also when a workbook of the same import has sheets."""
    import io
    from datetime import date

    from etl.cli.reports import check_files, print_report
    from etl.read.sandbox import SheetReader

    form = rf.form_xlsx("Menilo", "Soko", "November 2026", {"Fakir Miskin": 4})
    far = rf.long_csv([{"kecamatan": "Montong", "desa": "Pakel", "indikator": "FM", "periode": "2026-11", "jumlah": 9999}])
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        with SheetReader() as reader:
            results = check_files(con, [("menilo.xlsx", form, None), ("pakel.csv", far, None)], reader, replace=False,
                                  today=date(2026, 11, 30))
    finally:
        con.close()
    csv_issues = results[1].issues
    assert any("riwayat" in i.message for i in csv_issues)
    assert all(i.sheet is None for i in csv_issues)
    assert all(i["sheet"] is None for i in results[1].to_json()["issues"])
    out = io.StringIO()
    print_report(results, demo_db, dry_run=True, batch=None, out=out)
    assert "pakel.csv, baris 2, kolom E: Pakel" in out.getvalue()
    assert "'nan'" not in out.getvalue()


# CSV that the csv module cannot read -------------------------------------------------------------


def test_csv_with_a_huge_cell_or_too_many_columns_is_refused_in_indonesian(fresh_db, tmp_path):
    huge = tmp_path / "sel_besar.csv"
    huge.write_bytes(b"kecamatan,desa,indikator,periode,jumlah\nSoko,Menilo,FM,2026-10," + b"9" * 15_000_000 + b"\n")
    wide = tmp_path / "lebar.csv"
    wide.write_bytes((",".join(f"k{i}" for i in range(200_000)) + "\n" + ",".join("1" for _ in range(200_000)) + "\n").encode())
    before = table_fingerprint(fresh_db)
    r = run_etl("import", str(huge), str(wide), db=fresh_db)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "sel_besar.csv: berkas tidak dapat dibaca: sel pada baris 2 lebih panjang dari 131.072 karakter" in r.stdout
    assert "lebar.csv: berkas tidak dapat dibaca: baris 1 berisi 200.000 kolom; batasnya 16.384 kolom" in r.stdout
    no_english(r.stdout + r.stderr)
    assert table_fingerprint(fresh_db) == before


# A warehouse path that is not a warehouse --------------------------------------------------------


@pytest.mark.parametrize("command", ["init", "status", "demo"])
def test_warehouse_path_that_is_not_a_duckdb_file_or_is_a_folder(tmp_path, command):
    other = tmp_path / "catatan.duckdb"
    other.write_bytes(b"bukan basis data " * 200)
    r = run_etl(command, db=other)
    assert r.returncode == 1, r.stderr
    assert f"Berkas {other} bukan basis data DuckDB" in r.stderr and "python -m etl init" in r.stderr
    no_english(r.stderr)
    assert other.read_bytes() == b"bukan basis data " * 200
    r = run_etl(command, db=tmp_path)
    assert r.returncode == 1 and f"{tmp_path} adalah folder" in r.stderr, r.stderr
    no_english(r.stderr)


@pytest.mark.parametrize("text", ['IO Error: Cannot open file "{p}": Operation not permitted',
                                  'IO Error: Cannot open file "{p}.wal": Read-only file system',
                                  'IO Error: Cannot open file "{p}": Permission denied'])
def test_warehouse_the_system_refuses_to_open(monkeypatch, capsys, empty_db, text):
    """A read-only folder or file (the tests run as root, so the system's refusal is simulated)."""
    from etl.cli import main as cli

    def refuse(path, read_only=False):
        raise duckdb.IOException(text.format(p=path))

    monkeypatch.setattr(duckdb, "connect", refuse)
    monkeypatch.setenv("PMKS_DB", str(empty_db))
    for command in (["status"], ["init"], ["import", str(REPO / "README.md")]):
        assert cli.main(command) == 2
        err = capsys.readouterr().err
        assert f"Tidak ada izin untuk membuka atau menulis basis data {empty_db}" in err and "administrator" in err
        no_english(err)


def test_app_on_a_file_that_is_not_a_warehouse(monkeypatch, tmp_path):
    other = tmp_path / "catatan.duckdb"
    other.write_bytes(b"bukan basis data " * 200)
    at = run_app(monkeypatch, other)
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "tidak dapat dibuka" in shown and "admin" in shown
    assert str(tmp_path) not in shown and "catatan.duckdb" not in shown  # no server path in front of a user
    no_english(shown)
    from etl.cli import main as cli

    assert cli.main(["status", "--db", str(other)]) == 1  # the administrator's command line names the file


# Upload size -------------------------------------------------------------------------------------


def test_streamlit_lets_the_page_refuse_oversized_files_itself():
    """Streamlit's own refusal is English, so its limit sits above ours."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] > MAX_FILE_BYTES / 1048576


def test_upload_over_the_limit_is_refused_in_indonesian_naming_file_and_limit(monkeypatch, fresh_db):
    from tests.test_upload import upload

    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    limit = MAX_FILE_BYTES // 1048576
    assert any(".xlsx, .xlsm, .xls, .ods dan .csv" in c.value and f"{limit} MB" in c.value for c in at.caption)
    big = b"kecamatan,desa,indikator,periode,jumlah\n" + b"Soko,Menilo,FM,2026-10,1\n" * (MAX_FILE_BYTES // 25 + 10)
    before = table_fingerprint(fresh_db)
    upload(at, ("besar.csv", big))
    shown = " ".join(e.value for e in at.error)
    assert "besar.csv" in shown and f"melebihi batas {limit} MB" in shown
    assert not at.dataframe  # nothing was read, nothing to save
    no_english(shown)
    assert table_fingerprint(fresh_db) == before


def test_browser_upload_over_the_limit_gets_the_indonesian_message(app_server, page, tmp_path):
    """In a real browser Streamlit's own (English) refusal must not come first: the page's message does."""
    from tests.test_browser import wait_until_idle

    path = tmp_path / "rekap_besar.csv"
    path.write_bytes(b"kecamatan,desa,indikator,periode,jumlah\n" + b"Soko,Menilo,FM,2026-10,1\n" * (MAX_FILE_BYTES // 25 + 10))
    page.goto(f"{app_server.url}/unggah", wait_until="networkidle")
    wait_until_idle(page)
    assert "paling besar 20 mb per berkas" in page.inner_text("body").lower()
    assert "MB per file" not in page.inner_text("body")  # Streamlit's own hint (English, its larger limit) is hidden
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    page.get_by_text("melebihi batas 20 MB").wait_for(timeout=60_000)
    wait_until_idle(page)
    body = page.inner_text("body")
    assert "rekap_besar.csv" in body and "must be" not in body and "Traceback" not in body
