"""Population per wilayah and year, with its source."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from common.config import DATA_DIR
from common.errors import PMKSError

SHIPPED = DATA_DIR / "penduduk.csv"
REQUIRED = ["kode_wilayah", "tahun", "jumlah"]


def read_population(path: str | Path = SHIPPED) -> pd.DataFrame:
    """Read a population CSV (kode_wilayah, tahun, jumlah[, laki_laki, perempuan, sumber, perkiraan])."""
    path = Path(path)
    if not path.is_file():
        raise PMKSError(f"Berkas {path} tidak ditemukan.")
    try:
        frame = pd.read_csv(path, dtype={"kode_wilayah": str}, sep=None, engine="python", thousands=None)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise PMKSError(f"Berkas {path.name} bukan CSV penduduk yang dapat dibaca: {exc}") from exc
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise PMKSError(f"Berkas {path.name}: kolom {', '.join(missing)} tidak ada (wajib: {', '.join(REQUIRED)}).")
    for col in ("tahun", "jumlah", "laki_laki", "perempuan"):
        if col not in frame.columns:
            frame[col] = pd.NA
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = frame[col].notna() & (values.isna() | (values < 0) | (values % 1 != 0))
        if bad.any():
            row = int(bad.idxmax()) + 2
            raise PMKSError(f"Berkas {path.name}, baris {row}, kolom {col}: '{frame.at[bad.idxmax(), col]}' bukan bilangan bulat ≥ 0.")
        frame[col] = values.astype("Int64")
    frame["sumber"] = frame.get("sumber", pd.Series(dtype=str)).fillna(f"berkas {path.name}")
    frame["perkiraan"] = frame.get("perkiraan", False)
    frame["perkiraan"] = frame["perkiraan"].fillna(False).astype(bool)
    frame["sintetis"] = False
    return frame[["kode_wilayah", "tahun", "jumlah", "laki_laki", "perempuan", "perkiraan", "sintetis", "sumber"]]


def load_population(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, only_known: bool) -> tuple[int, list[str]]:
    """Upsert rows whose wilayah exists; returns (rows loaded, codes not in the warehouse).

    With only_known=False an unknown code is an error; the shipped file covers more than one warehouse needs.
    """
    known = {r[0] for r in con.execute("select kode from wilayah").fetchall()}
    unknown = sorted(set(frame["kode_wilayah"]) - known)
    if unknown and not only_known:
        raise PMKSError(f"Kode wilayah tidak dikenal dalam basis data: {', '.join(unknown[:10])}.")
    rows = frame[frame["kode_wilayah"].isin(known)]
    con.register("_penduduk_in", rows)
    con.execute("""
        insert into penduduk (kode_wilayah, tahun, jumlah, laki_laki, perempuan, perkiraan, sintetis, sumber)
        select kode_wilayah, tahun, jumlah, laki_laki, perempuan, perkiraan, sintetis, sumber from _penduduk_in
        on conflict (kode_wilayah, tahun) do update set jumlah = excluded.jumlah, laki_laki = excluded.laki_laki,
            perempuan = excluded.perempuan, perkiraan = excluded.perkiraan, sintetis = excluded.sintetis, sumber = excluded.sumber
    """)
    con.unregister("_penduduk_in")
    return len(rows), unknown
