"""Population, the denominator of every rate: which figure a month uses, coverage and sources; the per-area monthly
series that rates and priorities stand on."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from dashboard.queries.base import Con
from store.sqltext import literal


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


def population_coverage(con: Con, periode: date, area: str = "") -> pd.DataFrame:
    """Per kecamatan: desa whose population for `periode` is a real figure, an estimate, or missing; the sum of the
    real desa figures beside the kecamatan's own figure (side by side, never forced equal)."""
    desa = con.execute("""select d.kode, k.nama as kecamatan, k.kode as kode_kecamatan from wilayah d join wilayah k on k.kode = d.kode_induk
                          where d.tingkat = 'desa' and starts_with(d.kode, ?)""", [area]).df()
    pop = population(con, "desa", area, periode)
    merged = desa.merge(pop, on="kode", how="left")
    merged["status"] = ["tidak ada" if pd.isna(p) else ("perkiraan" if bool(e) else "angka nyata") for p, e in zip(merged["penduduk"], merged["perkiraan"])]
    table = pd.crosstab(merged["kecamatan"], merged["status"]).reindex(columns=["angka nyata", "perkiraan", "tidak ada"], fill_value=0)
    sources = merged.dropna(subset=["sumber_penduduk"]).groupby("kecamatan")["sumber_penduduk"].agg(lambda s: "; ".join(sorted(set(s))))
    real = merged[merged["status"] == "angka nyata"].groupby("kecamatan")["penduduk"].sum().rename("jumlah_desa_nyata")
    kec = population(con, "kecamatan", area[:8], periode).merge(desa.drop_duplicates("kode_kecamatan"), left_on="kode",
                                                               right_on="kode_kecamatan")
    kec = kec.set_index("kecamatan")[["penduduk", "sumber_penduduk"]].rename(columns={"penduduk": "angka_kecamatan",
                                                                                       "sumber_penduduk": "sumber_kecamatan"})
    out = table.join(sources).rename(columns={"sumber_penduduk": "sumber"}).fillna({"sumber": "–"}).join(real).join(kec)
    return out.reset_index()


def population_sources(con: Con, periode: date, area: str = "") -> pd.DataFrame:
    """The population figures the rates of a month use: tingkat, sumber_penduduk (source and date), wilayah (how
    many areas use it), perkiraan, berkas (files or the census source)."""
    frames = [population(con, tingkat, area, periode).assign(tingkat=tingkat) for tingkat in ("kecamatan", "desa")]
    both = pd.concat(frames, ignore_index=True)
    if both.empty:
        return pd.DataFrame(columns=["tingkat", "sumber_penduduk", "wilayah", "perkiraan", "berkas"])
    used = (both.groupby(["tingkat", "sumber_penduduk"], sort=False)
            .agg(wilayah=("kode", "size"), perkiraan=("perkiraan", "any")).reset_index())
    try:
        files = con.execute("""select label as sumber_penduduk, string_agg(distinct berkas, '; ' order by berkas) as berkas
                               from penduduk_acuan where starts_with(kode_wilayah, ?) group by 1""", [area]).df()
    except duckdb.CatalogException:  # before migration 0010
        files = pd.DataFrame(columns=["sumber_penduduk", "berkas"])
    return used.merge(files, on="sumber_penduduk", how="left")


def area_monthly(con: Con, start: date, end: date, tingkat: str, area: str) -> pd.DataFrame:
    """Total of the active indicators and reports per area (kecamatan or desa) and month: kode, periode, jumlah,
    laporan. Months without a report have no row."""
    return con.execute(
        f"""
        select r.kode_wilayah as kode, r.periode, coalesce(sum(a.jumlah), 0) as jumlah, any_value(r.laporan) as laporan
        from agregat_laporan r
        left join agregat_bulanan a on a.tingkat = r.tingkat and a.kode_wilayah = r.kode_wilayah and a.periode = r.periode
             and a.kode_indikator in (select kode from indikator where aktif)
        where r.tingkat = {literal(tingkat)} and starts_with(r.kode_wilayah, ?) and r.periode between ? and ? and r.laporan > 0
        group by all order by 1, 2
        """,
        [area, start, end],
    ).df()


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
