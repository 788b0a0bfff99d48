"""The 12-month trend's like-for-like line and the sharpest rises, made fast at nation scale (issue 23), answer exactly
what their plain definitions answer: checked against straightforward reference queries over the desa marts, for the
whole warehouse, a kecamatan, chosen indicators and a deactivated one, in several months."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import queries as q

MONTHS = [date(2026, 10, 1), date(2026, 4, 1), date(2025, 12, 1)]


def reference_trend(con, start: date, end: date, sel: q.Selection) -> pd.DataFrame:
    """The like-for-like total by its definition: desa that reported in every month with reports, summed per month."""
    names = list(sel.indikator) or [r[0] for r in con.execute("select kode from indikator where aktif").fetchall()]
    months = [r[0] for r in con.execute("select periode from agregat_laporan where tingkat = 'semua' and periode between ? and ? "
                                        "and laporan > 0 order by 1", [start, end]).fetchall()]
    reports = con.execute("select kode_wilayah, periode from agregat_laporan where tingkat = 'desa' and laporan > 0 "
                          "and starts_with(kode_wilayah, ?)", [sel.area]).df()
    reports = reports[reports["periode"].dt.date.isin(months)]
    counts = reports.groupby("kode_wilayah").size()
    steady = set(counts[counts == len(months)].index)
    values = con.execute("select kode_wilayah, periode, kode_indikator, jumlah from agregat_bulanan where tingkat = 'desa'").df()
    values = values[values["kode_wilayah"].isin(steady) & values["kode_indikator"].isin(names) & values["periode"].dt.date.isin(months)]
    sums = values.groupby(values["periode"].dt.date)["jumlah"].sum()
    return pd.DataFrame({"periode": months, "desa_selalu": len(steady),
                         "sebanding": [float(sums.get(m, 0)) if steady else None for m in months]})


REFERENCE_RISES = """
    with t as (
        select r.kode_wilayah as kode_desa, r.periode, r.semua_nol, coalesce(v.jumlah, 0) as jumlah from agregat_laporan r
        left join (select kode_wilayah, periode, sum(jumlah) as jumlah from agregat_bulanan where tingkat = 'desa'
                   and kode_indikator in (select unnest(?::varchar[])) group by 1, 2) v
          on v.kode_wilayah = r.kode_wilayah and v.periode = r.periode
        where r.tingkat = 'desa' and starts_with(r.kode_wilayah, ?) and r.periode between ? and ? and r.laporan > 0
    ), base as (
        select kode_desa, round(median(jumlah))::bigint as sebelumnya, count(*) as pembanding from (
            select kode_desa, jumlah, row_number() over (partition by kode_desa order by periode desc) as k
            from t where periode < ? and semua_nol = 0 and jumlah > 0
        ) where k <= 3 group by 1
    )
    select t.kode_desa, base.sebelumnya, base.pembanding, t.jumlah as sekarang, t.jumlah - base.sebelumnya as kenaikan
    from t join base using (kode_desa) where t.periode = ? and t.jumlah > base.sebelumnya
    order by kenaikan desc, t.kode_desa limit 10
"""


def selections(con) -> list[q.Selection]:
    kec = con.execute("select min(kode) from wilayah where tingkat = 'kecamatan'").fetchone()[0]
    return [q.Selection(), q.Selection(area=kec), q.Selection(indikator=("FM", "PD")), q.Selection(area=kec, indikator=("LUT",))]


@pytest.mark.parametrize("periode", MONTHS)
def test_like_for_like_line_is_its_definition(mem_con, periode):
    start = date(periode.year - 1, periode.month, 1)
    for sel in selections(mem_con):
        got = q.trend(mem_con, start, periode, sel)
        want = reference_trend(mem_con, start, periode, sel)
        assert list(got["periode"]) == list(want["periode"])
        assert q.always_reporting(got) == want["desa_selalu"].iloc[0]
        assert [None if pd.isna(v) else float(v) for v in got["sebanding"]] == list(want["sebanding"]), sel


@pytest.mark.parametrize("periode", MONTHS)
def test_sharpest_rises_are_their_definition(mem_con, periode):
    since = date(periode.year - 1, periode.month, 1)
    active = [r[0] for r in mem_con.execute("select kode from indikator where aktif").fetchall()]
    for sel in selections(mem_con):
        got = q.sharpest_rises(mem_con, periode, sel)
        want = mem_con.execute(REFERENCE_RISES, [list(sel.indikator) or active, sel.area, since, periode, periode, periode]).fetchall()
        assert [tuple(r) for r in got[["kode", "sebelumnya", "pembanding", "sekarang", "kenaikan"]].itertuples(index=False)] == \
            [tuple(r) for r in want], sel


def test_a_deactivated_indicator_leaves_the_like_for_like_line_and_the_rises(mem_con):
    mem_con.execute("update indikator set aktif = false where kode = 'FM'")
    try:
        periode, start = MONTHS[0], date(2025, 10, 1)
        got = q.trend(mem_con, start, periode, q.Selection())
        want = reference_trend(mem_con, start, periode, q.Selection())
        assert [float(v) for v in got["sebanding"]] == list(want["sebanding"])
        active = [r[0] for r in mem_con.execute("select kode from indikator where aktif").fetchall()]
        rises = q.sharpest_rises(mem_con, periode, q.Selection())
        want_rises = mem_con.execute(REFERENCE_RISES, [active, "", start, periode, periode, periode]).fetchall()
        assert [tuple(r) for r in rises[["kode", "sebelumnya", "pembanding", "sekarang", "kenaikan"]].itertuples(index=False)] == \
            [tuple(r) for r in want_rises]
    finally:
        mem_con.execute("update indikator set aktif = true where kode = 'FM'")
