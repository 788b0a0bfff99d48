"""The reader of issue 22, point by point, on files shaped the way offices make them (each failed before it):
every number read or accounted for (1), totals checked (2), tables found by their labels (3), context from wherever it
is written (4), messages that fit the cause (6) and population files through the same reader (7). Point 5 (the
analyst places a label) is tested on the upload page (tests/test_upload.py), the property and mutation tests are in
tests/test_reader_properties.py and tests/test_reader_mutations.py."""

from __future__ import annotations

import json
import shutil
from datetime import date

import duckdb
import pytest

from etl.cli.reports import check_files
from etl.read.sandbox import SheetReader
from tests.conftest import run_etl, sample_codes
from tests.corpus.writers import WRITERS, Formula, Grid

TODAY = date(2026, 11, 27)
OKT = date(2026, 10, 1)


@pytest.fixture(scope="module")
def codes() -> dict[tuple[str, str], str]:
    from tests.corpus.generate import CODES

    return {**CODES, **sample_codes()}


@pytest.fixture(scope="module")
def reader():
    with SheetReader(timeout=20) as r:
        yield r


def one(db, name, data, reader, **given):
    con = duckdb.connect(str(db), read_only=True)
    try:
        (result,) = check_files(con, [(name, data, None)], reader, replace=False, today=TODAY, **given)
        return result
    finally:
        con.close()


def values(result) -> dict:
    return {(r.kode_desa, r.periode, r.kode_indikator): int(r.jumlah) for r in result.values.itertuples()}


def form(rows: list[list], fields=(("Desa/Kelurahan", "Menilo"), ("Kecamatan", "Soko"), ("Bulan", "Oktober 2026")),
         title="LAPORAN PMKS", name="Laporan") -> Grid:
    g = Grid(name)
    g.add(title)
    g.add(None)
    for label, value in fields:
        g.add(label, ":", value)
    g.add(None)
    for row in rows:
        g.add(*row)
    return g


def errors(result) -> list[str]:
    return [i.message for i in result.errors]


# 1. No silent loss -------------------------------------------------------------------------------------------------

def test_a_stray_block_beside_a_form_refuses_the_file_naming_its_range(empty_db, reader):
    g = form([["No", "Jenis PMKS", "L", "P", "Jumlah"], [1, "Fakir Miskin", 3, 4, 7], [2, "Pengemis", 1, 0, 1]])
    g.rows[7].extend([None, 12, 9])  # numbers beside the table that no header labels
    g.rows[8].extend([None, 5, 2])
    result = one(empty_db, "stray.xlsx", WRITERS["xlsx"]([g]), reader)
    assert result.status == "rejected"
    (error,) = result.errors
    assert error.sheet == "Laporan" and error.message.startswith("G8:H9: 4 angka tidak terbaca sebagai laporan")
    (tally,) = result.tally
    assert (tally.read, tally.unaccounted, tally.ignored) == (6, 4, {"nomor urut": 2})


def test_report_json_and_the_cli_state_the_tally_per_sheet(empty_db, tmp_path):
    db = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, db)
    g = form([["No", "Jenis PMKS", "L", "P", "Jumlah"], [1, "Fakir Miskin", 3, 4, 7], [2, "Pengemis", 1, 0, 1],
              [None, "JUMLAH", 4, 4, Formula("SUM(E8:E9)", 8)]])
    path = tmp_path / "menilo.xlsx"
    path.write_bytes(WRITERS["xlsx"]([g]))
    run = run_etl("import", "--dry-run", "--report-json", str(tmp_path / "r.json"), str(path), db=db)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "lembar 'Laporan': 6 angka dibaca, 3 jumlah/total diperiksa, 2 diabaikan (nomor urut 2), 0 tidak terbaca" in run.stdout
    (file,) = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]
    assert file["tally"] == [{"sheet": "Laporan", "read": 6, "totals": 3, "ignored": {"nomor urut": 2}, "unaccounted": 0, "tables": ["A7:E10"]}]


# 2. Totals are evidence ----------------------------------------------------------------------------------------------

def kabupaten_recap(subtotal: str = "JUMLAH KEC. {k}", wrong: int = 0) -> tuple[bytes, dict]:
    """A kabupaten recap: a JUMLAH row after each kecamatan's desa (twin names among them), a grand total."""
    blocks = {"Montong": ["Sumurgung", "Pakel", "Guwoterus"], "Palang": ["Sumurgung", "Pucangan", "Tasikmadu"],
              "Soko": ["Menilo", "Jati", "Wadung", "Tluwe"]}
    g = Grid("Rekap")
    g.add("REKAPITULASI PMKS KABUPATEN TUBAN BULAN OKTOBER 2026")
    g.add(None)
    g.add("No", "Desa/Kelurahan", "FM", "LUT", "PD")
    expected, grand, n = {}, [0, 0, 0], 0
    for kec, names in blocks.items():
        sums = [0, 0, 0]
        for name in names:
            n += 1
            row = [n + 1, 2 * n, n % 3]
            expected[(kec, name)] = row
            sums = [a + b for a, b in zip(sums, row)]
            g.add(n, name, *row)
        grand = [a + b for a, b in zip(grand, sums)]
        g.add(None, subtotal.format(k=kec.upper()), *[Formula("SUM", v + (wrong if kec == "Palang" and i == 1 else 0)) for i, v in enumerate(sums)])
    g.add(None, "JUMLAH KABUPATEN", *[Formula("SUM", v) for v in grand])
    return WRITERS["xlsx"]([g]), expected


def test_a_recap_with_a_subtotal_after_each_kecamatan_reads_every_desa_and_checks_every_total(empty_db, reader, codes):
    data, expected = kabupaten_recap()
    result = one(empty_db, "rekap_kabupaten.xlsx", data, reader)
    assert result.status == "accepted", errors(result)
    got = values(result)
    want = {(codes[k], OKT, ind): v for k, row in expected.items() for ind, v in zip(("FM", "LUT", "PD"), row)}
    assert got == want and len({k for k, _, _ in got}) == 10  # Sumurgung of Montong and of Palang each in its own kecamatan
    (tally,) = result.tally
    assert (tally.read, tally.totals, tally.unaccounted) == (30, 12, 0)
    assert not any("tidak dikenal" in m for m in errors(result))


def test_a_subtotal_that_disagrees_names_its_cell_and_both_numbers(empty_db, reader):
    data, _ = kabupaten_recap(wrong=5)
    result = one(empty_db, "rekap_kabupaten.xlsx", data, reader)
    assert result.status == "rejected"
    (error,) = result.errors
    assert (error.sheet, error.row, error.column) == ("Rekap", 11, "D")
    assert error.message == "'JUMLAH KEC. PALANG' D11 tertulis 35, tetapi angka yang dijumlahkannya (D8:D10) berjumlah 30"


# 3. Tables found by evidence ------------------------------------------------------------------------------------------

def test_a_form_printed_in_two_halves_side_by_side_is_read_whole(empty_db, reader, codes):
    left = ["Anak Balita Terlantar", "Anak Terlantar", "Anak Jalanan", "Lanjut Usia Terlantar"]
    right = ["Penyandang Disabilitas", "Gelandangan", "Pengemis", "Fakir Miskin"]
    rows = [["No", "Jenis PMKS", "L", "P", "Jumlah", None, "No", "Jenis PMKS", "L", "P", "Jumlah"]]
    for i, (a, b) in enumerate(zip(left, right), start=1):
        rows.append([i, a, i, 1, i + 1, None, i + 4, b, 2 * i, 2, 2 * i + 2])
    result = one(empty_db, "menilo.xlsx", WRITERS["xlsx"]([form(rows)]), reader)
    assert result.status == "accepted", errors(result)
    assert values(result) == {(codes[("Soko", "Menilo")], OKT, c): v for c, v in
                              zip(("ABT", "AT", "AJ", "LUT", "PD", "GLD", "PGM", "FM"), (2, 3, 4, 5, 4, 6, 8, 10))}


def test_recap_headers_in_the_abbreviations_of_dinsos_and_l_p_jumlah_as_rows(empty_db, reader, codes):
    """G, P, PM, KPN, KTr as column headers; L, P and Jumlah on three rows per desa are one value each, not duplicates."""
    g = Grid("Rekap")
    g.add("REKAP PMKS KECAMATAN MONTONG BULAN OKTOBER 2026")
    g.add(None)
    g.add("No", "Desa", "L/P", "G", "P", "PM", "KPN", "KTr")
    g.add(1, "Pakel", "L", 1, 2, 3, 4, 5)
    g.add(None, None, "P", 1, 0, 1, 0, 1)
    g.add(None, None, "Jml", 2, 2, 4, 4, 6)
    g.add(2, "Guwoterus", "L", 0, 1, 0, 1, 0)
    g.add(None, None, "P", 2, 2, 2, 2, 2)
    g.add(None, None, "Jml", 2, 3, 2, 3, 2)
    result = one(empty_db, "rekap.ods", WRITERS["ods"]([g]), reader)
    assert result.status == "accepted", errors(result)
    assert not result.issues
    rows = {(r.kode_desa, r.kode_indikator): (r.laki_laki, r.perempuan, r.jumlah) for r in result.values.itertuples()}
    assert rows[(codes[("Montong", "Pakel")], "PGM")] == (2, 0, 2) and rows[(codes[("Montong", "Guwoterus")], "NAPZA")] == (1, 2, 3)
    assert {k for _, k in rows} == {"GLD", "PGM", "PML", "NAPZA", "KTR"} and len(rows) == 10


def test_a_recap_printed_transposed_desa_across_the_top(empty_db, reader, codes):
    g = Grid("Rekap")
    g.add("REKAPITULASI PMKS KECAMATAN SOKO BULAN OKTOBER 2026")
    g.add(None)
    g.add("Jenis PMKS", "Menilo", "Jati", "Wadung", "JUMLAH")
    g.add("Fakir Miskin", 4, 5, 6, Formula("SUM", 15))
    g.add("Lanjut Usia Terlantar", 1, 0, 2, Formula("SUM", 3))
    result = one(empty_db, "rekap.csv", WRITERS["csv"]([g]), reader)
    assert result.status == "accepted", errors(result)
    assert values(result)[(codes[("Soko", "Wadung")], OKT, "FM")] == 6 and len(values(result)) == 6
    assert result.tally[0].totals == 2


def test_two_readings_as_complete_as_each_other_that_disagree_are_refused_describing_both(empty_db, reader):
    """PMKS types both down the side and across the top: read as written or transposed, each number gets another type."""
    rows = [["Jenis PMKS", "Fakir Miskin", "Pengemis"], ["Fakir Miskin", 1, 2], ["Pengemis", 3, 4]]
    grid = form(rows, fields=(), title="LAPORAN PMKS DESA MENILO KECAMATAN SOKO BULAN OKTOBER 2026")
    result = one(empty_db, "silang.xlsx", WRITERS["xlsx"]([grid]), reader)
    assert result.status == "rejected"
    assert any("dua cara" in m and "mendatar" in m and "menurun" in m for m in errors(result))


# 4. Context from wherever it is written -------------------------------------------------------------------------------

def test_the_desa_named_only_in_the_title_line(empty_db, reader, codes):
    g = form([["No", "Jenis PMKS", "Jumlah"], [1, "Fakir Miskin", 7]], fields=(("Bulan", "Oktober 2026"),),
             title="LAPORAN PMKS DESA MENILO KECAMATAN SOKO")
    result = one(empty_db, "laporan.xlsx", WRITERS["xlsx"]([g]), reader)
    assert result.status == "accepted", errors(result)
    assert values(result) == {(codes[("Soko", "Menilo")], OKT, "FM"): 7}


def test_months_in_the_sheet_names_the_year_in_the_title_and_a_month_not_yet_reported_is_skipped(empty_db, reader, codes):
    sheets = []
    for month, counts in (("September", (3, 4)), ("Oktober", (5, 6)), ("November", (0, 0))):
        g = Grid(month)
        g.add("REKAP PMKS KECAMATAN SOKO TAHUN 2026")
        g.add(None)
        g.add("Desa/Kelurahan", "FM", "PGM")
        g.add("Menilo", *counts)
        g.add("Jati", *(c * 2 for c in counts))
        sheets.append(g)
    result = one(empty_db, "rekap_2026.xlsx", WRITERS["xlsx"](sheets), reader)
    assert result.status == "accepted", errors(result)
    assert {p for _, p, _ in values(result)} == {date(2026, 9, 1), OKT}  # November is prepared, not reported
    (note,) = result.warnings
    assert note.sheet == "November" and "belum diisi" in note.message and "dilewati" in note.message


# 6. Messages that fit the cause ---------------------------------------------------------------------------------------

def test_a_workbook_of_several_months_is_not_advised_a_single_periode(empty_db, reader):
    sheets = []
    for name, title in (("Sep 2026", "REKAP PMKS KECAMATAN SOKO"), ("Okt 2026", "REKAP PMKS KECAMATAN SOKO"), ("Rekap", "REKAP PMKS KECAMATAN SOKO")):
        g = Grid(name)
        g.add(title)
        g.add(None)
        g.add("Desa/Kelurahan", "FM")
        g.add("Menilo", 3)
        sheets.append(g)
    result = one(empty_db, "rekap.xlsx", WRITERS["xlsx"](sheets), reader, periode=OKT)
    assert result.status == "rejected"
    (error,) = result.errors
    assert error.sheet == "Rekap" and "bulan laporan tidak ditemukan" in error.message and "A3:B4" in error.message
    assert "--periode" not in error.suggestion and "nama lembar" in error.suggestion


# 7. One reader for every file ---------------------------------------------------------------------------------------

def _population(db, name: str, data: bytes):
    from etl.write.population import analyse, parse_acuan

    with SheetReader() as reader:
        sheets = reader.read(data, name)
    con = duckdb.connect(str(db), read_only=True)
    try:
        return analyse(con, name, data, sheets, parse_acuan("2025-S2", TODAY))
    finally:
        con.close()


def test_a_population_file_goes_through_the_same_accounting_and_totals(empty_db):
    g = Grid("Penduduk")
    g.add("JUMLAH PENDUDUK MENURUT DESA, KECAMATAN SOKO")
    g.add(None)
    g.add("Desa/Kelurahan", "L", "P", "Jumlah")
    g.add("Menilo", 1200, 1250, 2450)
    g.add("Jati", 900, 950, 1850)
    g.add("Kecamatan Soko", 2100, 2200, Formula("SUM", 4400))  # 4.300 written as 4.400
    g.add(None)
    g.add("Catatan", None, 17, 18)  # numbers nobody labelled
    result = _population(empty_db, "penduduk.xlsx", WRITERS["xlsx"]([g]))
    assert result.status == "rejected"
    messages = {(i.row, i.column): i.message for i in result.errors}
    assert messages[(6, "D")] == "'Kecamatan Soko' D6 tertulis 4.400, tetapi angka yang dijumlahkannya (D4:D5) berjumlah 4.300"
    assert any(m.startswith("C8:D8: 2 angka tidak terbaca") for m in messages.values())
    (tally,) = result.tally
    assert (tally.read, tally.totals, tally.unaccounted) == (6, 3, 2)
