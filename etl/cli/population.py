"""`python -m etl penduduk import|rollback|coverage` and the blank population template.

As for PMKS reports: the file is read in the sandbox before the database is opened, checked on a read-only
connection, and only the write takes the lock (checked again under it when another import landed meanwhile).
"""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from common import fmt
from common.config import DatabaseUrl
from common.errors import PMKSError, SystemProblem
from etl.cli.reports import tally_line
from etl.find.population import LAYOUT
from etl.read.sandbox import SheetReader
from etl.read.sheets import Sheet, Unreadable
from etl.write.population import SUMBER, Acuan, PopulationResult, analyse, commit, parse_acuan
from etl.write.reports import where_text
from store import open_store

STATUS = {"accepted": "DITERIMA", "rejected": "DITOLAK", "unchanged": "TIDAK BERUBAH"}


def _snapshot(con) -> tuple:
    return con.execute("select (select max(id) from impor_batch), (select count(*) from penduduk_desa where aktif)").fetchone()


def _ready(con, db: Path | DatabaseUrl) -> None:
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    if "penduduk_desa" not in tables:
        raise PMKSError(f"Basis data {db} belum disiapkan untuk penduduk desa. Jalankan dulu: python -m etl init")


def check_and_write(db: Path | DatabaseUrl, name: str, data: bytes, sheets, acuan: Acuan, sumber: str, *, dry_run: bool, replace: bool,
                    user: str, scope: str = "", perkiraan: bool = False, sintetis: bool = False) -> tuple[PopulationResult, int | None]:
    """Analyse one file on a snapshot; unless dry_run, write it when accepted (checked again in the write transaction
    when another import landed meanwhile). Returns the result and the batch id."""
    store = open_store(db)
    with store.read() as con:
        _ready(con, db)
        result = analyse(con, name, data, sheets, acuan, replace=replace, scope=scope, sintetis=sintetis)
        before = _snapshot(con)
    if dry_run or result.status != "accepted":
        return result, None
    with store.transaction() as con:
        if _snapshot(con) != before:
            result = analyse(con, name, data, sheets, acuan, replace=replace, scope=scope, sintetis=sintetis)
        batch = commit(con, result, acuan, sumber, user, perkiraan=perkiraan, sintetis=sintetis)
    return result, batch


def run_import(path: str, db: Path | DatabaseUrl, *, sumber: str, tanggal: str, dry_run: bool, replace: bool, user: str,
               today: date | None = None) -> int:
    if sumber not in SUMBER:
        raise SystemProblem(f"--sumber harus salah satu dari: {', '.join(SUMBER)}")
    try:
        acuan = parse_acuan(tanggal, today)
    except PMKSError as exc:  # a usage error (exit 2), not a rejected file
        raise SystemProblem(f"--tanggal: {exc}") from None
    file = Path(path)
    if not file.is_file():
        raise SystemProblem(f"berkas {path} tidak ada atau bukan berkas biasa; tidak ada yang diimpor")
    data = file.read_bytes()
    with SheetReader() as reader:
        try:
            sheets: list[Sheet] | Unreadable = reader.read(data, file.name)
        except Unreadable as exc:
            sheets = exc
    result, batch = check_and_write(db, file.name, data, sheets, acuan, sumber, dry_run=dry_run, replace=replace, user=user)
    print_report(result, acuan, sumber, dry_run=dry_run, batch=batch)
    return 1 if result.status == "rejected" else 0


def print_report(result: PopulationResult, acuan: Acuan, sumber: str, *, dry_run: bool, batch: int | None, out=None) -> None:
    write = lambda text="": print(text, file=out or sys.stdout)  # noqa: E731
    write(f"Pemeriksaan data penduduk {SUMBER[sumber]} {acuan.label}: {result.file}" + (" (uji coba, --dry-run: tidak ada yang disimpan)" if dry_run else ""))
    layouts = ", ".join(sorted({LAYOUT[x] for x in result.layouts}))
    head = f"{STATUS[result.status]:<14} {result.file}" + (f" — {layouts}" if layouts else "")
    if result.status == "accepted":
        head += f"; {fmt.angka(len(result.rows))} desa, {fmt.angka(int(result.rows['jumlah'].sum()))} jiwa"
    write(head)
    for tally in result.tally:
        write(f"    {tally_line(tally)}")
    if result.note:
        write(f"    {result.note}")
    for issue in result.issues:
        write(f"    {'kesalahan' if issue.severity == 'error' else 'peringatan'}: {where_text(issue, result.file)}: {issue.message}" + (f". Saran: {issue.suggestion}" if issue.suggestion else ""))
    if result.changes:
        write(f"    perubahan ({len(result.changes)}):")
        for change in result.changes[:50]:
            write(f"      {change}")
    if not result.kecamatan.empty and result.status != "rejected":
        write("    Jumlah desa dibanding sensus kecamatan (sebagai informasi, tidak dipaksakan sama):")
        for row in result.kecamatan.itertuples():
            census = f"{fmt.angka(row.sensus)} ({row.tahun_sensus})" if pd.notna(row.sensus) else "tidak ada"
            diff = f", selisih {fmt.persen(row.selisih)}" if pd.notna(row.selisih) else ""
            write(f"      {row.kecamatan}: {row.desa_berkas} dari {row.desa_kecamatan} desa, {fmt.angka(row.jumlah_desa)} jiwa; kecamatan {census}{diff}")
    if batch is not None:
        write(f"Tersimpan: penduduk {fmt.angka(len(result.rows))} desa dalam batch impor {batch}.")
    elif not dry_run:
        write("Tidak ada yang disimpan.")


def build_template(con: duckdb.DuckDBPyConnection, kecamatan: str | None = None) -> bytes:
    """A blank population workbook: one row per desa (code, kecamatan, name), L, P and Jumlah to fill in."""
    import xlsxwriter

    desa = con.execute("""select d.kode, k.nama as kecamatan, d.nama from wilayah d join wilayah k on k.kode = d.kode_induk
                          where d.tingkat = 'desa' and starts_with(d.kode, ?) order by k.nama, d.nama""", [kecamatan or ""]).df()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#D9D9D9", "align": "center"})
    cell = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "#,##0", "bg_color": "#FFFDE7"})
    sheet = book.add_worksheet("Penduduk")
    sheet.write(0, 0, "DATA PENDUDUK DESA/KELURAHAN", bold)
    sheet.write(1, 0, "Sumber (Dukcapil/BPS/profil desa) dan keadaan (tahun atau semester) dipilih saat impor. "
                      "Isi L dan P (Jumlah boleh dikosongkan) atau Jumlah saja; baris tanpa angka dilewati.")
    for c, title in enumerate(["Kode Desa", "Kecamatan", "Desa/Kelurahan", "L", "P", "Jumlah"]):
        sheet.write(3, c, title, head)
    for r, row in enumerate(desa.itertuples(), start=4):
        sheet.write_string(r, 0, row.kode, cell)
        sheet.write_string(r, 1, row.kecamatan, cell)
        sheet.write_string(r, 2, row.nama, cell)
        for c in (3, 4, 5):
            sheet.write_blank(r, c, None, number)
    sheet.data_validation(4, 3, 4 + len(desa), 5, {"validate": "integer", "criteria": ">", "value": 0,
                                                   "error_message": "Isi bilangan bulat > 0"})
    sheet.set_column(0, 0, 15)
    sheet.set_column(1, 2, 24)
    sheet.set_column(3, 5, 11)
    sheet.freeze_panes(4, 0)
    book.close()
    return buffer.getvalue()
