"""Unit tests of the cell readers, the name matchers and each validation rule, on small hand-checked tables."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from etl.check import rules
from etl.read.cells import column_letter, find_period, parse_count, parse_period
from etl.resolve.match import Gazetteer, IndicatorMatcher, normalize_label, normalize_name, parse_code


@pytest.mark.parametrize("raw, value", [
    (None, 0), ("", 0), ("-", 0), (" – ", 0), ("nihil", 0), (7, 7), (7.0, 7), ("12", 12), ("5 orang", 5), ("5 Orang", 5),
    ("3 jiwa", 3), ("2 KK", 2), ("1.234", 1234), ("12.345.678", 12345678), ("12,0", 12), (" 4 ", 4), (float("nan"), 0),
])
def test_parse_count_reads_what_people_write(raw, value):
    assert parse_count(raw) == (value, None)


@pytest.mark.parametrize("raw, message", [
    ("2,5", "bukan bilangan bulat"), (2.5, "bukan bilangan bulat"), ("1.5", "bukan bilangan bulat"), (-3, "negatif"),
    ("-3", "negatif"), ("banyak", "bukan angka"), ("5 rumah tangga miskin", "bukan angka"), (True, "bukan angka"),
    (datetime(2026, 1, 5), "tanggal"),
])
def test_parse_count_refuses_what_is_not_a_count(raw, message):
    value, problem = parse_count(raw)
    assert value is None and message in problem


@pytest.mark.parametrize("raw, month", [
    ("Oktober 2026", (2026, 10)), ("OKTOBER 2026", (2026, 10)), ("Okt-26", (2026, 10)), ("okt 2026", (2026, 10)),
    ("10/2026", (2026, 10)), ("2026-10", (2026, 10)), ("2026-10-01", (2026, 10)), ("01/10/2026", (2026, 10)),
    ("Agustus 2025", (2025, 8)), ("Agt-25", (2025, 8)), ("Nopember 2025", (2025, 11)), ("Des '25", (2025, 12)),
    ("Bulan Mei Tahun 2026", (2026, 5)), (datetime(2026, 9, 15), (2026, 9)), (date(2026, 2, 1), (2026, 2)),
    (46296.0, (2026, 10)), ("September", None), ("13/2026", None), ("bulan lalu", None), (None, None), (3, None),
])
def test_parse_period(raw, month):
    result = parse_period(raw)
    assert (None if result is None else (result.year, result.month)) == month
    if result:
        assert result.day == 1


def test_find_period_in_titles():
    assert find_period("REKAPITULASI DATA PMKS KECAMATAN MONTONG BULAN OKTOBER 2026") == date(2026, 10, 1)
    assert find_period("Laporan PSM Desa Menilo, Mei 2025 (revisi)") == date(2025, 5, 1)
    assert find_period("REKAPITULASI DATA PMKS KABUPATEN TUBAN") is None


def test_column_letters():
    assert [column_letter(i) for i in (0, 4, 25, 26, 27, 701, 702)] == ["A", "E", "Z", "AA", "AB", "ZZ", "AAA"]


def test_normalising_names_and_codes():
    assert normalize_name("Ds. Sumur  Gung") == "sumur gung"
    assert normalize_name("KEL. LATSARI") == normalize_name("Kelurahan Latsari") == "latsari"
    assert normalize_name("Desa/Kel. Menilo") == "menilo"
    assert normalize_label("24. Fakir Miskin") == "fakir miskin"
    assert parse_code("3523102007") == parse_code("35.23.10.2007") == "35.23.10.2007"
    assert parse_code("352310") == "35.23.10" and parse_code("Menilo") is None


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    wilayah = pd.DataFrame([
        ("01", "Montong", "kecamatan", "00"), ("02", "Palang", "kecamatan", "00"), ("03", "Soko", "kecamatan", "00"),
        ("01.1", "Sumurgung", "desa", "01"), ("01.2", "Pakel", "desa", "01"), ("01.3", "Talangkembar", "desa", "01"),
        ("02.1", "Sumurgung", "desa", "02"), ("02.2", "Glodog", "desa", "02"), ("03.1", "Menilo", "desa", "03"),
    ], columns=["kode", "nama", "tingkat", "kode_induk"])
    aliases = pd.DataFrame([("02", "glodok lor", "02.2")], columns=["kode_kecamatan", "alias", "kode_desa"])
    return Gazetteer(wilayah, aliases)


def test_desa_matching_within_kecamatan(gazetteer):
    assert gazetteer.match_desa("Ds. Sumurgung", "01").code == "01.1"
    assert gazetteer.match_desa("SUMURGUNG", "02").code == "02.1"
    assert gazetteer.match_desa("Talang Kembar", "01").code == "01.3"  # spaces do not matter
    near = gazetteer.match_desa("Sumurgong", "01")
    assert (near.code, near.how) == ("01.1", "fuzzy") and 88 <= near.score < 100
    alias = gazetteer.match_desa("Glodok Lor", "02")
    assert (alias.code, alias.how) == ("02.2", "alias")
    elsewhere = gazetteer.match_desa("Menilo", "01")
    assert elsewhere.code is None and elsewhere.how == "elsewhere" and elsewhere.candidates[0][0] == "03.1"
    unknown = gazetteer.match_desa("Pakel Kulon", "01")
    assert unknown.code is None and unknown.candidates[0][0] == "01.2"


def test_desa_without_kecamatan_is_matched_only_when_unique(gazetteer):
    assert gazetteer.match_desa("Menilo", None).code == "03.1"
    twice = gazetteer.match_desa("Sumurgung", None)
    assert twice.code is None and twice.how == "ambiguous" and {c for c, _, _ in twice.candidates} == {"01.1", "02.1"}
    assert gazetteer.match_desa("Menil", None).code is None  # never a guess without a kecamatan


def test_kecamatan_matching(gazetteer):
    assert gazetteer.match_kecamatan("Kec. Montong").code == "01"
    assert gazetteer.match_kecamatan("MONTONG").code == "01"
    assert gazetteer.match_kecamatan("Montongg").how == "fuzzy"
    assert gazetteer.match_kecamatan("Bancar").code is None


@pytest.fixture(scope="module")
def indicators() -> IndicatorMatcher:
    from etl.reference.indikator import read_indikator

    return IndicatorMatcher(read_indikator(), pd.DataFrame([("bansos lansia", "LUT")], columns=["alias", "kode_indikator"]))


@pytest.mark.parametrize("text, code", [
    ("Fakir Miskin", "FM"), ("FM", "FM"), ("fakir  miskin", "FM"), ("24. Fakir Miskin", "FM"), ("Fakir Miskin (FM)", "FM"),
    ("ABH", "ABH"), ("ADK", "ADK"), ("ODHA", "ODHA"), ("PMBS", "PMBS"), ("PRSE", "PRSE"), ("KAT", "KAT"), ("NAPZA", "NAPZA"),
    ("Lansia Terlantar", "LUT"), ("Penyandang Cacat", "PD"), ("WRSE", "PRSE"), ("Korban Perdagangan Orang", "KTR"),
    ("Eks Napi", "BWBLP"), ("HIV/AIDS", "ODHA"), ("Bansos Lansia", "LUT"),
])
def test_indicator_names_short_names_and_variants(indicators, text, code):
    match = indicators.match(text)
    assert (match.code, match.how) == (code, "exact")


def test_indicator_typos_and_unknowns(indicators):
    typo = indicators.match("Anak Jalana")
    assert (typo.code, typo.how) == ("AJ", "fuzzy")
    unknown = indicators.match("Korban Banjir Bandang")
    assert unknown.code is None
    for text in ("Jumlah", "No", "Keterangan", "Desa"):
        assert not indicators.is_indicator(text), text


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {"_file": 0, "kode_desa": "03.1", "periode": date(2026, 10, 1), "kode_indikator": "FM", "laki_laki": None,
            "perempuan": None, "jumlah": 0, "lp_given": False, "j_given": True, "sheet": "S", "baris": 1, "kolom": "E", "nama_psm": None}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_rule_reconcile_sex(gazetteer):
    table = frame([
        {"baris": 10, "laki_laki": 3, "perempuan": 4, "jumlah": 7, "lp_given": True},
        {"baris": 11, "laki_laki": 3, "perempuan": 4, "jumlah": 8, "lp_given": True},
        {"baris": 12, "laki_laki": 2, "perempuan": 0, "jumlah": 0, "lp_given": True, "j_given": False},
        {"baris": 13, "jumlah": 5},
    ])
    out, issues = rules.reconcile_sex(table)
    assert [(i.severity, i.row) for i in issues] == [("error", 11)]
    assert out["jumlah"].tolist() == [7, 8, 2, 5]
    assert pd.isna(out["laki_laki"].iloc[3])


def test_rule_duplicates(gazetteer):
    table = frame([
        {"baris": 5, "kode_indikator": "FM", "jumlah": 4}, {"baris": 9, "kode_indikator": "FM", "jumlah": 4},
        {"baris": 6, "kode_indikator": "PD", "jumlah": 1}, {"baris": 7, "kode_indikator": "PD", "jumlah": 2},
        {"baris": 8, "kode_indikator": "PD", "jumlah": 1, "_file": 1},
    ])
    out, issues = rules.duplicates(table, gazetteer, {"FM": "Fakir Miskin", "PD": "Penyandang Disabilitas"})
    assert sorted((i.severity, i.row, i.file) for i in issues) == [("error", 7, 0), ("warning", 9, 0)]
    assert len(out) == 3  # one FM and one PD in file 0, the PD of file 1 is another file's business


def test_rule_future_month():
    table = frame([{"periode": date(2026, 11, 1)}, {"periode": date(2026, 12, 1), "baris": 4}])
    (issue,) = rules.future_month(table, date(2026, 11, 27))
    assert issue.row == 4 and "Desember 2026" in issue.message


def test_rule_all_zero(gazetteer):
    table = frame([{"kode_desa": "03.1", "jumlah": 0}, {"kode_desa": "03.1", "jumlah": 0, "kode_indikator": "PD"},
                   {"kode_desa": "01.2", "jumlah": 0}, {"kode_desa": "01.2", "jumlah": 3, "kode_indikator": "PD"}])
    (issue,) = rules.all_zero(table, gazetteer)
    assert issue.severity == "warning" and "Menilo" in issue.message


def test_rule_claimed_in_run(gazetteer):
    table = frame([{"_file": 0, "baris": 3}, {"_file": 1, "baris": 8}, {"_file": 1, "kode_desa": "01.2", "baris": 9},
                   {"_file": 2, "kode_desa": "01.3", "baris": 2}])
    issues = rules.claimed_in_run(table, {("01.3", date(2026, 10, 1)): "lama.xlsx"}, ["a.xlsx", "b.xlsx", "c.xlsx"], gazetteer)
    assert sorted((i.file, i.row, i.message.split("berkas ")[1]) for i in issues) == [
        (1, 8, "'a.xlsx' dalam impor ini"), (2, 2, "'lama.xlsx' dalam impor ini")]


def test_rule_robust_jumps_on_hand_checked_table():
    table = pd.DataFrame({"n": [12, 12, 12, 3, 12], "median": [12.0, 12.0, 0.0, 0.0, 400.0], "mad": [2.0, 2.0, 0.0, 0.0, 30.0],
                          "jumlah": [20, 30, 6, 50, 520]})
    # scale = max(1,4826 MAD, sqrt(median), 1) = 3,46 / 3,46 / 1 / - / 44,5; flagged beyond 4 x scale and at least 5 people
    assert rules.robust_jumps(table).tolist() == [False, True, True, False, False]
