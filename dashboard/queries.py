"""Every SQL question the pages ask, as named functions with bound parameters that return DataFrames.

`Area` narrows a question to the whole warehouse, one kecamatan or one desa, by Kemendagri code prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

Con = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Selection:
    """What the user filtered: area by code prefix ('' = all), indicators (empty = all active)."""

    area: str = ""
    indikator: tuple[str, ...] = ()


def _ind_filter(sel: Selection, alias: str = "n") -> tuple[str, list]:
    if sel.indikator:
        return f" and {alias}.kode_indikator in (select unnest(?::varchar[]))", [list(sel.indikator)]
    return f" and {alias}.kode_indikator in (select kode from indikator where aktif)", []


def warehouse_info(con: Con) -> dict:
    """Region, last load and whether the data is synthetic."""
    row = con.execute("""
        select (select nilai from pengaturan where kunci = 'kode_wilayah'),
               (select count(*) from laporan where aktif and sintetis) > 0,
               (select max(waktu) from impor_batch where status = 'aktif'),
               (select count(*) from laporan where aktif),
               (select count(*) from batas_wilayah)
    """).fetchone()
    code = row[0]
    name = con.execute("select nama from wilayah where kode = ?", [code]).fetchone() if code else None
    return {"kode": code, "nama": name[0] if name else None, "sintetis": bool(row[1]), "dimuat": row[2], "laporan": row[3], "batas": row[4]}


def periods(con: Con) -> list[date]:
    """Months that have at least one active report, oldest first."""
    return [r[0] for r in con.execute("select distinct periode from laporan where aktif order by periode").fetchall()]


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
        select coalesce(sum(n.jumlah), 0), count(distinct l.id)
        from laporan l left join laporan_nilai n on n.laporan_id = l.id {cond}
        where l.aktif and l.periode = ? and starts_with(l.kode_desa, ?)
        """,
        [*params, periode, sel.area],
    ).fetchone()
    return {"jumlah": int(row[0]), "laporan": int(row[1]), "desa": desa_count(con, sel.area)}


def by_indikator(con: Con, periode: date, sel: Selection) -> pd.DataFrame:
    """Total per indicator for one month."""
    cond, params = _ind_filter(sel)
    return con.execute(
        f"""
        select i.kode, i.nama, i.kelompok, sum(n.jumlah) as jumlah
        from laporan l join laporan_nilai n on n.laporan_id = l.id {cond}
        join indikator i on i.kode = n.kode_indikator
        where l.aktif and l.periode = ? and starts_with(l.kode_desa, ?)
        group by all order by jumlah desc, i.kode
        """,
        [*params, periode, sel.area],
    ).df()


def trend(con: Con, start: date, end: date, sel: Selection) -> pd.DataFrame:
    """Monthly total and number of reports between two months (inclusive)."""
    cond, params = _ind_filter(sel)
    return con.execute(
        f"""
        select l.periode, coalesce(sum(n.jumlah), 0) as jumlah, count(distinct l.id) as laporan
        from laporan l left join laporan_nilai n on n.laporan_id = l.id {cond}
        where l.aktif and l.periode between ? and ? and starts_with(l.kode_desa, ?)
        group by l.periode order by l.periode
        """,
        [*params, start, end, sel.area],
    ).df()


def population(con: Con, tingkat: str, area: str, tahun: int) -> pd.DataFrame:
    """Population per wilayah: the figure of the latest year up to `tahun` (else the earliest after it)."""
    return con.execute(
        """
        select kode_wilayah as kode,
               arg_max(jumlah, case when tahun <= ? then tahun else -tahun end) as penduduk,
               arg_max(perkiraan, case when tahun <= ? then tahun else -tahun end) as perkiraan
        from penduduk p join wilayah w on w.kode = p.kode_wilayah
        where w.tingkat = ? and starts_with(w.kode, ?)
        group by kode_wilayah
        """,
        [tahun, tahun, tingkat, area],
    ).df()


def by_wilayah(con: Con, periode: date, sel: Selection, tingkat: str) -> pd.DataFrame:
    """Total per kecamatan or desa for one month, with reports received, desa count and population."""
    cond, params = _ind_filter(sel)
    key = "d.kode_induk" if tingkat == "kecamatan" else "d.kode"
    df = con.execute(
        f"""
        with lap as (
            select l.id, l.kode_desa from laporan l
            where l.aktif and l.periode = ? and starts_with(l.kode_desa, ?)
        ), nilai as (
            select lap.kode_desa, sum(n.jumlah) as jumlah from lap join laporan_nilai n on n.laporan_id = lap.id {cond}
            group by lap.kode_desa
        )
        select {key} as kode, w.nama, count(lap.id) as laporan, count(*) as desa, sum(nilai.jumlah) as jumlah
        from wilayah d
        join wilayah w on w.kode = {key}
        left join lap on lap.kode_desa = d.kode
        left join nilai on nilai.kode_desa = d.kode
        where d.tingkat = 'desa' and starts_with(d.kode, ?)
        group by all order by kode
        """,
        [periode, sel.area, *params, sel.area],
    ).df()
    pop = population(con, tingkat, sel.area, periode.year)
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
    cond, params = _ind_filter(sel)
    return con.execute(
        f"""
        with t as (
            select l.kode_desa, l.periode, sum(n.jumlah) as jumlah
            from laporan l join laporan_nilai n on n.laporan_id = l.id {cond}
            where l.aktif and l.periode in (?, ?) and starts_with(l.kode_desa, ?)
            group by all
        )
        select d.kode, d.nama, k.nama as kecamatan, b.jumlah as sebelumnya, a.jumlah as sekarang,
               a.jumlah - b.jumlah as kenaikan
        from t a join t b on a.kode_desa = b.kode_desa and a.periode = ? and b.periode = ?
        join wilayah d on d.kode = a.kode_desa join wilayah k on k.kode = d.kode_induk
        where a.jumlah > b.jumlah
        order by kenaikan desc, d.kode limit ?
        """,
        [*params, periode, previous, sel.area, periode, previous, limit],
    ).df()


def pivot_long(con: Con, periode: date, sel: Selection, tingkat: str) -> pd.DataFrame:
    """Total per wilayah (kecamatan or desa) x indicator for one month; reshaped into a pivot by the caller."""
    cond, params = _ind_filter(sel)
    key = "d.kode_induk" if tingkat == "kecamatan" else "d.kode"
    return con.execute(
        f"""
        select {key} as kode, w.nama, i.nama as indikator, i.nomor, sum(n.jumlah) as jumlah
        from laporan l join laporan_nilai n on n.laporan_id = l.id {cond}
        join wilayah d on d.kode = l.kode_desa join wilayah w on w.kode = {key}
        join indikator i on i.kode = n.kode_indikator
        where l.aktif and l.periode = ? and starts_with(l.kode_desa, ?)
        group by all order by kode, i.nomor
        """,
        [*params, periode, sel.area],
    ).df()


def report_status(con: Con, start: date, end: date, area: str, due_day: int) -> pd.DataFrame:
    """Status of every desa x month: tepat waktu, terlambat, belum lapor or semua nol."""
    df = con.execute(
        """
        with months as (
            select unnest(generate_series(?::date, ?::date, interval 1 month))::date as periode
        ), lap as (
            select l.kode_desa, l.periode, l.diterima, coalesce(sum(n.jumlah), 0) as jumlah
            from laporan l left join laporan_nilai n on n.laporan_id = l.id
            where l.aktif and l.periode between ? and ? and starts_with(l.kode_desa, ?)
            group by all
        )
        select d.kode, d.nama, k.kode as kode_kecamatan, k.nama as kecamatan, m.periode,
               case when lap.kode_desa is null then 'belum lapor'
                    when lap.jumlah = 0 then 'semua nol'
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
    """Every active indicator for one kecamatan or desa in a month: value, rank among its peers, peers' median."""
    tingkat = con.execute("select tingkat from wilayah where kode = ?", [kode]).fetchone()[0]
    key = "d.kode_induk" if tingkat == "kecamatan" else "d.kode"
    return con.execute(
        f"""
        with v as (
            select {key} as kode, n.kode_indikator, sum(n.jumlah) as jumlah
            from laporan l join laporan_nilai n on n.laporan_id = l.id join wilayah d on d.kode = l.kode_desa
            where l.aktif and l.periode = ?
            group by all
        ), r as (
            select *, rank() over (partition by kode_indikator order by jumlah desc) as peringkat,
                   count(*) over (partition by kode_indikator) as dari,
                   median(jumlah) over (partition by kode_indikator) as median_kabupaten
            from v
        )
        select i.kode, i.nama, i.kelompok, r.jumlah, r.peringkat, r.dari, r.median_kabupaten
        from indikator i left join r on r.kode_indikator = i.kode and r.kode = ?
        where i.aktif order by i.nomor
        """,
        [periode, kode],
    ).df()


def area_trend_by_indikator(con: Con, kode: str, start: date, end: date) -> pd.DataFrame:
    """Monthly value per indicator for one kecamatan or desa."""
    return con.execute(
        """
        select l.periode, n.kode_indikator as kode, sum(n.jumlah) as jumlah
        from laporan l join laporan_nilai n on n.laporan_id = l.id
        where l.aktif and l.periode between ? and ? and starts_with(l.kode_desa, ?)
        group by all order by l.periode
        """,
        [start, end, kode],
    ).df()
