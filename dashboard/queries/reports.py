"""Questions about the PMKS reports: totals, breakdowns by indicator and area, trends, rises, completeness, maps."""

from __future__ import annotations

from datetime import date

import pandas as pd

from common.areas import LENGTH, level_of
from dashboard.queries.areas import desa_count
from dashboard.queries.base import Con, Selection, _ind_filter, selection_total
from dashboard.queries.population import population
from store.sqltext import label, literal


def total_for_month(con: Con, periode: date, sel: Selection) -> dict:
    """Total PMKS for a month with its completeness: reports received out of desa in the area."""
    cond, params = _ind_filter(sel)
    row = con.execute(
        f"""
        select (select coalesce(sum(a.jumlah), 0) from agregat_bulanan a where a.tingkat = ? and a.kode_wilayah = ? and a.periode = ? {cond}),
               (select coalesce(sum(laporan), 0) from agregat_laporan where tingkat = ? and kode_wilayah = ? and periode = ?)
        """,
        [level_of(sel.area), sel.area, periode, *params, level_of(sel.area), sel.area, periode],
    ).fetchall()[0]
    return {"jumlah": int(row[0]), "laporan": int(row[1]), "desa": desa_count(con, sel.area)}


def by_indikator(con: Con, periode: date, sel: Selection) -> pd.DataFrame:
    """Total per indicator for one month."""
    cond, params = _ind_filter(sel)
    return con.execute(
        f"""
        select i.kode, i.nama, i.kelompok, sum(a.jumlah) as jumlah
        from agregat_bulanan a join indikator i on i.kode = a.kode_indikator
        where a.tingkat = ? and a.kode_wilayah = ? and a.periode = ? {cond}
        group by all order by jumlah desc, i.kode
        """,
        [level_of(sel.area), sel.area, periode, *params],
    ).df()


def trend(con: Con, start: date, end: date, sel: Selection) -> pd.DataFrame:
    """Every month with reports (anywhere in the warehouse) between two months (inclusive): the area's total
    (`jumlah`, missing when the area sent no report that month), reports received (`laporan`), desa in the area
    (`desa`), and the like-for-like total over only the desa that reported in every one of those months
    (`sebanding`, over `desa_selalu` desa; missing when no desa did), so that a month with fewer reports does not
    read as fewer PMKS."""
    level = level_of(sel.area)
    total = selection_total(con, sel)
    if total is not None:
        # the report mart's totals answer for the selection, its per-indicator columns for chosen indicators (0027): one
        # row per area (desa) and month instead of one per indicator (nation: 1 million rows, not 26 million; README)
        area, area_params = f"""
            select periode, laporan, {total} as jumlah from agregat_laporan
            where tingkat = ? and kode_wilayah = ? and periode between ? and ?
        """, [level, sel.area, start, end]
        like_for_like, like_params = "select periode, sum(jumlah) as jumlah from d where kode_wilayah in (select kode_wilayah from steady) group by 1", []
    else:  # a chosen indicator without a column of its own: its rows
        cond, params = _ind_filter(sel)
        area, area_params = f"""
            select r.periode, r.laporan, t.jumlah from agregat_laporan r left join (
                select a.periode, sum(a.jumlah) as jumlah from agregat_bulanan a
                where a.tingkat = ? and a.kode_wilayah = ? and a.periode between ? and ? {cond} group by 1
            ) t on t.periode = r.periode
            where r.tingkat = ? and r.kode_wilayah = ? and r.periode between ? and ?
        """, [level, sel.area, start, end, *params, level, sel.area, start, end]
        total, like_for_like, like_params = "jumlah", f"""
            select a.periode, sum(a.jumlah) as jumlah from agregat_bulanan a
            where a.tingkat = 'desa' and a.kode_wilayah in (select kode_wilayah from steady)
              and a.periode in (select periode from months) {cond} group by 1
        """, params
    df = con.execute(
        f"""
        with months as (
            select periode from agregat_laporan
            where tingkat = 'semua' and kode_wilayah = '' and periode between ? and ? and laporan > 0
        ), r as ({area}), d as not materialized (  -- read twice (cheap scans) rather than stored once (slower at nation scale)
            select kode_wilayah, periode, {total} as jumlah from agregat_laporan
            where tingkat = 'desa' and starts_with(kode_wilayah, ?) and periode between ? and ?
              and periode in (select periode from months) and laporan > 0
        ), steady as (
            select kode_wilayah from d group by 1 having count(*) = (select count(*) from months)
        ), s as ({like_for_like})
        select m.periode, case when coalesce(r.laporan, 0) > 0 then coalesce(r.jumlah, 0) end as jumlah,
               coalesce(r.laporan, 0) as laporan, (select count(*) from steady) as desa_selalu,
               case when (select count(*) from steady) > 0 then coalesce(s.jumlah, 0) end as sebanding
        from months m left join r using (periode) left join s using (periode)
        order by m.periode
        """,
        [start, end, *area_params, sel.area, start, end, *like_params],
    ).df()
    df["periode"] = pd.to_datetime(df["periode"]).dt.date
    df["desa"] = desa_count(con, sel.area)
    for col in ("jumlah", "sebanding"):
        df[col] = df[col].astype("Float64")
    return df


def always_reporting(trend_frame: pd.DataFrame) -> int:
    """How many desa reported in every month of a `trend` frame (those behind its `sebanding` total)."""
    return int(trend_frame["desa_selalu"].iloc[0]) if len(trend_frame) else 0


def by_wilayah(con: Con, periode: date, sel: Selection, tingkat: str) -> pd.DataFrame:
    """Total per kecamatan or desa for one month, with reports received, desa count and population."""
    cond, params = _ind_filter(sel)
    length = LENGTH[tingkat]
    df = con.execute(
        f"""
        with w as (
            select kode, nama from wilayah where tingkat = ? and starts_with(kode, ?)
        ), d as (
            select left(kode, {length}) as kode, count(*) as desa from wilayah
            where tingkat = 'desa' and starts_with(kode, ?) group by 1
        ), r as (
            select kode_wilayah as kode, laporan from agregat_laporan
            where tingkat = {literal(tingkat)} and starts_with(kode_wilayah, ?) and periode = ?
        ), v as (
            select a.kode_wilayah as kode, sum(a.jumlah) as jumlah from agregat_bulanan a
            where a.tingkat = {literal(tingkat)} and starts_with(a.kode_wilayah, ?) and a.periode = ? {cond}
            group by 1
        )
        select w.kode, w.nama, coalesce(r.laporan, 0) as laporan, d.desa, v.jumlah
        from w join d using (kode) left join r using (kode) left join v using (kode)
        order by w.kode
        """,
        [tingkat, sel.area, sel.area, sel.area, periode, sel.area, periode, *params],
    ).df()
    pop = population(con, tingkat, sel.area, periode)
    df = df.merge(pop, on="kode", how="left")
    df["per_1000"] = df["jumlah"] / df["penduduk"] * 1000
    df.loc[df["laporan"] == 0, "jumlah"] = pd.NA
    return df


def not_reported(con: Con, periode: date, area: str) -> pd.DataFrame:
    """Desa with no active report for the month."""
    return con.execute(
        """
        select d.kode, d.nama, k.nama as kecamatan from wilayah d join wilayah k on k.kode = d.kode_induk
        where d.tingkat = 'desa' and starts_with(d.kode, ?)
          and d.kode not in (select kode_desa from laporan where aktif and periode = ?)
        order by k.nama, d.nama
        """,
        [area, periode],
    ).df()


RISE_BASELINE, RISE_LOOKBACK = 3, 12  # the median of up to 3 trustworthy reports within the 12 months before


def sharpest_rises(con: Con, periode: date, sel: Selection, limit: int = 10, baseline: int = RISE_BASELINE,
                   lookback: int = RISE_LOOKBACK) -> pd.DataFrame:
    """Desa whose total rose most above a trustworthy previous value: the median (rounded to whole persons) of
    their latest `baseline` reports within `lookback` months before `periode` that were neither all-zero reports
    nor zero for the selection. A desa without such a report is not listed: an all-zero or missing month is no
    baseline (0 → 440 after months of about 470 is no rise). Columns: kode, nama, kecamatan, sebelumnya (the
    baseline), pembanding (reports it rests on), sekarang, kenaikan."""
    back = periode.year * 12 + periode.month - 1 - lookback
    since = date(back // 12, back % 12 + 1, 1)
    total = selection_total(con, sel)
    if total is not None:  # the report mart's totals answer for the selection (migration 0027): one row per desa and month
        totals, params = f"""
            select kode_wilayah as kode_desa, periode, semua_nol, {total} as jumlah from agregat_laporan
            where tingkat = 'desa' and starts_with(kode_wilayah, ?) and periode between ? and ? and laporan > 0
        """, [sel.area, since, periode]
    else:
        totals, params = _selected_totals(sel), [sel.area, since, periode, *_ind_filter(sel)[1], sel.area, since, periode]
    return con.execute(
        f"""
        with t as not materialized ({totals}), base as (
            -- the latest `baseline` trustworthy reports of each desa: a top-n per group (no sort of every desa's year)
            select kode_desa, round(list_aggregate(latest, 'median'))::bigint as sebelumnya, len(latest) as pembanding from (
                select kode_desa, max_by(jumlah, periode, ?) as latest from t
                where periode < ? and semua_nol = 0 and jumlah > 0 group by 1
            )
        ), top as (
            select t.kode_desa, base.sebelumnya, base.pembanding, t.jumlah as sekarang, t.jumlah - base.sebelumnya as kenaikan
            from t join base using (kode_desa)
            where t.periode = ? and t.jumlah > base.sebelumnya
            order by kenaikan desc, t.kode_desa limit ?
        )
        select d.kode, d.nama, k.nama as kecamatan, top.sebelumnya, top.pembanding, top.sekarang, top.kenaikan
        from top join wilayah d on d.kode = top.kode_desa join wilayah k on k.kode = d.kode_induk
        order by top.kenaikan desc, d.kode
        """,
        [*params, baseline, periode, periode, limit],
    ).df()


def _selected_totals(sel: Selection) -> str:
    """SQL of each desa report's total over the selected indicators (parameters: area, start, end, indicators,
    area, start, end)."""
    cond, _ = _ind_filter(sel)
    return f"""
        select r.kode_wilayah as kode_desa, r.periode, r.semua_nol, coalesce(v.jumlah, 0)::bigint as jumlah
        from agregat_laporan r
        left join (select a.kode_wilayah, a.periode, sum(a.jumlah) as jumlah from agregat_bulanan a
                   where a.tingkat = 'desa' and starts_with(a.kode_wilayah, ?) and a.periode between ? and ? {cond}
                   group by all) v on v.kode_wilayah = r.kode_wilayah and v.periode = r.periode
        where r.tingkat = 'desa' and starts_with(r.kode_wilayah, ?) and r.periode between ? and ? and r.laporan > 0
    """


def pivot_wide(con: Con, periode: date, sel: Selection, tingkat: str) -> pd.DataFrame:
    """One row per wilayah (kecamatan or desa), one column per indicator (named, in Permensos order) for one month.

    Pivoted in SQL: at nation scale that returns 7.000 rows instead of 180.000 to pandas.
    """
    if sel.indikator:
        indicators = con.execute("select kode, nama from indikator where kode in (select unnest(?::varchar[])) order by nomor", [list(sel.indikator)]).fetchall()
    else:
        indicators = con.execute("select kode, nama from indikator where aktif order by nomor").fetchall()
    if not indicators:
        return pd.DataFrame(columns=["kode", "nama"])
    columns = ", ".join(f"sum(a.jumlah) filter (a.kode_indikator = ?) as {label(nama)}" for _, nama in indicators)
    return con.execute(
        f"""
        with p as (
            select a.kode_wilayah as kode, {columns} from agregat_bulanan a
            where a.tingkat = {literal(tingkat)} and starts_with(a.kode_wilayah, ?) and a.periode = ?
            group by 1
        )
        select p.kode, w.nama, p.* exclude (kode) from p join wilayah w on w.kode = p.kode order by p.kode
        """,
        [*(kode for kode, _ in indicators), sel.area, periode],
    ).df()


def report_status(con: Con, start: date, end: date, area: str, due_day: int) -> pd.DataFrame:
    """Status of every desa x month: tepat waktu, terlambat, belum lapor or semua nol."""
    df = con.execute(
        """
        with months as (
            select unnest(generate_series(?::date, ?::date, interval 1 month))::date as periode
        ), lap as (
            select l.kode_desa, l.periode, l.diterima, r.semua_nol
            from laporan l join agregat_laporan r on r.kode_wilayah = l.kode_desa and r.periode = l.periode
            where l.aktif and l.periode between ? and ? and starts_with(l.kode_desa, ?)
        )
        select d.kode, d.nama, k.kode as kode_kecamatan, k.nama as kecamatan, m.periode,
               case when lap.kode_desa is null then 'belum lapor'
                    when lap.semua_nol > 0 then 'semua nol'
                    when lap.diterima::date <= make_date(year(m.periode + interval 1 month), month(m.periode + interval 1 month), ?)
                        then 'tepat waktu'
                    else 'terlambat' end as status,
               lap.diterima
        from wilayah d join wilayah k on k.kode = d.kode_induk cross join months m
        left join lap on lap.kode_desa = d.kode and lap.periode = m.periode
        where d.tingkat = 'desa' and starts_with(d.kode, ?)
        order by k.nama, d.nama, m.periode
        """,
        [start, end, start, end, area, due_day, area],
    ).df()
    df["periode"] = df["periode"].dt.date
    return df


def area_profile(con: Con, kode: str, periode: date) -> pd.DataFrame:
    """Every active indicator for one kecamatan or desa in a month: value, rank among its peers in the same
    kabupaten (kecamatan among kecamatan, desa among desa), and the peers' median."""
    return con.execute(
        """
        with v as (
            select kode_wilayah as kode, kode_indikator, jumlah from agregat_bulanan
            where tingkat = ? and starts_with(kode_wilayah, left(?, 5)) and periode = ?
        ), mine as (
            select kode_indikator, jumlah from v where kode = ?
        ), peers as (
            select v.kode_indikator, count(*) as dari, median(v.jumlah) as median_kabupaten,
                   1 + count(*) filter (v.jumlah > mine.jumlah) as peringkat
            from v left join mine using (kode_indikator)
            group by v.kode_indikator
        )
        select i.kode, i.nama, i.kelompok, mine.jumlah, case when mine.jumlah is not null then p.peringkat end as peringkat,
               p.dari, p.median_kabupaten
        from indikator i left join mine on mine.kode_indikator = i.kode left join peers p on p.kode_indikator = i.kode
        where i.aktif order by i.nomor
        """,
        [level_of(kode), kode, periode, kode],
    ).df()


def like_for_like(con: Con, periode: date, other: date, sel: Selection) -> dict:
    """Totals of both months over only the desa that reported in both: a change not made by who reported."""
    cond, params = _ind_filter(sel)
    row = con.execute(
        f"""
        with both_months as (
            select kode_wilayah from agregat_laporan
            where tingkat = 'desa' and starts_with(kode_wilayah, ?) and periode in (?, ?) and laporan > 0
            group by 1 having count(*) = 2
        )
        select count(distinct b.kode_wilayah),
               coalesce(sum(a.jumlah) filter (a.periode = ?), 0), coalesce(sum(a.jumlah) filter (a.periode = ?), 0)
        from both_months b left join agregat_bulanan a on a.kode_wilayah = b.kode_wilayah and a.periode in (?, ?) {cond}
        """,
        [sel.area, periode, other, periode, other, periode, other, *params],
    ).fetchall()[0]
    return {"desa": int(row[0]), "sekarang": int(row[1]), "pembanding": int(row[2])}


def map_values(con: Con, start: date, end: date, sel: Selection, tingkat: str, how: str = "sum") -> pd.DataFrame:
    """Value per kecamatan or desa over a month range, for maps.

    how: 'sum' (total of the months) or 'mean' (average over the months the area reported). Columns: kode, nama,
    kecamatan, bulan (months with reports), laporan (desa reports received), desa, jumlah, penduduk, perkiraan, per_1000.
    """
    cond, params = _ind_filter(sel)
    length = LENGTH[tingkat]
    df = con.execute(
        f"""
        with w as (
            select w.kode, w.nama, k.nama as kecamatan from wilayah w left join wilayah k on k.kode = w.kode_induk
            where w.tingkat = ? and starts_with(w.kode, ?)
        ), d as (
            select left(kode, {length}) as kode, count(*) as desa from wilayah where tingkat = 'desa' and starts_with(kode, ?) group by 1
        ), r as (
            select kode_wilayah as kode, count(*) as bulan, sum(laporan) as laporan from agregat_laporan
            where tingkat = {literal(tingkat)} and starts_with(kode_wilayah, ?) and periode between ? and ? and laporan > 0
            group by 1
        ), v as (
            select a.kode_wilayah as kode, sum(a.jumlah) as jumlah from agregat_bulanan a
            where a.tingkat = {literal(tingkat)} and starts_with(a.kode_wilayah, ?) and a.periode between ? and ? {cond}
            group by 1
        )
        select w.kode, w.nama, w.kecamatan, coalesce(r.bulan, 0) as bulan, coalesce(r.laporan, 0) as laporan, d.desa,
               case when r.bulan is null then null
                    when ? = 'mean' then coalesce(v.jumlah, 0) / r.bulan else coalesce(v.jumlah, 0) end as jumlah
        from w join d using (kode) left join r using (kode) left join v using (kode)
        order by w.kode
        """,
        [tingkat, sel.area, sel.area, sel.area, start, end, sel.area, start, end, *params, how],
    ).df()
    pop = population(con, tingkat, sel.area, end)
    df = df.merge(pop, on="kode", how="left")
    df["jumlah"] = df["jumlah"].astype("Float64")
    df["per_1000"] = df["jumlah"] / df["penduduk"] * 1000
    return df
