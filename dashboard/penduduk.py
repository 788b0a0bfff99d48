"""Which population the rates stand on: coverage of desa figures and the sources in use (no Streamlit here)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from dashboard.queries import population


def coverage(con: duckdb.DuckDBPyConnection, periode: date, area: str = "") -> pd.DataFrame:
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



def sources_in_use(con: duckdb.DuckDBPyConnection, periode: date, area: str = "") -> pd.DataFrame:
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
