"""Importing PSM reports: layouts, cleaning, matching, validation rules and commit rules.

Every fixture file is generated here (tests/reportfiles.py); expected codes come from a few desa typed by hand
(tests/fixtures/desa_contoh.csv), not from the code under test.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime

import duckdb
import pytest

from etl.cli.reports import check_files
from etl.read.sandbox import SheetReader
from tests import reportfiles as rf
from tests.conftest import check, run_etl, sample_codes, table_fingerprint

TODAY = date(2026, 11, 27)
OKT = date(2026, 10, 1)


@pytest.fixture(scope="module")
def codes() -> dict[tuple[str, str], str]:
    """(kecamatan, desa) -> official code, typed by hand."""
    return sample_codes()


@pytest.fixture(scope="module")
def reader():
    with SheetReader(timeout=20) as r:
        yield r


@pytest.fixture()
def fresh_db(empty_db, tmp_path):
    target = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, target)
    return target


def analyse(db, files, reader, replace=False, today=TODAY):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return check_files(con, [(name, data, None) for name, data in files], reader, replace=replace, today=today)
    finally:
        con.close()


def one(db, name, data, reader, **kw):
    return analyse(db, [(name, data)], reader, **kw)[0]


def values_of(result) -> dict[tuple[str, str], int]:
    return {(r.kode_desa, r.kode_indikator): r.jumlah for r in result.values.itertuples()}


FORM_VALUES = {"Anak Balita Terlantar": 3, "Anak Terlantar": (2, 4), "ABH": "1", "Anak Jalanan": "-", "ADK": "5 orang",
               "Lanjut Usia Terlantar": (7, 9), "Penyandang Disabilitas": "1.234", "ODHA": None, "Korban Trafficking": 0,
               "PMBS": 2, "PRSE": (0, 6), "Fakir Miskin": 12, "KAT": ""}
FORM_EXPECTED = {"ABT": 3, "AT": 6, "ABH": 1, "AJ": 0, "ADK": 5, "LUT": 16, "PD": 1234, "ODHA": 0, "KTR": 0, "PMBS": 2, "PRSE": 6, "FM": 12, "KAT": 0}


# Layouts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("style", ["colon", "adjacent", "colon-cell"])
def test_form_layout_in_every_header_style(fresh_db, reader, codes, style):
    data = rf.form_xlsx("Ds. Menilo", "Soko", "Oktober 2026", FORM_VALUES, style=style)
    result = one(fresh_db, "menilo.xlsx", data, reader)
    assert result.status == "accepted", result.issues
    assert result.issues == []
    assert result.layouts == ["form"]
    desa = codes[("Soko", "Menilo")]
    assert values_of(result) == {(desa, k): v for k, v in FORM_EXPECTED.items()}
    (report,) = result.to_json()["reports"]
    assert report == {"kode_desa": desa, "periode": "2026-10", "values": 13, "jumlah": sum(FORM_EXPECTED.values()), "sheet": "Laporan"}
    by_code = {r.kode_indikator: r for r in result.values.itertuples()}
    assert (by_code["AT"].laki_laki, by_code["AT"].perempuan) == (2, 4)
    assert by_code["FM"].laki_laki is None or by_code["FM"].laki_laki != by_code["FM"].laki_laki  # not given
    # the row of each value is the Excel row: title 2 rows, 4 fields, blank, header on row 9, group heading on row 10
    assert by_code["ABT"].baris == 11 and by_code["AT"].baris == 12
    assert set(result.reports["nama_psm"]) == {"Siti Aminah"}


def test_form_with_excel_date_month_and_no_kecamatan_for_unique_name(fresh_db, reader, codes):
    data = rf.form_xlsx("Menilo", None, datetime(2026, 9, 1), {"Fakir Miskin": 4, "Pengemis": 1}, style="adjacent")
    result = one(fresh_db, "menilo.xlsx", data, reader)
    assert result.status == "accepted", result.issues
    assert set(result.reports["periode"]) == {date(2026, 9, 1)}
    assert values_of(result) == {(codes[("Soko", "Menilo")], "FM"): 4, (codes[("Soko", "Menilo")], "PGM"): 1}


@pytest.mark.parametrize("header", ["one", "group", "lp"])
def test_kecamatan_recap_layouts(fresh_db, reader, codes, header):
    names = ["Sumurgung", "Pakel", "Guwoterus"]
    if header == "lp":
        rows = {n: {"Fakir Miskin": (i + 1, i + 2), "Lanjut Usia Terlantar": (0, i), "Penyandang Disabilitas": (3, 1)} for i, n in enumerate(names)}
        expected = {(codes[("Montong", n)], k): v for i, n in enumerate(names) for k, v in (("FM", 2 * i + 3), ("LUT", i), ("PD", 4))}
    else:
        rows = {n: {"Fakir Miskin": 10 + i, "Lansia Terlantar": i, "Anak Jalanan": None, "ODHA": "2"} for i, n in enumerate(names)}
        expected = {(codes[("Montong", n)], k): v for i, n in enumerate(names) for k, v in (("FM", 10 + i), ("LUT", i), ("AJ", 0), ("ODHA", 2))}
    data = rf.recap_xlsx("Montong", "Oktober 2026", rows, header=header)
    result = one(fresh_db, "rekap_montong.xlsx", data, reader)
    assert result.status == "accepted", result.issues
    assert result.issues == []
    assert result.layouts == ["wide"]
    assert values_of(result) == expected
    assert set(result.reports["periode"]) == {OKT}
    # Sumurgung of Montong, not of Tuban or Palang
    assert codes[("Montong", "Sumurgung")] in set(result.reports["kode_desa"])


def test_long_table_csv_variants(fresh_db, reader, codes):
    records = [
        {"kecamatan": "Palang", "desa": "Sumurgung", "indikator": "Fakir Miskin", "periode": "Okt-26", "jumlah": "1.234"},
        {"kecamatan": "Palang", "desa": "Sumurgung", "indikator": "PRSE", "periode": "10/2026", "jumlah": "5 orang"},
        {"kecamatan": "Tuban", "desa": "Kel. Sumurgung", "indikator": "Korban Perdagangan Orang", "periode": "2026-09", "jumlah": "-"},
        {"kecamatan": "Tuban", "desa": "Sumurgung", "indikator": "KAT", "periode": "September 2026", "jumlah": ""},
        {"kecamatan": "Soko", "desa": "MENILO", "indikator": "Penyandang Cacat", "periode": "2026-10-01", "jumlah": "7"},
    ]
    expected = {
        (codes[("Palang", "Sumurgung")], "FM", OKT): 1234, (codes[("Palang", "Sumurgung")], "PRSE", OKT): 5,
        (codes[("Tuban", "Sumurgung")], "KTR", date(2026, 9, 1)): 0, (codes[("Tuban", "Sumurgung")], "KAT", date(2026, 9, 1)): 0,
        (codes[("Soko", "Menilo")], "PD", OKT): 7,
    }
    headers = {"jumlah": "Jumlah (jiwa)", "indikator": "Jenis PMKS", "desa": "Nama Desa/Kelurahan", "periode": "Bulan", "kecamatan": "Kec."}
    variants = [
        rf.long_csv(records, delimiter=",", headers={k: k for k in ("kecamatan", "desa", "indikator", "periode", "jumlah")}),
        rf.long_csv(records, delimiter=";", headers=headers),
        rf.long_csv(records, delimiter=";", headers=headers, bom=True),
        rf.long_csv([{**r, "psm": "Siti Ma’rifah"} for r in records], delimiter=",", encoding="cp1252", headers={**headers, "psm": "Nama PSM"}),
    ]
    for i, data in enumerate(variants):
        result = one(fresh_db, f"panjang{i}.csv", data, reader)
        assert result.status == "accepted", (i, result.issues)
        assert result.layouts == ["long"]
        got = {(r.kode_desa, r.kode_indikator, r.periode): r.jumlah for r in result.values.itertuples()}
        assert got == expected, i
        assert len(result.reports) == 3
    assert set(result.reports["nama_psm"]) == {"Siti Ma’rifah"}  # Windows-1252 (’ is byte 0x92) decoded


def test_cp1252_names_and_long_xlsx_with_title(fresh_db, reader, codes):
    records = [{"kecamatan": "Soko", "desa": "Menilo", "indikator": "Lansia Terlantar", "periode": "Oktober 2026", "jumlah": 3, "l": 1, "p": 2}]
    headers = {"kecamatan": "KECAMATAN", "desa": "DESA", "indikator": "PPKS", "periode": "PERIODE", "l": "L", "p": "P", "jumlah": "JML"}
    data = rf.long_xlsx(records, headers, title="Data PMKS Kabupaten Tuban — ekspor aplikasi desa")
    result = one(fresh_db, "ekspor.xlsx", data, reader)
    assert result.status == "accepted", result.issues
    row = result.values.iloc[0]
    assert (row.kode_desa, row.kode_indikator, row.laki_laki, row.perempuan, row.jumlah) == (codes[("Soko", "Menilo")], "LUT", 1, 2, 3)
    assert row.baris == 4  # title, blank, header, data


def test_long_table_in_ods(fresh_db, reader, codes):
    records = [{"kecamatan": "Soko", "desa": "Menilo", "indikator": "Fakir Miskin", "periode": "Oktober 2026", "jumlah": 9},
               {"kecamatan": "Montong", "desa": "Pakel", "indikator": "ODHA", "periode": "September 2026", "jumlah": 1}]
    data = rf.long_ods(records, {"kecamatan": "Kecamatan", "desa": "Desa", "indikator": "Indikator", "periode": "Periode", "jumlah": "Jumlah"})
    result = one(fresh_db, "libreoffice.ods", data, reader)
    assert result.status == "accepted", result.issues
    assert {(r.kode_desa, r.kode_indikator, r.periode, r.jumlah, r.baris) for r in result.values.itertuples()} == {
        (codes[("Soko", "Menilo")], "FM", OKT, 9, 2), (codes[("Montong", "Pakel")], "ODHA", date(2026, 9, 1), 1, 3)}


def test_several_sheets_each_its_own_report(fresh_db, reader, codes):
    sheets = [
        dict(desa="Menilo", kecamatan="Soko", bulan="Oktober 2026", values={"Fakir Miskin": 5}, sheet="Menilo"),
        dict(desa="Sumurgung", kecamatan="Montong", bulan="Oktober 2026", values={"Fakir Miskin": 8}, sheet="Sumurgung"),
        dict(desa="Sumurgung", kecamatan="Palang", bulan="September 2026", values={"Fakir Miskin": 9}, sheet="Sumurgung Palang"),
    ]
    data = rf.form_xlsx(None, None, None, None, book_sheets=sheets)
    result = one(fresh_db, "gabungan.xlsx", data, reader)
    assert result.status == "accepted", result.issues
    assert sorted((r["kode_desa"], r["periode"], r["jumlah"], r["sheet"]) for r in result.to_json()["reports"]) == sorted([
        (codes[("Soko", "Menilo")], "2026-10", 5, "Menilo"),
        (codes[("Montong", "Sumurgung")], "2026-10", 8, "Sumurgung"),
        (codes[("Palang", "Sumurgung")], "2026-09", 9, "Sumurgung Palang"),
    ])


# Matching ---------------------------------------------------------------------------------------

def test_near_miss_desa_is_accepted_with_warning_and_alias_removes_it(fresh_db, reader, codes):
    data = rf.form_xlsx("Ds. Sumurgong", "Kec. Montong", "Oktober 2026", {"Fakir Miskin": 5})
    result = one(fresh_db, "f.xlsx", data, reader)
    assert result.status == "accepted"
    assert set(result.reports["kode_desa"]) == {codes[("Montong", "Sumurgung")]}
    (warning,) = result.warnings
    assert "Sumurgong" in warning.message and "Sumurgung" in warning.message
    assert (warning.sheet, warning.row, warning.column) == ("Laporan", 4, "A")
    check(run_etl("alias", "Ds. Sumurgong", "--desa", codes[("Montong", "Sumurgung")], db=fresh_db))
    again = one(fresh_db, "f.xlsx", data, reader)
    assert again.status == "accepted" and again.issues == []


def test_unknown_desa_lists_candidates_and_wrong_kecamatan_names_the_right_one(fresh_db, reader, codes):
    bad = rf.recap_xlsx("Montong", "Oktober 2026", {"Sumurgung": {"FM": 1, "PD": 2, "LUT": 3}, "Menilo": {"FM": 1, "PD": 2, "LUT": 3},
                                                      "Pakel Kulon": {"FM": 1, "PD": 2, "LUT": 3}})
    result = one(fresh_db, "rekap.xlsx", bad, reader)
    assert result.status == "rejected"
    errors = {(e.row, e.column): e for e in result.errors}
    menilo = errors[(7, "B")]
    assert "tidak berada di Kecamatan Montong" in menilo.message and "Menilo (Kec. Soko)" in menilo.message
    unknown = errors[(8, "B")]
    assert "tidak ditemukan di Kecamatan Montong" in unknown.message
    assert unknown.suggestion.startswith("mungkin: ") and codes[("Montong", "Pakel")] in unknown.suggestion
    assert len(result.errors) == 2


def test_desa_name_shared_by_three_kecamatan_needs_a_kecamatan(fresh_db, reader, codes):
    data = rf.long_csv([{"desa": "Sumurgung", "indikator": "FM", "periode": "2026-10", "jumlah": 1}],
                       headers={"desa": "desa", "indikator": "indikator", "periode": "periode", "jumlah": "jumlah"})
    result = one(fresh_db, "x.csv", data, reader)
    (error,) = result.errors
    assert "ada di 3 kecamatan" in error.message
    assert all(codes[(k, "Sumurgung")] in error.suggestion for k in ("Montong", "Tuban", "Palang"))
    assert (error.row, error.column) == (2, "A")


def test_indicator_names_short_names_and_unknown(fresh_db, reader, codes):
    names = {"ABH": "ABH", "ADK": "ADK", "ODHA": "Orang dengan HIV/AIDS (ODHA)", "PMBS": "pmbs", "PRSE": "Wanita Rawan Sosial Ekonomi",
             "KAT": "Komunitas Adat Terpencil", "NAPZA": "Korban Penyalahgunaan NAPZA", "BWBLP": "Eks Napi", "TS": "Tuna Susila",
             "KBSP": "Keluarga Bermasalah Sosial Psikologis", "LUT": "Lanjut usia  terlantar", "GLD": "GELANDANGAN"}
    records = [{"kecamatan": "Soko", "desa": "Menilo", "indikator": text, "periode": "2026-10", "jumlah": i} for i, text in enumerate(names.values())]
    result = one(fresh_db, "x.csv", rf.long_csv(records), reader)
    assert result.status == "accepted", result.issues
    assert {r.kode_indikator: r.jumlah for r in result.values.itertuples()} == {code: i for i, code in enumerate(names)}
    bad = one(fresh_db, "y.csv", rf.long_csv([{**records[0], "indikator": "Anak Jalana"}, {**records[0], "indikator": "Korban Banjir Bandang"}]), reader)
    assert bad.status == "rejected"
    warn = [w for w in bad.warnings if "Anak Jalana" in w.message]
    assert warn and "Anak Jalanan (AJ)" in warn[0].message  # a typo is read with a warning
    (error,) = bad.errors
    assert "jenis PMKS 'Korban Banjir Bandang' tidak dikenal" in error.message and (error.row, error.column) == (3, "C")


# Cleaning and validation rules --------------------------------------------------------------

def test_sex_split_must_add_up(fresh_db, reader):
    data = rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": (3, 4), "Pengemis": 2})
    result = one(fresh_db, "f.xlsx", data, reader)
    assert result.status == "accepted"
    import io

    import openpyxl  # noqa: E401

    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active["E11"] = 8  # L 3 + P 4 = 7, not 8
    out = io.BytesIO()
    book.save(out)
    bad = one(fresh_db, "f2.xlsx", out.getvalue(), reader)
    (error,) = bad.errors
    assert (error.sheet, error.row, error.column) == ("Laporan", 11, "E")
    assert "3 + 4 = 7" in error.message and "8" in error.message


@pytest.mark.parametrize("cell, message", [("2,5", "bukan bilangan bulat"), ("-3", "negatif"), ("banyak", "bukan angka")])
def test_counts_must_be_whole_numbers(fresh_db, reader, cell, message):
    data = rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Anak Terlantar": 1, "Fakir Miskin": cell})
    result = one(fresh_db, "f.xlsx", data, reader)
    (error,) = result.errors
    assert (error.row, error.column) == (12, "E") and message in error.message


def test_duplicates_in_one_file(fresh_db, reader, codes):
    base = {"kecamatan": "Soko", "desa": "Menilo", "periode": "2026-10"}
    same = rf.long_csv([{**base, "indikator": "FM", "jumlah": 4}, {**base, "indikator": "Fakir Miskin", "jumlah": 4}])
    result = one(fresh_db, "same.csv", same, reader)
    assert result.status == "accepted"
    assert values_of(result) == {(codes[("Soko", "Menilo")], "FM"): 4}
    (warning,) = result.warnings
    assert warning.row == 3 and "dua kali" in warning.message
    differ = rf.long_csv([{**base, "indikator": "FM", "jumlah": 4}, {**base, "indikator": "Fakir Miskin", "jumlah": 5}])
    bad = one(fresh_db, "differ.csv", differ, reader)
    (error,) = bad.errors
    assert error.row == 3 and "nilai berbeda (4 dan 5" in error.message


def test_future_month_is_refused(fresh_db, reader):
    data = rf.form_xlsx("Menilo", "Soko", "Desember 2026", {"Fakir Miskin": 1})
    (error,) = one(fresh_db, "f.xlsx", data, reader).errors
    assert "Desember 2026 belum tiba" in error.message
    assert one(fresh_db, "f.xlsx", data, reader, today=date(2026, 12, 5)).status == "accepted"


def test_unreadable_month_names_the_cell(fresh_db, reader):
    data = rf.form_xlsx("Menilo", "Soko", "bulan lalu", {"Fakir Miskin": 1}, style="colon-cell")
    (error,) = one(fresh_db, "f.xlsx", data, reader).errors
    assert (error.row, error.column) == (6, "C") and "'bulan lalu' tidak terbaca" in error.message


def test_jump_from_village_history_is_a_warning(demo_db, reader, codes):
    con = duckdb.connect(str(demo_db), read_only=True)
    desa = codes[("Soko", "Menilo")]
    history = [r[0] for r in con.execute(
        "select jumlah from pmks_counts where kode_desa = ? and kode_indikator = 'FM' and periode < date '2026-10-01' order by periode desc limit 24", [desa]).fetchall()]
    con.close()
    import statistics

    median = statistics.median(history)
    ok_value, far_value = int(median), int(median * 3 + 50)
    records = [{"kecamatan": "Soko", "desa": "Menilo", "indikator": "FM", "periode": "2026-11", "jumlah": v} for v in (ok_value,)]
    quiet = one(demo_db, "a.csv", rf.long_csv(records), reader, today=date(2026, 11, 30))
    assert quiet.status == "accepted" and not [w for w in quiet.warnings if "riwayat" in w.message]
    loud = one(demo_db, "b.csv", rf.long_csv([{**records[0], "jumlah": far_value}]), reader, today=date(2026, 11, 30))
    (warning,) = [w for w in loud.warnings if "riwayat" in w.message]
    assert loud.status == "accepted" and warning.row == 2 and f"median {int(median)}" in warning.message


# Commit rules ----------------------------------------------------------------------------------

def test_accepted_file_is_written_with_provenance_and_reimport_is_a_noop(fresh_db, tmp_path, codes):
    path = tmp_path / "menilo_okt.xlsx"
    path.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", FORM_VALUES))
    out = check(run_etl("import", str(path), "--report-json", str(tmp_path / "r.json"), db=fresh_db, env={"PMKS_USER": "analis1"}))
    assert "DITERIMA" in out.stdout and "1 laporan desa" in out.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    (file,) = report["files"]
    assert file["status"] == "accepted" and file["issues"] == []
    assert file["reports"] == [{"kode_desa": codes[("Soko", "Menilo")], "periode": "2026-10", "values": 13, "jumlah": sum(FORM_EXPECTED.values()), "sheet": "Laporan"}]
    con = duckdb.connect(str(fresh_db), read_only=True)
    rows = con.execute("""
        select l.nama_berkas, l.sheet, l.sha256, b.pengguna, b.jenis, n.kode_indikator, n.jumlah, n.baris, n.kolom
        from laporan l join impor_batch b on b.id = l.batch_id join laporan_nilai n on n.laporan_id = l.id where l.aktif
    """).fetchall()
    files = con.execute("select nama_berkas, jumlah_laporan, ukuran from berkas_impor").fetchall()
    con.close()
    import hashlib

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert {(r[0], r[1], r[2], r[3], r[4]) for r in rows} == {("menilo_okt.xlsx", "Laporan", digest, "analis1", "impor")}
    assert {r[5]: r[6] for r in rows} == FORM_EXPECTED
    assert {r[5]: (r[7], r[8]) for r in rows}["FM"] == (24, "E")  # 3 group headings above it
    assert files == [("menilo_okt.xlsx", 1, path.stat().st_size)]
    before = table_fingerprint(fresh_db)
    again = check(run_etl("import", str(path), db=fresh_db))
    assert "TIDAK BERUBAH" in again.stdout and "sudah diimpor" in again.stdout
    assert table_fingerprint(fresh_db) == before


def test_existing_report_needs_replace_and_the_difference_is_reported(fresh_db, tmp_path, codes):
    first = tmp_path / "a.xlsx"
    first.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 12, "Pengemis": 1}))
    check(run_etl("import", str(first), db=fresh_db))
    second = tmp_path / "b.xlsx"
    second.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 19, "Pengemis": 1}, psm="Budi"))
    before = table_fingerprint(fresh_db)
    refused = run_etl("import", str(second), db=fresh_db)
    assert refused.returncode == 1 and "sudah ada" in refused.stdout and "--replace" in refused.stdout
    assert "Menilo, Fakir Miskin: 12 → 19" in refused.stdout
    assert table_fingerprint(fresh_db) == before
    dry = check(run_etl("import", str(second), "--replace", "--dry-run", db=fresh_db))
    assert "Menilo, Fakir Miskin: 12 → 19" in dry.stdout and table_fingerprint(fresh_db) == before
    done = check(run_etl("import", str(second), "--replace", db=fresh_db))
    assert "Menilo, Fakir Miskin: 12 → 19" in done.stdout and "Pengemis" not in done.stdout
    con = duckdb.connect(str(fresh_db), read_only=True)
    active = con.execute("select jumlah from pmks_counts where kode_indikator = 'FM'").fetchall()
    old = con.execute("select n.jumlah, l.nama_berkas, l.diganti_batch is not null from laporan l join laporan_nilai n on n.laporan_id = l.id where not l.aktif and n.kode_indikator = 'FM'").fetchall()
    audit = con.execute("select rincian from audit where aksi = 'ganti_laporan'").fetchall()
    con.close()
    assert active == [(19,)] and old == [(12, "a.xlsx", True)]
    assert json.loads(audit[0][0])["perubahan"] == ["Menilo, Fakir Miskin: 12 → 19"]


def test_rejected_file_changes_nothing_and_good_files_of_the_run_are_kept(fresh_db, tmp_path):
    good = tmp_path / "baik.xlsx"
    good.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 3}))
    bad = tmp_path / "buruk.xlsx"
    bad.write_bytes(rf.form_xlsx("Menilo", "Soko", "September 2026", {"Fakir Miskin": 3, "Pengemis": "dua"}))
    before = table_fingerprint(fresh_db)
    only_bad = run_etl("import", str(bad), db=fresh_db)
    assert only_bad.returncode == 1 and "Traceback" not in only_bad.stderr
    assert "buruk.xlsx, lembar 'Laporan', baris 12, kolom E: jumlah: 'dua' bukan angka" in only_bad.stdout
    assert table_fingerprint(fresh_db) == before
    both = run_etl("import", str(good), str(bad), "--report-json", str(tmp_path / "r.json"), db=fresh_db)
    assert both.returncode == 1
    statuses = [(f["file"], f["status"]) for f in json.loads((tmp_path / "r.json").read_text())["files"]]
    assert statuses == [("baik.xlsx", "accepted"), ("buruk.xlsx", "rejected")]
    con = duckdb.connect(str(fresh_db), read_only=True)
    assert con.execute("select count(*), min(nama_berkas) from laporan").fetchone() == (1, "baik.xlsx")
    con.close()


def test_two_files_of_one_run_for_the_same_desa_month(fresh_db, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 3}))
    b.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 4}))
    result = run_etl("import", str(a), str(b), db=fresh_db)
    assert result.returncode == 1 and "juga ada di berkas 'a.xlsx'" in result.stdout


def test_template_is_read_back_without_warnings(fresh_db, tmp_path, codes):
    import openpyxl

    out = tmp_path / "formulir.xlsx"
    check(run_etl("template", "--out", str(out), "--kecamatan", codes[("Soko", "Menilo")][:8], db=fresh_db))
    book = openpyxl.load_workbook(out)
    sheet = book["Formulir"]
    assert book["Daftar"].sheet_state == "hidden"
    validations = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    assert validations["C4"][0] == "list" and validations["C3"] == ("list", "DaftarKecamatan")
    assert validations["C9:E34"][0] == "whole"
    assert [sheet.cell(r, 2).value for r in range(9, 35)][:2] == ["Anak Balita Terlantar", "Anak Terlantar"]
    sheet["C4"], sheet["C5"], sheet["C6"] = "Menilo", "Oktober 2026", "Siti"
    for r in range(9, 35):
        sheet.cell(r, 3, r % 3)
        sheet.cell(r, 4, r % 2)
    book.save(out)
    result = run_etl("import", str(out), "--report-json", str(tmp_path / "r.json"), db=fresh_db)
    check(result)
    (file,) = json.loads((tmp_path / "r.json").read_text())["files"]
    assert file["issues"] == [] and file["status"] == "accepted"
    assert file["reports"] == [{"kode_desa": codes[("Soko", "Menilo")], "periode": "2026-10", "values": 26,
                                "jumlah": sum(r % 3 + r % 2 for r in range(9, 35)), "sheet": "Formulir"}]


def test_template_for_whole_kabupaten_uses_dependent_desa_list(fresh_db, tmp_path):
    import openpyxl

    out = tmp_path / "formulir.xlsx"
    check(run_etl("template", "--out", str(out), db=fresh_db))
    sheet = openpyxl.load_workbook(out)["Formulir"]
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert "INDIRECT" in validations["C4"]
    bad = run_etl("template", "--out", str(out), "--kecamatan", "35.99.99", db=fresh_db)
    assert bad.returncode == 1 and "tidak ada" in bad.stderr


# Files that are not reports -------------------------------------------------------------

HOSTILE = {
    "kosong.xlsx": lambda: _empty_workbook(),
    "gambar.xlsx": rf.png_bytes,
    "nol.csv": lambda: b"",
    "terkunci.xlsx": rf.encrypted_xlsx,
    "rusak.xlsx": lambda: rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 1})[:1500],
    "sejuta.xlsx": lambda: rf.many_rows_xlsx(1_000_000),
    "bom_xml.xlsx": rf.xml_bomb_xlsx,
    "bom_zip.xlsx": rf.zip_bomb_xlsx,
    "sel_jauh.xlsx": rf.far_cell_xlsx,
    "laporan.pdf": lambda: b"%PDF-1.4 not a spreadsheet",
}
HOSTILE_MESSAGES = {
    "kosong.xlsx": "tidak ada laporan PMKS", "gambar.xlsx": "bukan lembar kerja", "nol.csv": "berkas kosong",
    "terkunci.xlsx": "kata sandi", "rusak.xlsx": "rusak", "sejuta.xlsx": "batasnya 250.000 baris", "bom_xml.xlsx": "XML bomb",
    "bom_zip.xlsx": "zip bomb", "sel_jauh.xlsx": "di luar batas wajar", "laporan.pdf": "tidak didukung",
}


def _empty_workbook() -> bytes:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Sheet1")
    book.close()
    return buffer.getvalue()


def test_files_that_are_not_reports_are_rejected_clearly(fresh_db, tmp_path):
    paths = []
    for name, make in HOSTILE.items():
        path = tmp_path / name
        path.write_bytes(make())
        paths.append(str(path))
    before = table_fingerprint(fresh_db)
    result = run_etl("import", *paths, "--report-json", str(tmp_path / "r.json"), db=fresh_db, env={"PMKS_PARSE_TIMEOUT": "20"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout and "panicked" not in result.stderr + result.stdout
    files = {f["file"]: f for f in json.loads((tmp_path / "r.json").read_text())["files"]}
    for name, expected in HOSTILE_MESSAGES.items():
        assert files[name]["status"] == "rejected", name
        (issue,) = files[name]["issues"]
        assert issue["severity"] == "error" and expected in issue["message"], (name, issue)
    assert table_fingerprint(fresh_db) == before


def test_sandbox_survives_a_crashing_file_and_reads_the_next(reader):
    from etl.read.sheets import Unreadable

    with pytest.raises(Unreadable, match="di luar batas wajar"):
        reader.read(rf.far_cell_xlsx(), "a.xlsx")
    sheets = reader.read(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 1}), "b.xlsx")
    assert sheets[0].name == "Laporan" and any("Menilo" in str(c) for row in sheets[0].rows for c in row)


def test_import_usage_errors(fresh_db, tmp_path):
    missing = run_etl("import", str(tmp_path / "tidak_ada.xlsx"), db=fresh_db)
    assert missing.returncode == 2 and "tidak ada" in missing.stderr
    none = run_etl("import", db=fresh_db)
    assert none.returncode == 2 and "argumen wajib" in none.stderr
    uninitialised = tmp_path / "baru.duckdb"
    path = tmp_path / "a.csv"
    path.write_bytes(rf.long_csv([{"kecamatan": "Soko", "desa": "Menilo", "indikator": "FM", "periode": "2026-10", "jumlah": 1}]))
    result = run_etl("import", str(path), db=uninitialised)
    assert result.returncode in (1, 2) and "python -m etl init" in result.stderr


def _active_state(db) -> set:
    from tests.conftest import reading

    with reading(db) as con:
        return set(con.execute("select kode_desa, periode, kode_indikator, jumlah, laki_laki, perempuan from pmks_counts").fetchall())


def test_rollback_restores_exactly_the_previous_values(fresh_db, tmp_path):
    from tests.test_marts import assert_marts_match_facts

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 12, "Pengemis": (1, 0)}))
    b.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 19, "Lansia Terlantar": 3}))
    check(run_etl("import", str(a), db=fresh_db))
    after_a = _active_state(fresh_db)
    check(run_etl("import", str(b), "--replace", db=fresh_db))
    assert _active_state(fresh_db) != after_a
    refused = run_etl("rollback", "1", db=fresh_db)
    assert refused.returncode == 1 and "batalkan batch itu dulu" in refused.stderr
    out = check(run_etl("rollback", "2", db=fresh_db, env={"PMKS_USER": "admin1"}))
    assert "1 laporan dicabut, 1 laporan lama dipulihkan" in out.stdout
    assert _active_state(fresh_db) == after_a
    assert_marts_match_facts(fresh_db)
    con = duckdb.connect(str(fresh_db), read_only=True)
    assert con.execute("select status from impor_batch where id = 2").fetchone() == ("dibatalkan",)
    assert con.execute("select pengguna, objek from audit where aksi = 'rollback'").fetchall() == [("admin1", "batch 2")]
    con.close()
    again = run_etl("rollback", "2", db=fresh_db)
    assert again.returncode == 1 and "sudah dibatalkan" in again.stderr
    # the undone file may be imported again (its first import no longer counts)
    check(run_etl("import", str(b), "--replace", db=fresh_db))
    history = check(run_etl("history", db=fresh_db))
    assert "dibatalkan" in history.stdout and "rollback" in history.stdout
