"""Imported files kept exactly as received (issue 26), in the warehouse, content-addressed by SHA-256.

`keep` runs inside the import's own transaction (`etl.write.reports.commit`, `etl.write.population.commit`), so a file
is kept if and only if its import is written. `prune` applies the retention setting (`simpan_berkas_bulan`: keep the
bytes N months, '0' or unset = forever): the bytes go, one audit row per removed file, while `berkas_impor`,
`laporan` and `penduduk_desa` keep naming the file, its sheet and SHA-256 (the provenance text stays).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import duckdb
import pandas as pd

from common.errors import PMKSError
from store.schema import audit, get_setting, set_setting

RETENTION_KEY = "simpan_berkas_bulan"
MAX_RETENTION_MONTHS = 600


def keep(con: duckdb.DuckDBPyConnection, name: str, data: bytes, desa: list[str], user: str, when: datetime | None = None) -> str:
    """Keep the bytes of an imported file (once per content) with the area of every desa it holds (`desa`: those
    skipped as unchanged too, or an analyst of one kecamatan could fetch a file holding another's); returns its SHA-256.
    The same bytes received again count from the newest receipt (name, time, who), so retention keeps what the
    current reports rest on. In the caller's transaction."""
    digest = hashlib.sha256(data).hexdigest()
    con.execute("""insert into berkas_asli (sha256, nama_berkas, ukuran, wilayah, isi, diterima, pengguna) values (?, ?, ?, ?, ?, ?, ?)
                   on conflict (sha256) do update set nama_berkas = excluded.nama_berkas, wilayah = excluded.wilayah,
                       diterima = excluded.diterima, pengguna = excluded.pengguna""",
                [digest, name, len(data), common_area(desa), data, when or datetime.now(), user])
    return digest


def common_area(desa: list[str]) -> str:
    """The smallest area (kecamatan, kabupaten, provinsi, '' = all) holding every desa code: a user scoped to a
    kecamatan may fetch only a file whose desa all lie in it."""
    codes = set(desa)
    for length in (8, 5, 2):
        prefixes = {code[:length] for code in codes}
        if len(prefixes) == 1:
            return prefixes.pop()
    return ""


def read(con: duckdb.DuckDBPyConnection, digest: str) -> bytes | None:
    """The kept bytes of a file, or None when it was never kept or retention removed it."""
    row = con.execute("select isi from berkas_asli where sha256 = ?", [digest]).fetchone()
    return None if row is None else bytes(row[0])


def retention(con: duckdb.DuckDBPyConnection) -> int:
    """Months the kept files stay (0 = forever)."""
    value = get_setting(con, RETENTION_KEY, "0") or "0"
    return int(value) if value.isdigit() else 0


def set_retention(con: duckdb.DuckDBPyConnection, months: int, user: str, now: datetime | None = None) -> int:
    """Store the retention (0 = forever), audited, and remove the files now past it; returns how many were removed."""
    if not 0 <= months <= MAX_RETENTION_MONTHS:
        raise PMKSError(f"lama simpan berkas asli harus 0 (selamanya) sampai {MAX_RETENTION_MONTHS} bulan")
    set_setting(con, RETENTION_KEY, str(months))
    audit(con, user, "pengaturan", f"{RETENTION_KEY}={months}", None)
    return prune(con, user, now)


def prune(con: duckdb.DuckDBPyConnection, user: str, now: datetime | None = None) -> int:
    """Remove the kept files older than the retention (none when it is 0), one audit row each; returns how many."""
    months = retention(con)
    if not months:
        return 0
    limit = pd.Timestamp(now or datetime.now()) - pd.DateOffset(months=months)
    gone = con.execute("select sha256, nama_berkas, ukuran, diterima from berkas_asli where diterima < ? order by diterima",
                       [limit.to_pydatetime()]).fetchall()
    for digest, name, size, received in gone:
        con.execute("delete from berkas_asli where sha256 = ?", [digest])
        audit(con, user, "hapus_berkas_asli", name, json.dumps({"sha256": digest, "ukuran": int(size), "diterima": received.isoformat(),
                                                                 "simpan_bulan": months}, ensure_ascii=False))
    return len(gone)
