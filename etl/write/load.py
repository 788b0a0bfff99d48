"""Writing reports to the warehouse. Every write goes through here, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from etl.write.marts import refresh as refresh_marts

REPORT_COLUMNS = ["kode_desa", "periode", "nama_berkas", "sheet", "sha256", "nama_psm", "diterima", "sintetis"]
VALUE_COLUMNS = ["kode_desa", "periode", "kode_indikator", "laki_laki", "perempuan", "jumlah", "baris", "kolom"]


def new_batch(con: duckdb.DuckDBPyConnection, user: str, jenis: str, keterangan: str = "") -> int:
    """Open an import batch and return its id."""
    row = con.execute(
        "insert into impor_batch (waktu, pengguna, jenis, status, keterangan) values (?, ?, ?, 'aktif', ?) returning id",
        [datetime.now(), user, jenis, keterangan],
    ).fetchall()[0]
    return int(row[0])


def write_reports(con: duckdb.DuckDBPyConnection, reports: pd.DataFrame, values: pd.DataFrame, batch_id: int) -> int:
    """Insert reports and their values; an active report for the same desa and month is superseded, not deleted.

    `reports` has REPORT_COLUMNS, one row per desa x periode; `values` has VALUE_COLUMNS.
    Returns the number of reports written.
    """
    if reports.empty:
        return 0
    con.register("_lap_in", reports[REPORT_COLUMNS])
    con.register("_nilai_in", values[VALUE_COLUMNS])
    con.execute(
        """
        update laporan set aktif = false, diganti_batch = ?
        where aktif and (kode_desa, periode) in (select kode_desa, periode from _lap_in)
        """,
        [batch_id],
    )
    con.execute(
        """
        insert into laporan (kode_desa, periode, batch_id, nama_berkas, sheet, sha256, nama_psm, diterima, aktif, sintetis)
        select kode_desa, periode, ?, nama_berkas, sheet, sha256, nama_psm, diterima, true, sintetis from _lap_in
        """,
        [batch_id],
    )
    con.execute(
        """
        insert into laporan_nilai (laporan_id, kode_indikator, laki_laki, perempuan, jumlah, baris, kolom)
        select l.id, v.kode_indikator, v.laki_laki, v.perempuan, v.jumlah, v.baris, v.kolom
        from _nilai_in as v
        join laporan as l on l.batch_id = ? and l.aktif and l.kode_desa = v.kode_desa and l.periode = v.periode
        """,
        [batch_id],
    )
    con.unregister("_lap_in")
    con.unregister("_nilai_in")
    refresh_marts(con, reports[["kode_desa", "periode"]])
    return len(reports)


def exact_cells(values: pd.DataFrame) -> list:
    """What `laporan_nilai.kolom` stores, so that the value's address is exact: the column letter of the Jumlah cell
    (row `baris`) where Jumlah was written; where it was not and the value is L + P, the cells added ('C12+D12'), or
    the one letter of the cell it was read from."""
    if values.empty:
        return []
    out = []
    for kolom, j_given, baris, l_col, p_col, l_row, p_row in zip(
            values["kolom"], values["j_given"], values["baris"], values["l_col"], values["p_col"], values["l_baris"], values["p_baris"]):
        if j_given or (not isinstance(l_col, str) and not isinstance(p_col, str)):
            out.append(kolom)
            continue
        cells = [f"{col}{int(row) if pd.notna(row) else int(baris)}" for col, row in ((l_col, l_row), (p_col, p_row)) if isinstance(col, str)]
        out.append("+".join(cells) if len(cells) > 1 else cells[0].rstrip("0123456789"))
    return out


def save_desa_alias(con: duckdb.DuckDBPyConnection, kode_kecamatan: str, alias: str, kode_desa: str, user: str) -> None:
    """Remember that `alias` (already normalised) written in a report of this kecamatan means `kode_desa`."""
    con.execute(
        """
        insert into alias_desa (kode_kecamatan, alias, kode_desa, pengguna, dibuat) values (?, ?, ?, ?, ?)
        on conflict (kode_kecamatan, alias) do update set kode_desa = excluded.kode_desa, pengguna = excluded.pengguna, dibuat = excluded.dibuat
        """,
        [kode_kecamatan, alias, kode_desa, user, datetime.now()],
    )


def save_indicator_alias(con: duckdb.DuckDBPyConnection, alias: str, kode_indikator: str, user: str) -> None:
    """Remember that `alias` (already normalised) written as a PMKS type means `kode_indikator`."""
    con.execute(
        """
        insert into alias_indikator (alias, kode_indikator, pengguna, dibuat) values (?, ?, ?, ?)
        on conflict (alias) do update set kode_indikator = excluded.kode_indikator, pengguna = excluded.pengguna, dibuat = excluded.dibuat
        """,
        [alias, kode_indikator, user, datetime.now()],
    )


def rollback_batch(con: duckdb.DuckDBPyConnection, batch_id: int, user: str, web: bool = False) -> dict:
    """Undo an import batch exactly: its reports leave, the reports it replaced come back. Inside a transaction.

    Refused (PMKSError) when the batch is unknown, already undone, when a later import replaced some of its
    reports (undo that one first, so that nothing is restored over newer data), or when it is a report published
    from Lapor Bulanan (jenis 'web') and `web` is not set: such a report leaves through its workflow (given back or
    un-approved, `lapor.publish.withdraw`), so that its status and steps say so too.
    """
    from common.errors import PMKSError

    row = con.execute("select status, jenis from impor_batch where id = ?", [batch_id]).fetchone()
    if row is None:
        raise PMKSError(f"Batch impor {batch_id} tidak ada.")
    if row[0] != "aktif":
        raise PMKSError(f"Batch impor {batch_id} sudah dibatalkan sebelumnya.")
    if row[1] == "penduduk":  # a population file (etl.write.population) has its own rows to undo
        from etl.write.population import rollback

        return rollback(con, batch_id, user)
    if row[1] == "rollback":
        raise PMKSError(f"Batch {batch_id} adalah pembatalan; impor ulang berkasnya bila perlu.")
    if row[1] == "web" and not web:
        raise PMKSError(f"Batch {batch_id} adalah laporan yang dikirim lewat Lapor Bulanan; tarik laporan itu di halaman "
                        "Verifikasi (Kembalikan, atau Batalkan persetujuan oleh admin) agar statusnya ikut tercatat.")
    later = con.execute(
        "select distinct diganti_batch from laporan where batch_id = ? and not aktif and diganti_batch is not null order by 1",
        [batch_id],
    ).fetchall()
    if later:
        raise PMKSError(f"Sebagian laporan batch {batch_id} sudah diganti oleh batch {', '.join(str(r[0]) for r in later)}; batalkan batch itu dulu.")
    changed = con.execute(
        "select kode_desa, periode from laporan where batch_id = ? union select kode_desa, periode from laporan where diganti_batch = ?",
        [batch_id, batch_id],
    ).df()
    undo = new_batch(con, user, "rollback", f"membatalkan batch {batch_id}")
    removed = con.execute("update laporan set aktif = false, diganti_batch = ? where batch_id = ? and aktif", [undo, batch_id]).fetchall()[0][0]
    restored = con.execute("update laporan set aktif = true, diganti_batch = null where diganti_batch = ?", [batch_id]).fetchall()[0][0]
    con.execute("update impor_batch set status = 'dibatalkan' where id = ?", [batch_id])
    refresh_marts(con, changed)
    return {"batch": undo, "dihapus": int(removed), "dipulihkan": int(restored)}
