"""Builders of PSM report files in the shapes found in the field, for tests and benchmarks.

Each builder returns the file's bytes. Values are given as {indicator name as written: count} or
{name: (L, P)}; what the import should read from them is computed by the tests independently.
"""

from __future__ import annotations

import csv
import io
import zipfile

import xlsxwriter

GROUPS = {"A. ANAK": 0, "B. LANJUT USIA DAN DISABILITAS": 7, "C. TUNA SOSIAL DAN KORBAN": 9}


def form_xlsx(desa: str, kecamatan: str | None, bulan, values: dict, *, style: str = "colon", sheet: str = "Laporan",
              psm: str = "Siti Aminah", groups: bool = True, book_sheets: list[dict] | None = None) -> bytes:
    """The per-desa PSM form. style: 'colon' ('Desa : Menilo' in one cell), 'adjacent' (label | value),
    'colon-cell' (label | ':' | value). With book_sheets, one sheet per dict of these arguments."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    specs = book_sheets or [dict(desa=desa, kecamatan=kecamatan, bulan=bulan, values=values, style=style, sheet=sheet, psm=psm)]
    for spec in specs:
        _form_sheet(book, **{**dict(style=style, psm=psm, groups=groups), **spec})
    book.close()
    return buffer.getvalue()


def _form_sheet(book, desa, kecamatan, bulan, values, style, sheet, psm, groups):
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    date_fmt = book.add_format({"num_format": "mmmm yyyy"})
    ws.merge_range("A1:E1", "LAPORAN PENYANDANG MASALAH KESEJAHTERAAN SOSIAL (PMKS)", bold)
    ws.merge_range("A2:E2", "DINAS SOSIAL P3A PMD KABUPATEN TUBAN", bold)
    fields = [("Desa/Kelurahan", desa), ("Kecamatan", kecamatan), ("Bulan", bulan), ("Nama PSM", psm)]
    row = 3
    for label, value in fields:
        if value is None:
            continue
        if style == "colon":
            if hasattr(value, "year"):
                ws.write(row, 0, f"{label} :")
                ws.write_datetime(row, 1, value, date_fmt)
            else:
                ws.write(row, 0, f"{label} : {value}")
        elif style == "adjacent":
            ws.write(row, 0, label)
            _write(ws, row, 1, value, date_fmt)
        else:
            ws.write(row, 0, label)
            ws.write(row, 1, ":")
            _write(ws, row, 2, value, date_fmt)
        row += 1
    row += 1
    ws.write_row(row, 0, ["No", "Jenis PMKS", "L", "P", "Jumlah"], bold)
    row += 1
    items = list(values.items())
    number = 1
    for i, (name, value) in enumerate(items):
        if groups:
            for heading, position in GROUPS.items():
                if position == i:
                    ws.write(row, 1, heading, bold)
                    row += 1
        ws.write(row, 0, number)
        ws.write(row, 1, name)
        if isinstance(value, tuple):
            for j, part in enumerate(value):
                if part is not None:
                    ws.write(row, 2 + j, part)
        elif value is not None:
            ws.write(row, 4, value)
        row += 1
        number += 1
    ws.write(row, 1, "JUMLAH", bold)
    # what Excel shows (and saves) for the SUM: the numbers of column E, text such as '5 orang' left out
    shown = sum(v for v in values.values() if isinstance(v, (int, float)) and not isinstance(v, bool))
    ws.write_formula(row, 4, f"=SUM(E6:E{row})", None, shown)
    row += 3
    ws.write(row, 3, "Tuban, 3 November 2026")
    ws.write(row + 1, 3, "PSM Desa")
    ws.write(row + 4, 3, psm)


def _write(ws, row, col, value, date_fmt):
    if hasattr(value, "year"):
        ws.write_datetime(row, col, value, date_fmt)
    else:
        ws.write(row, col, value)


def recap_xlsx(kecamatan: str, bulan: str, rows: dict[str, dict], *, header: str = "one", sheet: str = "Rekap",
               extra_sheets: dict[str, tuple[str, str, dict]] | None = None) -> bytes:
    """The kecamatan recap: one row per desa, one column per indicator.

    header: 'one' (one header row), 'group' (merged group headings above the indicator names),
    'lp' (each indicator merged over L | P | Jml sub-columns; values are (L, P)).
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    _recap_sheet(book, sheet, kecamatan, bulan, rows, header)
    for name, (kec, month, more) in (extra_sheets or {}).items():
        _recap_sheet(book, name, kec, month, more, header)
    book.close()
    return buffer.getvalue()


def _recap_sheet(book, sheet, kecamatan, bulan, rows, header):
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True, "align": "center"})
    indicators = list(next(iter(rows.values())).keys())
    width = 2 + len(indicators) * (3 if header == "lp" else 1)
    ws.merge_range(0, 0, 0, width, f"REKAPITULASI DATA PMKS KECAMATAN {kecamatan.upper()}", bold)
    ws.merge_range(1, 0, 1, width, f"BULAN {bulan.upper()}", bold)
    top = 3
    if header == "group":
        ws.merge_range(top, 0, top + 1, 0, "NO", bold)
        ws.merge_range(top, 1, top + 1, 1, "DESA/KELURAHAN", bold)
        half = max(1, len(indicators) // 2)
        ws.merge_range(top, 2, top, 1 + half, "ANAK", bold) if half > 1 else ws.write(top, 2, "ANAK", bold)
        if len(indicators) - half > 1:
            ws.merge_range(top, 2 + half, top, 1 + len(indicators), "DEWASA DAN KELUARGA", bold)
        else:
            ws.write(top, 2 + half, "DEWASA DAN KELUARGA", bold)
        ws.write_row(top + 1, 2, indicators, bold)
        ws.write(top, 2 + len(indicators), "JUMLAH", bold)
        first = top + 2
    elif header == "lp":
        ws.merge_range(top, 0, top + 1, 0, "No", bold)
        ws.merge_range(top, 1, top + 1, 1, "Nama Desa", bold)
        for i, name in enumerate(indicators):
            ws.merge_range(top, 2 + 3 * i, top, 4 + 3 * i, name, bold)
            ws.write_row(top + 1, 2 + 3 * i, ["L", "P", "Jml"], bold)
        first = top + 2
    else:
        ws.write_row(top, 0, ["No", "Desa/Kelurahan", *indicators, "Jumlah"], bold)
        ws.write_row(top + 1, 0, list(range(1, len(indicators) + 4)))  # column numbers under the header
        first = top + 2
    r = first
    for n, (desa, values) in enumerate(rows.items(), start=1):
        ws.write(r, 0, n)
        ws.write(r, 1, desa)
        for i, name in enumerate(indicators):
            value = values[name]
            if header == "lp":
                ws.write(r, 2 + 3 * i, value[0])
                ws.write(r, 3 + 3 * i, value[1])
                ws.write(r, 4 + 3 * i, value[0] + value[1])
            elif value is not None:
                ws.write(r, 2 + i, value)
        if header != "lp":
            shown = sum(v for v in values.values() if isinstance(v, (int, float)) and not isinstance(v, bool))  # as Excel's SUM
            ws.write_formula(r, 2 + len(indicators), f"=SUM(C{r + 1}:{chr(66 + len(indicators))}{r + 1})", None, shown)
        r += 1
    ws.write(r, 1, "JUMLAH", bold)
    ws.write(r + 3, 5 if width > 6 else 2, "Mengetahui,")
    ws.write(r + 4, 5 if width > 6 else 2, f"Camat {kecamatan}")
    ws.write(r + 4, 1, "TKSK Kecamatan")


def long_csv(records: list[dict], *, delimiter: str = ",", encoding: str = "utf-8", headers: dict | None = None,
             bom: bool = False) -> bytes:
    """The long table: one row per desa x month x indicator; headers maps field -> column title, in order."""
    headers = headers or {"kecamatan": "kecamatan", "desa": "desa", "indikator": "indikator", "periode": "periode", "jumlah": "jumlah"}
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(list(headers.values()))
    for record in records:
        writer.writerow([record.get(field, "") for field in headers])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def long_xlsx(records: list[dict], headers: dict, title: str | None = None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("Data")
    r = 0
    if title:
        ws.write(0, 0, title)
        r = 2
    ws.write_row(r, 0, list(headers.values()))
    for record in records:
        r += 1
        ws.write_row(r, 0, [record.get(field, "") for field in headers])
    book.close()
    return buffer.getvalue()


# Files that are not reports -------------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def raw_xlsx(sheet_xml: str, *, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compress) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


_SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def far_cell_xlsx() -> bytes:
    """A tiny workbook that claims a cell at XFD1048576 (python-calamine aborts the process on it)."""
    return raw_xlsx(_SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
                    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')


def xml_bomb_xlsx() -> bytes:
    """Billion laughs inside a worksheet."""
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    return raw_xlsx('<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + ']>' + _SHEET_HEAD[38:]
                    + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>')


def zip_bomb_xlsx(megabytes: int = 400) -> bytes:
    """A workbook whose sheet inflates from a few hundred KB to hundreds of MB of blank XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write((_SHEET_HEAD + "<sheetData>").encode())
            chunk = b" " * (1 << 20)
            for _ in range(megabytes):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def many_rows_xlsx(rows: int = 1_000_000) -> bytes:
    """A real workbook with `rows` rows of data (written in constant memory)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    ws = book.add_worksheet("Data")
    ws.write_row(0, 0, ["kecamatan", "desa", "indikator", "periode", "jumlah"])
    for r in range(1, rows):
        ws.write_number(r, 4, r % 7)
    book.close()
    return buffer.getvalue()


def png_bytes() -> bytes:
    import base64

    return base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def encrypted_xlsx() -> bytes:
    """The start of an OLE2 container, which is how Excel stores a password-protected .xlsx."""
    return bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 4088


def long_ods(records: list[dict], headers: dict) -> bytes:
    """The long table as an OpenDocument spreadsheet (LibreOffice's own format), written by hand."""
    from xml.sax.saxutils import escape

    def cell(value) -> str:
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    rows = ["<table:table-row>" + "".join(cell(h) for h in headers.values()) + "</table:table-row>"]
    rows += ["<table:table-row>" + "".join(cell(r.get(f, "")) for f in headers) + "</table:table-row>" for r in records]
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>'
               '<table:table table:name="Data">' + "".join(rows) + "</table:table></office:spreadsheet></office:body></office:document-content>")
    return ods_package(content)


def ods_package(content: str) -> bytes:
    """An OpenDocument spreadsheet file around its content.xml (mimetype first and stored, as the format asks)."""
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
