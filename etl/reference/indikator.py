"""The PMKS/PPKS indicator catalogue (Permensos 08/2012), shipped in data/indikator.csv."""

from __future__ import annotations

import duckdb
import pandas as pd

from common.config import DATA_DIR
from common.errors import PMKSError

CATALOGUE = DATA_DIR / "indikator.csv"


def read_indikator() -> pd.DataFrame:
    return pd.read_csv(CATALOGUE, dtype={"singkatan": str}, keep_default_na=False)


def load_indikator(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    """Insert new indicators and refresh names and definitions; keeps each indicator's `aktif` setting."""
    con.register("_ind_in", frame)
    con.execute("""
        insert into indikator (kode, nomor, nama, singkatan, kelompok, definisi, aktif, sumber)
        select kode, nomor, nama, nullif(singkatan, ''), kelompok, definisi, true, sumber from _ind_in
        on conflict (kode) do update set nomor = excluded.nomor, nama = excluded.nama, singkatan = excluded.singkatan,
            kelompok = excluded.kelompok, definisi = excluded.definisi, sumber = excluded.sumber
    """)
    con.unregister("_ind_in")
    return len(frame)


def set_active(con: duckdb.DuckDBPyConnection, codes: list[str], active: bool) -> None:
    """Mark which indicators the kabupaten tracks."""
    known = {r[0] for r in con.execute("select kode from indikator").fetchall()}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise PMKSError(f"Kode indikator tidak dikenal: {', '.join(unknown)}. Kode yang ada: {', '.join(sorted(known))}.")
    for code in codes:
        con.execute("update indikator set aktif = ? where kode = ?", [active, code])
