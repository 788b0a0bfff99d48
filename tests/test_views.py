"""Page models on an in-memory warehouse built in the test process: each number checked against plain SQL over
`pmks_counts`, release mode included, and every cell of a model's tables is Indonesian text."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from common import fmt
from dashboard import release
from dashboard.views import MISSING, Filters, Settings, ringkasan, table

OKT, SEP = date(2026, 10, 1), date(2026, 9, 1)
PALANG = "35.23.18"


def sql_total(con, periode: date, area: str = "") -> int:
    return con.execute("select coalesce(sum(jumlah), 0) from pmks_counts where periode = ? and starts_with(kode_desa, ?)",
                       [periode, area]).fetchone()[0]


def all_text(df: pd.DataFrame) -> bool:
    return all(isinstance(v, str) and v not in ("None", "nan", "<NA>") for v in df.to_numpy().ravel())


def test_table_formats_numbers_the_indonesian_way_and_marks_missing():
    df = pd.DataFrame({"nama": ["A", None], "jumlah": [1234, None], "laju": [12.345, float("nan")]})
    out = table(df, {"jumlah": 0, "laju": 1})
    assert out.to_dict("list") == {"nama": ["A", MISSING], "jumlah": ["1.234", MISSING], "laju": ["12,3", MISSING]}


def test_ringkasan_headline_equals_sql_and_compares_like_for_like(mem_con):
    v = ringkasan.build(mem_con, Filters(periode=OKT), Settings())
    assert v.empty is None
    total, change, _, received = v.metrics
    assert total.value == fmt.angka(sql_total(mem_con, OKT))
    reported = mem_con.execute("""select count(*) from (select distinct kode_desa from laporan where aktif and periode = ?)""", [OKT]).fetchone()[0]
    assert received.value == f"{fmt.angka(reported)}/328"
    both = mem_con.execute("""
        select sum(case when periode = ? then jumlah end) - sum(case when periode = ? then jumlah end)
        from pmks_counts where kode_desa in (select kode_desa from laporan where aktif and periode = ?
                                             intersect select kode_desa from laporan where aktif and periode = ?)""",
                           [OKT, SEP, OKT, SEP]).fetchone()[0]
    assert change.value.startswith(("+" if both >= 0 else "") + fmt.angka(both))
    assert "Sebanding" in change.caption


def test_ringkasan_follows_the_kecamatan_filter(mem_con):
    v = ringkasan.build(mem_con, Filters(periode=OKT, kecamatan=PALANG, area_nama="Kec. Palang"), Settings())
    assert v.title == "Ringkasan PMKS — Kec. Palang"
    assert v.metrics[0].value == fmt.angka(sql_total(mem_con, OKT, PALANG))
    assert set(v.missing["Kecamatan"]) <= {"Palang"}
    assert v.map_chart is None  # this warehouse has no boundaries: no map, and no error


def test_ringkasan_tables_are_text_with_kecamatan_beside_every_desa(mem_con):
    v = ringkasan.build(mem_con, Filters(periode=OKT), Settings())
    assert {"Desa/Kelurahan", "Kecamatan"} <= set(v.rises.columns) and all_text(v.rises)
    assert all_text(v.missing)


def test_ringkasan_in_release_mode_hides_small_counts(mem_con):
    v = ringkasan.build(mem_con, Filters(periode=OKT, rilis=3), Settings())
    assert v.release_notice and "<3" in v.release_notice
    shown = [x for x in v.indikator_chart.data[0].x]
    assert not [x for x in shown if 0 < x < 3]
    for col in ("Median sebelumnya", "Sekarang"):
        assert not [c for c in v.rises[col] if c in ("1", "2")]
    plain = ringkasan.build(mem_con, Filters(periode=OKT), Settings())
    assert plain.release_notice is None


def test_a_month_without_reports_says_so(mem_con):
    v = ringkasan.build(mem_con, Filters(periode=date(2020, 1, 1)), Settings())
    assert v.empty == "Belum ada laporan untuk Januari 2020 di wilayah ini."


@pytest.mark.parametrize("values, expected", [([5, 1, 7], ["", "<3", "x"]), ([5, 0, 7], ["", "", ""])])
def test_release_rows_hide_a_small_count_and_its_complement(values, expected):
    out = release.rows(pd.DataFrame({"jumlah": values, "per_1000": [1.0, 2.0, 3.0]}), 3)
    assert out["rilis"].tolist()[1] == expected[1]
    assert out["jumlah"].isna().sum() == sum(1 for e in expected if e)
    assert out["per_1000"].isna().sum() == out["jumlah"].isna().sum()  # a rate goes with its count
    assert release.rows(pd.DataFrame({"jumlah": values}), None)["jumlah"].tolist() == values


def test_release_of_trends_rises_and_rates():
    tr = pd.DataFrame({"jumlah": [0, 2, 9]})
    assert release.trend(tr, 3)["jumlah"].isna().tolist() == [False, True, False]
    assert release.trend_labels(tr["jumlah"], 3) == [0, "<3", 9]
    rises = release.rises(pd.DataFrame({"sebelumnya": [1, 10], "sekarang": [9, 20], "kenaikan": [8, 10]}), 3)
    assert rises.to_dict("list") == {"sebelumnya": ["<3", 10], "sekarang": [9, 20], "kenaikan": ["x", 10]}
    assert release.rate_or_label(4.2, 2, 3) == "<3 kasus" and release.rate_or_label(4.2, 5, 3) == 4.2
    assert release.rate_or_label(4.2, 2, None) == 4.2


def test_kelengkapan_counts_equal_sql_and_roll_up_by_kecamatan(mem_con):
    from dashboard.views import kelengkapan

    v = kelengkapan.build(mem_con, Filters(periode=OKT), Settings(due_day=10))
    reported = mem_con.execute("select count(*) from laporan where aktif and periode = ?", [OKT]).fetchone()[0]
    late = mem_con.execute("""select count(*) from laporan l where aktif and periode = ? and diterima::date > date '2026-11-10'
        and (select sum(jumlah) from laporan_nilai where laporan_id = l.id) > 0""", [OKT]).fetchone()[0]
    counts = dict(v.counts)
    assert counts["Belum lapor"] == fmt.angka(328 - reported) and counts["Terlambat"] == fmt.angka(late)
    assert len(v.rollup) == 21 and v.rollup["Kecamatan"].iloc[-1] == "Kabupaten Tuban" and all_text(v.rollup)  # 20 + total
    assert len(v.missing) == 328 - reported and all_text(v.missing) and all_text(v.status_download.frame.drop(columns="Bulan belum lapor"))
    later = kelengkapan.build(mem_con, Filters(periode=OKT), Settings(due_day=20))
    assert int(dict(later.counts)["Terlambat"].replace(".", "")) <= late  # a later due day: fewer late reports


def test_jelajah_pivot_equals_sql_shows_text_and_exports_whole_numbers(mem_con):
    from dashboard.views import jelajah
    from tests.conftest import num

    v = jelajah.build(mem_con, Filters(periode=OKT), Settings())
    expected = dict(mem_con.execute("select nama_kecamatan, sum(jumlah) from pmks_counts where periode = ? group by 1", [OKT]).fetchall())
    assert {k: num(t) for k, t in zip(v.table["Kecamatan"], v.table["Total"])} == expected
    assert all_text(v.table.drop(columns=["Kode"]))
    assert str(v.export["Total"].dtype) == "Int64"  # whole numbers in CSV/XLSX, never 395,0
    desa = jelajah.build(mem_con, Filters(periode=OKT, kecamatan=PALANG), Settings(), tingkat="desa")
    assert list(desa.table.columns[:4]) == ["Kode", "Desa/Kelurahan", "Kecamatan", "Desa melapor"]
    assert set(desa.table["Kecamatan"]) == {"Palang"} and desa.table["Kode"].str.startswith(PALANG).all()


def test_jelajah_in_release_mode_shows_no_small_count(mem_con):
    from dashboard.views import jelajah

    v = jelajah.build(mem_con, Filters(periode=OKT, kecamatan=PALANG, rilis=3), Settings(), tingkat="desa")
    cells = v.table.drop(columns=["Kode", "Desa/Kelurahan", "Kecamatan", "Desa melapor", "Jumlah desa"]).to_numpy().ravel()
    assert not [c for c in cells if c in ("1", "2")] and "<3" in set(cells)
    assert v.release_notice


def test_peta_without_boundaries_says_who_can_add_them_and_no_command(mem_con):
    from dashboard.views import peta

    v = peta.build(mem_con, Filters(periode=OKT), Settings())
    assert v.figure is None and "Batas wilayah desa belum dipasang" in v.stop
    assert "python" not in v.stop and "etl" not in v.stop


def test_unggah_model_summarises_files_and_the_plan():
    from types import SimpleNamespace

    from dashboard.views import unggah

    reports = pd.DataFrame({"kode_desa": ["35.23.11.2004"], "periode": [OKT], "values": ["FM 12"], "jumlah": [12], "sheet": ["Laporan"]})
    good = SimpleNamespace(file="a.xlsx", status="accepted", layouts={"form"}, reports=reports, errors=[], warnings=[], issues=[],
                           changes=["Menilo, Fakir Miskin: 10 → 12"], replaces=1)
    bad = SimpleNamespace(file="b.xlsx", status="rejected", layouts=set(), reports=reports.iloc[0:0], errors=[1, 2], warnings=[],
                          issues=[], changes=[], replaces=0)
    table_ = unggah.summary([good, bad])
    assert table_["Status"].tolist() == ["Diterima", "Ditolak"] and table_["Kesalahan"].tolist() == [0, 2]
    assert unggah.preview(good, {"35.23.11.2004": "Menilo (Kec. Soko)"})["Desa"].tolist() == ["Menilo (Kec. Soko)"]
    assert unggah.changes(good) == "Menilo, Fakir Miskin: 10 → 12" and unggah.changes(bad) is None
    plan = unggah.plan([good, bad])
    assert (plan.accepted, plan.reports, plan.replacing) == (1, 1, 1)
    assert plan.caption == "Akan disimpan: 1 berkas, 1 laporan desa. Berkas yang ditolak (1) tidak ikut disimpan."
    assert unggah.months_offered(date(2026, 1, 15), 3) == [date(2026, 1, 1), date(2025, 12, 1), date(2025, 11, 1)]


def test_tentang_and_pengaturan_models_list_sources_users_and_coverage(mem_con):
    from dashboard.views import pengaturan, tentang

    about = tentang.build(mem_con, None, Settings(release_threshold=4))
    assert about.synthetic and "35.23" in about.sources and len(about.indicators) == 26
    assert "jumlah 1 sampai 3 ditulis <4" in about.reading
    admin = pengaturan.build(mem_con, None, Settings(), users=(("siti", "Siti", "analis", PALANG), ("budi", "Budi", "admin", ""),
                                                              ("x", "X", "staf", "35.23.99"), ("ani", "Ani", "psm", PALANG, "35.23.18.2003")))
    assert admin.users["Kecamatan"].tolist() == ["Kec. Palang", "semua", "35.23.99 (tidak dikenal)", "Kec. Palang"]
    assert admin.users["Peran"].tolist() == ["Analis data", "Admin", "Staf kebijakan", "PSM (desa)"]
    assert admin.users["Desa (PSM)"].tolist() == ["–", "–", "–", "Tegalbang"]
    assert len(admin.coverage) == 20 and all_text(admin.coverage.drop(columns=[c for c in admin.coverage if "Sumber" in c]))
