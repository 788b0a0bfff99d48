"""Turning the bytes of an uploaded file into sheets of cells.

`read_sheets` is the only code that touches untrusted bytes with a native reader. It must run in
the child process of `etl.read.sandbox`, because python-calamine can abort the whole process on a
small hostile workbook. Cheap structural checks (`precheck`) run first, in the parent, and
refuse zip bombs, XML entity bombs and files that are not spreadsheets before any reader sees them.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

MAX_FILE_BYTES = int(os.environ.get("PMKS_MAX_FILE_MB", "20")) * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # compressed -> uncompressed, per zip member
MAX_ROWS = int(os.environ.get("PMKS_MAX_ROWS", "250000"))
MAX_CELLS = 5_000_000
MAX_CSV_COLUMNS = 16_384  # as many columns as Excel has (A to XFD)

SPREADSHEET = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
TEXT = {".csv", ".txt", ".tsv"}


class Unreadable(Exception):
    """The file cannot be read as a report; the message (Bahasa Indonesia) says why."""


@dataclass
class Sheet:
    name: str | None  # None for CSV
    rows: list[list]  # cells from A1; '' or None for empty
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def kind_of(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in SPREADSHEET:
        return "spreadsheet"
    if suffix in TEXT:
        return "csv"
    raise Unreadable(f"jenis berkas '{suffix or name}' tidak didukung; gunakan .xlsx, .xls, .ods atau .csv")


def precheck(data: bytes, name: str) -> str:
    """Refuse what no reader should see; returns 'spreadsheet' or 'csv'."""
    kind = kind_of(name)
    if not data:
        raise Unreadable("berkas kosong (0 byte)")
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"berkas {len(data) / 1048576:.1f} MB melebihi batas {MAX_FILE_BYTES // 1048576} MB".replace(".", ","))
    if kind == "csv":
        if b"\x00" in data[:4096]:
            raise Unreadable("berkas bukan teks CSV (berisi data biner)")
        return kind
    suffix = PurePath(name).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        _check_zip(data)
    elif data[:8] == bytes.fromhex("d0cf11e0a1b11ae1"):
        if suffix in {".xlsx", ".xlsm"}:
            raise Unreadable("buku kerja dilindungi kata sandi atau terenkripsi; buka kuncinya lalu simpan ulang sebagai .xlsx")
    else:
        raise Unreadable("berkas bukan lembar kerja (isi tidak sesuai dengan ekstensinya; mungkin gambar atau dokumen lain yang diganti nama)")
    return kind


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Unreadable("berkas rusak: arsip lembar kerja tidak utuh") from None
    total = 0
    for info in members:
        total += info.file_size
        if total > MAX_UNZIPPED_BYTES or (info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 * 1048576):
            raise Unreadable("berkas mengembang terlalu besar saat dibuka (kemungkinan 'zip bomb'); tidak dibaca")
        if info.filename.endswith(".xml") and info.file_size:
            try:
                with archive.open(info) as stream:
                    head = stream.read(2048)
            except Exception:
                raise Unreadable("berkas rusak: arsip lembar kerja tidak utuh") from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise Unreadable("berkas berisi deklarasi XML yang tidak diizinkan (kemungkinan 'XML bomb'); tidak dibaca")


def read_sheets(data: bytes, name: str) -> list[Sheet]:
    """Every visible sheet of a workbook, or the one table of a CSV. Raises Unreadable."""
    if kind_of(name) == "csv":
        return [Sheet(None, read_csv_rows(data))]
    import python_calamine as pc

    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise Unreadable("buku kerja dilindungi kata sandi; buka kuncinya lalu simpan ulang") from None
    except Exception as exc:
        raise Unreadable(f"berkas rusak atau bukan lembar kerja ({type(exc).__name__})") from None
    sheets = []
    cells = 0
    for meta in book.sheets_metadata:
        if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet" or str(meta.visible).rsplit(".", 1)[-1] != "Visible":
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            if sheet.height > MAX_ROWS:
                raise Unreadable(f"lembar '{meta.name}' berisi {sheet.height:,} baris; batasnya {MAX_ROWS:,} baris".replace(",", "."))
            cells += sheet.height * sheet.width
            if cells > MAX_CELLS:
                raise Unreadable(f"lembar '{meta.name}' terlalu besar ({sheet.height:,} baris × {sheet.width:,} kolom)".replace(",", "."))
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
        except Unreadable:
            raise
        except Exception as exc:
            raise Unreadable(f"lembar '{meta.name}' tidak dapat dibaca ({type(exc).__name__})") from None
        sheets.append(Sheet(meta.name, rows, merged))
    if not sheets:
        raise Unreadable("buku kerja tidak berisi lembar yang terlihat")
    return sheets


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv_rows(data: bytes) -> list[list]:
    text = decode_text(data)
    lines = text.splitlines()
    if len(lines) > MAX_ROWS:
        raise Unreadable(f"berkas berisi {len(lines):,} baris; batasnya {MAX_ROWS:,} baris".replace(",", "."))
    sample = lines[:50]
    best, best_score = ",", -1
    for delimiter in (";", ",", "\t", "|"):
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=delimiter) if any(c.strip() for c in r)]
        except csv.Error:  # a field over the csv module's limit: not this delimiter (or judged below)
            continue
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = widths.count(common) * (common > 1) * common
        if score > best_score:
            best, best_score = delimiter, score
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=best)
    rows: list[list] = []
    cells, start = 0, 1
    try:
        for row in reader:
            start = reader.line_num + 1  # where the next record begins
            if len(row) > MAX_CSV_COLUMNS:
                raise Unreadable(f"baris {reader.line_num} berisi {len(row):,} kolom; batasnya {MAX_CSV_COLUMNS:,} kolom. "
                                 "Periksa pemisah kolom atau simpan ulang tabelnya dari Excel/LibreOffice".replace(",", "."))
            cells += len(row)
            if cells > MAX_CELLS:
                raise Unreadable(f"berkas terlalu besar (lebih dari {MAX_CELLS:,} sel)".replace(",", "."))
            rows.append(row)
    except csv.Error as exc:
        if "field larger" not in str(exc):
            raise Unreadable(f"baris {start} tidak dapat dibaca sebagai CSV; simpan ulang tabelnya dari Excel/LibreOffice sebagai CSV") from None
        raise Unreadable(f"sel pada baris {start} lebih panjang dari {csv.field_size_limit():,} karakter "
                         "(mungkin tanda kutip yang tidak ditutup); perbaiki sel itu atau simpan ulang tabelnya dari Excel/LibreOffice"
                         .replace(",", ".")) from None
    return rows
