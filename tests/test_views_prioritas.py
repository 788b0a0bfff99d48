"""The Prioritas Intervensi and Profil Wilayah models on an in-memory warehouse: the ranking against the independent
computation of tests/priority_reference.py, the profile against plain SQL over `pmks_counts`, release mode, and
every table cell Indonesian text."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from dashboard import brief, queries
from dashboard.views import MISSING, Filters, Settings, prioritas, profil
from tests.priority_reference import desa_ranking

OKT = date(2026, 10, 1)
PALANG = "35.23.18"
GROUPS = ["anak", "disabilitas", "keluarga dan komunitas", "kemiskinan", "korban", "lanjut usia", "tuna sosial"]


def parse_angka(text: str) -> float | None:
    """'1.234,5' -> 1234.5 and '—' -> None: a number of a model's table as the user reads it."""
    if text in (MISSING, "–"):
        return None
    return float(text.replace(".", "").replace(",", "."))


def all_text(df: pd.DataFrame) -> bool:
    return all(isinstance(v, str) and v not in ("None", "nan", "<NA>", "NaN") for v in df.to_numpy().ravel())


@pytest.fixture(scope="module")
def names(mem_con) -> dict[str, tuple[str, str]]:
    return {k: (n, kn) for k, n, kn in mem_con.execute(
        "select d.kode, d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa'").fetchall()}


def ranked_rows(v) -> pd.DataFrame:
    return v.table[v.table["Peringkat"] != MISSING]


@pytest.mark.parametrize("weights, shrinkage", [
    (dict.fromkeys(GROUPS, 1), True),
    (dict.fromkeys(GROUPS, 0) | {"anak": 5, "lanjut usia": 1}, True),
    (dict.fromkeys(GROUPS, 0) | {"anak": 5, "lanjut usia": 1}, False),
])
def test_prioritas_ranking_and_index_equal_the_independent_computation(mem_con, names, weights, shrinkage):
    v = prioritas.build(mem_con, Filters(periode=OKT), Settings(), weights=tuple(weights.items()), shrinkage=shrinkage)
    expected = desa_ranking(mem_con, OKT.isoformat(), weights, shrinkage)
    top = ranked_rows(v).head(25)
    assert list(zip(top["Desa/Kelurahan"], top["Kecamatan"])) == [names[k] for k, _ in expected[:25]]
    assert [parse_angka(x) for x in top["Indeks prioritas"]] == pytest.approx([round(i, 1) for _, i in expected[:25]], abs=0.051)
    assert len(ranked_rows(v)) == len(expected)  # every desa with a report and a population, and only those
    assert [parse_angka(x) for x in ranked_rows(v)["Peringkat"]] == sorted(parse_angka(x) for x in ranked_rows(v)["Peringkat"])
    # the export is the same list as numbers, in the same order
    assert v.export["Indeks prioritas"].head(25).tolist() == pytest.approx([round(i, 1) for _, i in expected[:25]], abs=0.051)
    assert "Marshall (1991)" in v.method if shrinkage else "Laju mentah" in v.method


def test_prioritas_table_is_indonesian_text_with_a_sparkline_per_row(mem_con):
    v = prioritas.build(mem_con, Filters(periode=OKT), Settings())
    assert all_text(v.table.drop(columns=prioritas.SPARKLINE))
    lines = v.table[prioritas.SPARKLINE]
    assert all(len(line) == 12 and all(x is None or isinstance(x, float) for x in line) for line in lines)
    assert (v.table["Peringkat"].iloc[-1] == MISSING) and v.table["Peringkat"].iloc[0] == "1"
    assert any("," in x for x in v.table["Anak per 1.000"])  # one decimal, comma
    assert {"Peringkat", "Indeks prioritas", "Anak per 1.000", "Penduduk"} <= set(v.numbers) and "Catatan" not in v.numbers
    assert all(parse_angka(x) == int(parse_angka(x)) for x in v.table["Penduduk"]) and any("." in x for x in v.table["Penduduk"])
    assert v.none_ranked is None and v.map_chart is None  # no boundaries in this warehouse: no map, no error
    cover = dict(v.cover)
    assert cover["Periode"] == "Oktober 2026" and "desa melapor" in cover["Kelengkapan laporan"]
    assert "Anak 1; Disabilitas 1" in cover["Bobot kelompok"] and "SINTETIS" in cover["Sumber data"]
    assert v.file_name == "prioritas_desa_2026-10.xlsx" and prioritas.SPARKLINE not in v.export.columns


def test_prioritas_release_mode_hides_rates_resting_on_one_or_two_cases(mem_con, names):
    counts = mem_con.execute("""
        select c.kode_desa, i.kelompok, sum(c.jumlah) from pmks_counts c join indikator i on i.kode = c.kode_indikator
        where c.periode = ? and i.aktif group by all""", [OKT]).fetchall()
    small = {(names[k], g) for k, g, n in counts if 1 <= n <= 2}
    shown = {(names[k], g) for k, g, n in counts if n == 0 or n >= 3}
    assert small
    v = prioritas.build(mem_con, Filters(periode=OKT, rilis=3), Settings())
    assert v.release_notice and "Penduduk" not in v.table.columns and "Mode rilis publik" in dict(v.cover)
    hidden = 0
    for row in v.table.to_dict("records"):
        area = (row["Desa/Kelurahan"], row["Kecamatan"])
        for g in GROUPS:
            cell = row[f"{prioritas.label(g)} per 1.000"]
            if (area, g) in small:
                assert cell == "<3 kasus", (area, g)
                hidden += 1
            elif (area, g) in shown:
                assert cell != "<3 kasus" and parse_angka(cell) is not None
    assert hidden == len(small)
    for g in GROUPS:  # and the export hides them alike
        col = f"{prioritas.label(g)} per 1.000"
        assert (v.export[col] == "<3 kasus").sum() == (v.table[col] == "<3 kasus").sum()
    plain = prioritas.build(mem_con, Filters(periode=OKT), Settings())
    assert "Penduduk" in plain.table.columns and not (plain.table == "<3 kasus").any().any()


def test_prioritas_release_mode_leaves_gaps_in_sparklines_for_months_with_few_cases(mem_con):
    plain = prioritas.build(mem_con, Filters(periode=OKT), Settings())
    strict = prioritas.build(mem_con, Filters(periode=OKT, rilis=150), Settings())  # a high threshold hides many months
    assert strict.table["Desa/Kelurahan"].tolist() == plain.table["Desa/Kelurahan"].tolist()
    gaps = 0
    for people, before, after in zip(plain.table["Penduduk"], plain.table[prioritas.SPARKLINE], strict.table[prioritas.SPARKLINE]):
        for rate, shown in zip(before, after):
            if rate is not None and 0 < rate * parse_angka(people) / 1000 < 149.5:  # 0 cases is no one
                assert shown is None
                gaps += 1
            else:
                assert shown == rate
    assert gaps

def test_one_index_on_one_stated_basis_whoever_asks(mem_con):
    """Issue 24: a Palang analyst (area Palang) and leadership filtering Palang see the same index and rank for every
    desa, ranked in the kabupaten, and the page says so."""
    f = Filters(periode=OKT, kecamatan=PALANG, area_nama="Kec. Palang")
    n_desa = queries.desa_count(mem_con, PALANG)
    v = prioritas.build(mem_con, f, Settings())
    assert set(v.table["Kecamatan"]) == {"Palang"} and len(v.table) == n_desa
    assert v.caption.endswith("peringkat dan kuintil se-Kabupaten Tuban")
    scoped = prioritas.build(mem_con, f, Settings(area=PALANG, rights=frozenset({"unggah", "riwayat"})))
    assert scoped.table.equals(v.table) and scoped.caption == v.caption
    ranks = [parse_angka(x) for x in ranked_rows(scoped)["Peringkat"]]
    assert ranks != list(range(1, len(ranks) + 1))  # ranks among the kabupaten's desa, not 1..19 within Palang


def test_prioritas_kecamatan_level_and_zero_weights(mem_con):
    v = prioritas.build(mem_con, Filters(periode=OKT), Settings(), tingkat="kecamatan")
    assert len(v.table) == 20 and "Desa/Kelurahan" not in v.table.columns
    assert set(v.table["Kuintil"]) == {"K1 (20% teratas)", "K2", "K3", "K4", "K5 (20% terbawah)"}
    assert all_text(v.table.drop(columns=prioritas.SPARKLINE))
    assert all(re.fullmatch(r"\d+ dari \d+", x) for x in v.table["Laporan 12 bln"])  # never '11/12', a date to Excel
    none = prioritas.build(mem_con, Filters(periode=OKT), Settings(), weights=tuple(dict.fromkeys(GROUPS, 0).items()))
    assert none.empty == prioritas.NO_WEIGHT and none.table is None


def test_the_pdf_brief_lists_the_model_ranking(mem_con):
    data = brief.collect(mem_con, PALANG, OKT)
    expected = [k for k, _ in desa_ranking(mem_con, OKT.isoformat(), dict.fromkeys(GROUPS, 1)) if k.startswith(PALANG)]
    assert data.villages["kode"].tolist() == expected[: brief.TOP_VILLAGES]
    assert {f"jumlah:{g}" for g in GROUPS} <= set(data.villages.columns)


def sql_profile(con, kode: str) -> pd.DataFrame:
    """Per active indicator: the area's count, its rank among its peers in the kabupaten and their median, straight
    from the facts."""
    column = "kode_desa" if len(kode) > 8 else "kode_kecamatan"
    per = con.execute(f"""select {column} as kode, kode_indikator, sum(jumlah) as n from pmks_counts
                          where periode = ? group by all""", [OKT]).df()
    rows = []
    for code, nama in con.execute("select kode, nama from indikator where aktif order by nomor").fetchall():
        peers = per[per["kode_indikator"] == code]
        mine = peers.loc[peers["kode"] == kode, "n"]
        n = None if mine.empty else int(mine.iloc[0])
        rank = None if n is None else 1 + int((peers["n"] > n).sum())
        rows.append((nama, n, rank, len(peers), peers["n"].median() if len(peers) else None))
    return pd.DataFrame(rows, columns=["nama", "n", "rank", "dari", "median"])


@pytest.mark.parametrize("kind", ["kecamatan", "desa"])
def test_profil_table_equals_sql(mem_con, kind):
    kode = PALANG if kind == "kecamatan" else mem_con.execute(
        "select min(kode_desa) from laporan where aktif and periode = ? and starts_with(kode_desa, ?)", [OKT, PALANG]).fetchone()[0]
    v = profil.build(mem_con, Filters(periode=OKT, kecamatan=PALANG, desa="" if kind == "kecamatan" else kode), Settings())
    expected = sql_profile(mem_con, kode)
    assert v.table["Indikator"].tolist() == expected["nama"].tolist()
    assert [parse_angka(x) for x in v.table["Jumlah"]] == [None if pd.isna(n) else n for n in expected["n"]]
    assert v.table["Peringkat"].tolist() == [MISSING if pd.isna(r) else f"{int(r)} dari {d} {kind}" for r, d in zip(expected["rank"], expected["dari"])]
    assert [parse_angka(x) for x in v.table[f"Median {kind} se-kabupaten"]] == [None if pd.isna(m) else round(m, 1) for m in expected["median"]]
    assert all_text(v.table)
    assert v.header == ("Kec. Palang" if kind == "kecamatan" else f"{mem_con.execute('select nama from wilayah where kode = ?', [kode]).fetchone()[0]} (Kec. Palang)")
    assert v.brief_kode == PALANG and v.warning is None and v.release_notice is None
    assert v.population.startswith("Jumlah penduduk: ") and v.history.startswith("**Riwayat laporan:** ")


def test_profil_release_mode_hides_small_counts(mem_con):
    desa, small = mem_con.execute("""select kode_desa, count(*) from pmks_counts where periode = ? and jumlah between 1 and 2
                                     group by 1 order by 2 desc, 1 limit 1""", [OKT]).fetchone()
    v = profil.build(mem_con, Filters(periode=OKT, kecamatan=desa[:8], desa=desa, rilis=3), Settings())
    assert v.release_notice and (v.table["Jumlah"] == "<3").sum() == small
    assert not set(v.table["Jumlah"]) & {"1", "2"}
    assert (v.table.loc[v.table["Jumlah"].isin(["<3", "x"]), "Peringkat"] == MISSING).all()  # a rank would tell
    assert all_text(v.table)
    hidden = v.trend_chart.data[0].y
    assert not [y for y in hidden if pd.notna(y) and 0 < y < 3]


def test_profil_follows_the_sidebar_area_and_shows_the_kabupaten_when_none_is_chosen(mem_con):
    kabupaten = profil.build(mem_con, Filters(periode=OKT), Settings())
    assert kabupaten.header == "Kabupaten Tuban" and kabupaten.brief_kode == "35.23"
    assert kabupaten.prompt and "Pilih kecamatan" in kabupaten.prompt and "Filter" in kabupaten.prompt
    total = mem_con.execute("select sum(jumlah) from pmks_counts where periode = ?", [OKT]).fetchone()[0]
    assert sum(parse_angka(x) or 0 for x in kabupaten.table["Jumlah"]) == total
    assert list(kabupaten.table.columns) == ["Indikator", "Kelompok", "Jumlah"]  # no peers to rank a kabupaten among
    kecamatan = profil.build(mem_con, Filters(periode=OKT, kecamatan=PALANG), Settings())
    assert kecamatan.header == "Kec. Palang" and kecamatan.prompt is None and "Kode wilayah 35.23.18" in kecamatan.caption
    desa = queries.desa_list(mem_con, PALANG)["kode"].iloc[0]
    one = profil.build(mem_con, Filters(periode=OKT, kecamatan=PALANG, desa=desa), Settings())
    assert one.header.endswith("(Kec. Palang)") and f"Kode wilayah {desa}" in one.caption and one.brief_kode == PALANG


def test_a_desa_that_did_not_report_says_so(mem_con):
    kode = mem_con.execute("""select min(kode) from wilayah where tingkat = 'desa' and kode not in
                              (select kode_desa from laporan where aktif and periode = ?)""", [OKT]).fetchone()[0]
    v = profil.build(mem_con, Filters(periode=OKT, kecamatan=kode[:8], desa=kode), Settings())
    assert v.warning and v.warning.endswith("belum melapor untuk Oktober 2026.")
    assert set(v.table["Jumlah"]) == {MISSING} and set(v.table["Peringkat"]) == {MISSING}


def test_prioritas_export_is_the_list_shown_with_its_cover_sheet(mem_con):
    import io

    import openpyxl

    from dashboard.export import report_xlsx

    v = prioritas.build(mem_con, Filters(periode=OKT), Settings(), author="staf", today=date(2026, 11, 28))
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(v.export, v.cover, v.export_title, number_formats=v.number_formats)))
    cover = {book["Keterangan"].cell(r, 1).value: book["Keterangan"].cell(r, 2).value for r in range(3, 3 + len(v.cover))}
    assert cover["Dibuat"] == "28 November 2026 oleh staf" and cover["Tingkat"] == "desa/kelurahan"
    sheet = book["Daftar prioritas"]
    header = [c.value for c in sheet[1]]
    assert header == list(v.export.columns) == [c for c in v.table.columns if c != prioritas.SPARKLINE]
    rows = list(sheet.iter_rows(min_row=2, max_row=11, values_only=True))
    assert [r[header.index("Desa/Kelurahan")] for r in rows] == v.table["Desa/Kelurahan"].head(10).tolist()
    assert [f"{r[header.index('Indeks prioritas')]:.1f}".replace(".", ",") for r in rows] == v.table["Indeks prioritas"].head(10).tolist()
    assert sheet.cell(2, header.index("Indeks prioritas") + 1).number_format == "0.0"
