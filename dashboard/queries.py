"""Every SQL question the pages ask, as named functions with bound parameters that return DataFrames.

`Selection.area` narrows a question to the whole warehouse (''), a provinsi, kabupaten, kecamatan or desa,
by Kemendagri code. Totals come from the pre-aggregated marts of migration 0002 (`agregat_bulanan`,
`agregat_laporan`: one row per area x month [x indicator] at every level, kept current by the ETL), so a
question about the nation reads a few hundred rows instead of scanning a hundred million facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from etl.marts import LENGTH, level_of

Con = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Selection:
    """What the user filtered: area by code prefix ('' = all), indicators (empty = all active)."""

    area: str = ""
    indikator: tuple[str, ...] = ()




def _ind_filter(sel: Selection, alias: str = "a") -> tuple[str, list]:
    if sel.indikator:
        return f" and {alias}.kode_indikator in (select unnest(?::varchar[]))", [list(sel.indikator)]
    return f" and {alias}.kode_indikator in (select kode from indikator where aktif)", []


def warehouse_info(con: Con) -> dict:
    """Region, last load and whether the data is synthetic."""
    row = con.execute("""
        select (select nilai from pengaturan where kunci = 'kode_wilayah'),
               exists (select 1 from laporan where aktif and sintetis),
               (select max(waktu) from impor_batch where status = 'aktif'),
               (select coalesce(sum(laporan), 0) from agregat_laporan where tingkat = 'semua' and kode_wilayah = ''),
               (select count(*) from batas_wilayah)
    """).fetchone()
    code = row[0]
    name = con.execute("select nama from wilayah where kode = ?", [code]).fetchone() if code else None
    return {"kode": code, "nama": name[0] if name else None, "sintetis": bool(row[1]), "dimuat": row[2], "laporan": row[3], "batas": row[4]}


def setting(con: Con, key: str) -> str | None:
    """A value of the `pengaturan` table (configuration kept in the warehouse)."""
    row = con.execute("select nilai from pengaturan where kunci = ?", [key]).fetchone()
    return row[0] if row else None


def periods(con: Con) -> list[date]:
    """Months that have at least one active report, oldest first."""
    return [r[0] for r in con.execute("select periode from agregat_laporan where tingkat = 'semua' and kode_wilayah = '' and laporan > 0 order by periode").fetchall()]


def latest_complete_month(con: Con, today: date, due_day: int) -> date | None:
    """The newest month with reports whose due date (day `due_day` of the next month) has passed."""
    for p in reversed(periods(con)):
        nxt = date(p.year + (p.month == 12), p.month % 12 + 1, due_day)
        if nxt < today:
            return p
    ps = periods(con)
    return ps[0] if ps else None


def kecamatan_list(con: Con) -> pd.DataFrame:
    return con.execute("select kode, nama from wilayah where tingkat = 'kecamatan' order by nama").df()


def desa_list(con: Con, kecamatan: str = "") -> pd.DataFrame:
    return con.execute(
        """
        select d.kode, d.nama, d.jenis, k.nama as kecamatan from wilayah d join wilayah k on k.kode = d.kode_induk
        where d.tingkat = 'desa' and starts_with(d.kode, ?) order by d.nama
        """,
        [kecamatan],
    ).df()


def indikator_list(con: Con, only_active: bool = True) -> pd.DataFrame:
    return con.execute(
        "select kode, nomor, nama, singkatan, kelompok, definisi, aktif, sumber from indikator where aktif or not ? order by nomor",
        [only_active],
    ).df()


def desa_count(con: Con, area: str) -> int:
    return con.execute("select count(*) from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [area]).fetchone()[0]


def total_for_month(con: Con, periode: date, sel: Selection) -> dict:
    """Total PMKS for a month with its completeness: reports received out of desa in the area."""
    cond, params = _ind_filter(sel)
    row = con.execute(
        f"""
        select (select coalesce(sum(a.jumlah), 0) from agregat_bulanan a where a.tingkat = ? and a.kode_wilayah = ? and a.periode = ? {cond}),
               (select coalesce(sum(laporan), 0) from agregat_laporan where tingkat = ? and kode_wilayah = ? and periode = ?)
        """,
        [level_of(sel.area), sel.area, periode, *params, level_of(sel.area), sel.area, periode],
    ).fetchone()
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
    """Monthly total and number of reports between two months (inclusive)."""
    cond, params = _ind_filter(sel)
    return con.execute(
        f"""
        select r.periode, coalesce(t.jumlah, 0) as jumlah, r.laporan
        from agregat_laporan r
        left join (select periode, sum(a.jumlah) as jumlah from agregat_bulanan a
                   where a.tingkat = ? and a.kode_wilayah = ? and a.periode between ? and ? {cond} group by periode) t on t.periode = r.periode
        where r.tingkat = ? and r.kode_wilayah = ? and r.periode between ? and ? and r.laporan > 0
        order by r.periode
        """,
        [level_of(sel.area), sel.area, start, end, *params, level_of(sel.area), sel.area, start, end],
    ).df()


def population(con: Con, tingkat: str, area: str, periode: date | int) -> pd.DataFrame:
    """Population per wilayah for a report month: kode, penduduk, perkiraan, sumber_penduduk (source and date).

    The one place every rate gets its denominator (view `penduduk_acuan`: census/CSV figures and imported desa
    files). Per wilayah: a real figure before an estimate; among those, the latest reference date not after the
    report month, else the earliest after it. An int `periode` is a year (its January), as callers once passed.
    """
    month = date(periode, 1, 1) if isinstance(periode, int) else date(periode.year, periode.month, 1)
    return population_by_month(con, tingkat, area, [month]).drop(columns="periode")


def population_by_month(con: Con, tingkat: str, area: str, months: list[date]) -> pd.DataFrame:
    """`population` for several report months in one query: kode, periode, penduduk, perkiraan, sumber_penduduk."""
    sql = """
        with m as (select unnest(?::date[]) as periode), c as (
            select p.kode_wilayah as kode, p.jumlah, p.perkiraan, p.label, date_trunc('month', p.acuan) as bulan
            from penduduk_acuan p join wilayah w on w.kode = p.kode_wilayah
            where w.tingkat = ? and starts_with(w.kode, ?)
        ), ranked as (
            select m.periode, c.*, row_number() over (partition by c.kode, m.periode order by c.perkiraan, c.bulan <= m.periode desc,
                                                      case when c.bulan <= m.periode then c.bulan end desc, c.bulan, c.label) as nomor
            from m cross join c
        )
        select kode, periode, jumlah as penduduk, perkiraan, label as sumber_penduduk from ranked where nomor = 1 order by kode, periode
    """
    params = [[date(m.year, m.month, 1) for m in months], tingkat, area]
    try:
        return con.execute(sql, params).df()
    except duckdb.CatalogException:  # a warehouse from before migration 0010 (until `python -m etl init` runs)
        return con.execute(sql.replace("penduduk_acuan p", "(select *, make_date(tahun, 1, 1) as acuan, sumber as label "
                                       "from penduduk) p"), params).df()


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
            where tingkat = '{tingkat}' and starts_with(kode_wilayah, ?) and periode = ?
        ), v as (
            select a.kode_wilayah as kode, sum(a.jumlah) as jumlah from agregat_bulanan a
            where a.tingkat = '{tingkat}' and starts_with(a.kode_wilayah, ?) and a.periode = ? {cond}
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


def sharpest_rises(con: Con, periode: date, previous: date, sel: Selection, limit: int = 10) -> pd.DataFrame:
    """Desa whose total rose most from the previous month (both months reported)."""
    all_indicators = not sel.indikator and con.execute("select bool_and(aktif) from indikator").fetchone()[0]
    if all_indicators:  # the report totals of the mart answer it without touching per-indicator rows
        totals, params = """
            select kode_wilayah as kode_desa, periode, jumlah from agregat_laporan
            where tingkat = 'desa' and starts_with(kode_wilayah, ?) and periode in (?, ?) and laporan > 0
        """, [sel.area, periode, previous]
    else:
        cond, ind = _ind_filter(sel)
        totals = f"""
            select r.kode_wilayah as kode_desa, r.periode, coalesce(v.jumlah, 0) as jumlah
            from agregat_laporan r
            left join (select a.kode_wilayah, a.periode, sum(a.jumlah) as jumlah from agregat_bulanan a
                       where a.tingkat = 'desa' and starts_with(a.kode_wilayah, ?) and a.periode in (?, ?) {cond}
                       group by all) v on v.kode_wilayah = r.kode_wilayah and v.periode = r.periode
            where r.tingkat = 'desa' and starts_with(r.kode_wilayah, ?) and r.periode in (?, ?) and r.laporan > 0
        """
        params = [sel.area, periode, previous, *ind, sel.area, periode, previous]
    return con.execute(
        f"""
        with t as ({totals}), top as (
            select a.kode_desa, b.jumlah as sebelumnya, a.jumlah as sekarang, a.jumlah - b.jumlah as kenaikan
            from t a join t b on a.kode_desa = b.kode_desa and a.periode = ? and b.periode = ?
            where a.jumlah > b.jumlah
            order by kenaikan desc, a.kode_desa limit ?
        )
        select d.kode, d.nama, k.nama as kecamatan, top.sebelumnya, top.sekarang, top.kenaikan
        from top join wilayah d on d.kode = top.kode_desa join wilayah k on k.kode = d.kode_induk
        order by top.kenaikan desc, d.kode
        """,
        [*params, periode, previous, limit],
    ).df()


def _identifier(name: str) -> str:
    """A column name quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


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
    columns = ", ".join(f"sum(a.jumlah) filter (a.kode_indikator = ?) as {_identifier(nama)}" for _, nama in indicators)
    return con.execute(
        f"""
        with p as (
            select a.kode_wilayah as kode, {columns} from agregat_bulanan a
            where a.tingkat = '{tingkat}' and starts_with(a.kode_wilayah, ?) and a.periode = ?
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


def area_trend_by_indikator(con: Con, kode: str, start: date, end: date) -> pd.DataFrame:
    """Monthly value per indicator for one kecamatan or desa."""
    return con.execute(
        """
        select periode, kode_indikator as kode, jumlah from agregat_bulanan
        where tingkat = ? and kode_wilayah = ? and periode between ? and ?
        order by periode
        """,
        [level_of(kode), kode, start, end],
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
    ).fetchone()
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
            where tingkat = '{tingkat}' and starts_with(kode_wilayah, ?) and periode between ? and ? and laporan > 0
            group by 1
        ), v as (
            select a.kode_wilayah as kode, sum(a.jumlah) as jumlah from agregat_bulanan a
            where a.tingkat = '{tingkat}' and starts_with(a.kode_wilayah, ?) and a.periode between ? and ? {cond}
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


def map_geometry(con: Con, tingkat: str, area: str) -> pd.DataFrame:
    """Simplified map geometry (GeoJSON strings prepared at import) of the kecamatan or desa in an area;
    the coarser copy when the map spans more than one kabupaten."""
    return con.execute(
        """
        with b as (select * from batas_wilayah where tingkat = ? and starts_with(kode, ?)),
        wide as (select count(distinct left(kode, 5)) > 1 as wide from b)
        select kode, case when wide.wide then coalesce(geom_peta_ringkas, geom_peta) else geom_peta end as geom_peta
        from b, wide order by kode
        """,
        [tingkat, area],
    ).df()


def area_label(con: Con, kode: str) -> str:
    """'Menilo (Kec. Soko)' for a desa, 'Kec. Soko' for a kecamatan."""
    row = con.execute("""select w.nama, w.tingkat, k.nama from wilayah w left join wilayah k on k.kode = w.kode_induk
                         where w.kode = ?""", [kode]).fetchone()
    if row is None:
        return kode
    return f"{row[0]} (Kec. {row[2]})" if row[1] == "desa" else (f"Kec. {row[0]}" if row[1] == "kecamatan" else row[0])


def import_batches(con: Con, area: str = "") -> pd.DataFrame:
    """Every import batch with who, when, what and how much. With an area (a user's kecamatan scope), only the
    batches that touch it (a report of theirs lies in it, or was replaced or undone by them), and `di_luar` says
    whether the batch also touches reports outside it."""
    return con.execute("""
        with touched as (
            select batch_id as id, kode_desa from laporan
            union all select diganti_batch, kode_desa from laporan where diganti_batch is not null
        ), scope as (
            select id, bool_or(starts_with(kode_desa, ?)) as di_dalam, bool_or(not starts_with(kode_desa, ?)) as di_luar
            from touched group by id
        )
        select b.id, b.waktu, b.pengguna, b.jenis, b.status, b.keterangan,
               count(distinct f.sha256) as berkas, (select count(*) from laporan l where l.batch_id = b.id) as laporan,
               string_agg(f.nama_berkas || ' (' || left(f.sha256, 12) || ')', '; ' order by f.nama_berkas) as rincian,
               coalesce(any_value(s.di_luar), false) as di_luar
        from impor_batch b left join berkas_impor f on f.batch_id = b.id left join scope s on s.id = b.id
        where ? = '' or coalesce(s.di_dalam, false)
        group by all order by b.id desc
    """, [area, area, area]).df()


def audit_log(con: Con, limit: int = 500) -> pd.DataFrame:
    return con.execute("select waktu, pengguna, aksi, objek, rincian from audit order by id desc limit ?", [limit]).df()


def priority_counts(con: Con, periode: date, area: str) -> pd.DataFrame:
    """PMKS per desa x indicator group in one month, for the priority index: one row per desa and group with
    kode, nama, kode_kecamatan, kecamatan, penduduk, perkiraan, laporan (1 = reported), kelompok, jumlah
    (null when the desa did not report). Only active indicators count."""
    df = con.execute(
        """
        with w as (
            select d.kode, d.nama, d.kode_induk as kode_kecamatan, k.nama as kecamatan
            from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa' and starts_with(d.kode, ?)
        ), g as (
            select distinct kelompok from indikator where aktif
        ), r as (
            select kode_wilayah as kode, laporan from agregat_laporan where tingkat = 'desa' and starts_with(kode_wilayah, ?) and periode = ?
        ), v as (
            select a.kode_wilayah as kode, i.kelompok, sum(a.jumlah) as jumlah
            from agregat_bulanan a join indikator i on i.kode = a.kode_indikator and i.aktif
            where a.tingkat = 'desa' and starts_with(a.kode_wilayah, ?) and a.periode = ? group by all
        )
        select w.kode, w.nama, w.kode_kecamatan, w.kecamatan, g.kelompok, coalesce(r.laporan, 0) as laporan,
               case when r.laporan > 0 then coalesce(v.jumlah, 0) end as jumlah
        from w cross join g left join r using (kode) left join v on v.kode = w.kode and v.kelompok = g.kelompok
        order by w.kode, g.kelompok
        """,
        [area, area, periode, area, periode],
    ).df()
    return df.merge(population(con, "desa", area, periode), on="kode", how="left")


def area_monthly(con: Con, start: date, end: date, tingkat: str, area: str) -> pd.DataFrame:
    """Total of the active indicators and reports per area (kecamatan or desa) and month: kode, periode, jumlah,
    laporan. Months without a report have no row."""
    return con.execute(
        f"""
        select r.kode_wilayah as kode, r.periode, coalesce(sum(a.jumlah), 0) as jumlah, any_value(r.laporan) as laporan
        from agregat_laporan r
        left join agregat_bulanan a on a.tingkat = r.tingkat and a.kode_wilayah = r.kode_wilayah and a.periode = r.periode
             and a.kode_indikator in (select kode from indikator where aktif)
        where r.tingkat = '{tingkat}' and starts_with(r.kode_wilayah, ?) and r.periode between ? and ? and r.laporan > 0
        group by all order by 1, 2
        """,
        [area, start, end],
    ).df()


def population_coverage(con: Con, periode: date, area: str = "") -> pd.DataFrame:
    """Per kecamatan: desa with a real population figure for the month, an estimate, or none (dashboard.penduduk)."""
    from dashboard.penduduk import coverage

    return coverage(con, periode, area)


def population_sources(con: Con, periode: date, area: str = "") -> pd.DataFrame:
    """The population sources and dates the rates of a month use, per level (dashboard.penduduk)."""
    from dashboard.penduduk import sources_in_use

    return sources_in_use(con, periode, area)


def area_monthly_rates(con: Con, start: date, end: date, tingkat: str, area: str) -> pd.DataFrame:
    """`area_monthly` with each month's own population (kode, periode, jumlah, laporan, penduduk, perkiraan,
    sumber_penduduk, per_1000): a rate over months on both sides of a new population figure uses the right one."""
    df = area_monthly(con, start, end, tingkat, area)
    months = sorted({pd.Timestamp(m).date() for m in df["periode"]})
    pop = population_by_month(con, tingkat, area, months)
    out = df.assign(periode=pd.to_datetime(df["periode"])).merge(pop.assign(periode=pd.to_datetime(pop["periode"])),
                                                                 on=["kode", "periode"], how="left")
    out["per_1000"] = out["jumlah"] / out["penduduk"] * 1000
    return out
