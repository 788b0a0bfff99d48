"""Writing one grid of cells as .xlsx (xlsxwriter), .xls (xlwt, Excel 97), .ods (by hand) or .csv.

A grid is what a person sees: cell values (text, numbers, dates, formulas with their shown value),
merged ranges, hidden rows, hidden sheets, a logo picture, a sheet that holds only a chart. Each
writer keeps what its format can hold: .xls gets cached formula values as plain numbers (xlwt
writes no cached results), .ods and .csv drop the logo and the chart sheet, .csv keeps the first
visible sheet as text the way Excel exports it.
"""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.sax.saxutils import escape

from tests.reportfiles import ods_package

LOGO = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@dataclass(frozen=True)
class Formula:
    expr: str  # as typed after '=' with A1 references
    value: int | float  # what Excel shows (and caches)


@dataclass
class Grid:
    """One sheet; rows are appended and numbered as in Excel (1-based)."""

    name: str
    rows: list[list] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1, 0-based inclusive
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden: bool = False
    logo: bool = False
    chart_only: bool = False

    def add(self, *cells, span: int = 0, hidden: bool = False) -> int:
        """Append a row; span > 0 merges its first cell over that many columns. Returns the Excel row number."""
        r = len(self.rows)
        self.rows.append(list(cells))
        if span > 1:
            self.merges.append((r, 0, r, span - 1))
        if hidden:
            self.hidden_rows.add(r)
        return r + 1

    def merge(self, r0: int, c0: int, r1: int, c1: int) -> None:
        """Merge by Excel row numbers (1-based) and 0-based columns."""
        self.merges.append((r0 - 1, c0, r1 - 1, c1))


def _covered(grid: Grid) -> set[tuple[int, int]]:
    return {(r, c) for r0, c0, r1, c1 in grid.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}


def to_xlsx(grids: list[Grid]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    month = book.add_format({"num_format": "mmmm yyyy"})
    data_sheet = None
    for grid in grids:
        if grid.chart_only:
            continue
        ws = book.add_worksheet(grid.name)
        data_sheet = data_sheet or grid.name
        covered = _covered(grid)
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if (r, c) not in covered and value is not None:
                    _xlsx_cell(ws, r, c, value, month)
        for r0, c0, r1, c1 in grid.merges:
            value = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else ""
            ws.merge_range(r0, c0, r1, c1, "" if value is None else value)
        for r in grid.hidden_rows:
            ws.set_row(r, None, None, {"hidden": True})
        if grid.logo:
            ws.insert_image("A1", "logo.png", {"image_data": io.BytesIO(LOGO), "x_scale": 40, "y_scale": 40})
        if grid.hidden:
            ws.hide()
    for grid in grids:
        if grid.chart_only:
            chart = book.add_chart({"type": "column"})
            chart.add_series({"values": f"='{data_sheet}'!$C$8:$C$10"})
            book.add_chartsheet(grid.name).set_chart(chart)
    book.close()
    return buffer.getvalue()


def _xlsx_cell(ws, r, c, value, month) -> None:
    if isinstance(value, Formula):
        ws.write_formula(r, c, "=" + value.expr, None, value.value)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), month)
    else:
        ws.write(r, c, value)


def to_xls(grids: list[Grid]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    month = xlwt.easyxf(num_format_str="mmmm yyyy")
    for grid in grids:
        if grid.chart_only:
            continue
        ws = book.add_sheet(grid.name, cell_overwrite_ok=True)
        covered = _covered(grid)
        merged_at = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in grid.merges}
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if (r, c) in covered or (r, c) in merged_at or value is None:
                    continue
                _xls_cell(ws, r, c, value, month)
        for (r0, c0), (r1, c1) in merged_at.items():
            value = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else ""
            ws.write_merge(r0, r1, c0, c1, "" if value is None else _plain(value))
        for r in grid.hidden_rows:
            ws.row(r).hidden = True
        if grid.hidden:
            ws.visibility = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xls_cell(ws, r, c, value, month) -> None:
    if isinstance(value, (date, datetime)):
        ws.write(r, c, datetime(value.year, value.month, value.day), month)
    else:
        ws.write(r, c, _plain(value))


def _plain(value):
    return value.value if isinstance(value, Formula) else value


def to_ods(grids: list[Grid]) -> bytes:
    tables = []
    for grid in grids:
        if grid.chart_only:
            continue
        covered = _covered(grid)
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in grid.merges}
        width = max((len(r) for r in grid.rows), default=1)
        rows = []
        for r, row in enumerate(grid.rows):
            cells = []
            for c in range(width):
                value = row[c] if c < len(row) else None
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                attrs = ""
                if (r, c) in spans:
                    nr, nc = spans[(r, c)]
                    attrs = f' table:number-rows-spanned="{nr}" table:number-columns-spanned="{nc}"'
                cells.append(_ods_cell(value, attrs))
            visible = ' table:visibility="collapse"' if r in grid.hidden_rows else ""
            rows.append(f"<table:table-row{visible}>" + "".join(cells) + "</table:table-row>")
        style = ' table:style-name="hidden"' if grid.hidden else ""
        tables.append(f'<table:table table:name="{escape(grid.name)}"{style}>' + "".join(rows) + "</table:table>")
    return _ods_package("".join(tables))


def _ods_cell(value, attrs: str) -> str:
    if value is None or value == "":
        return f"<table:table-cell{attrs}/>"
    if isinstance(value, Formula):
        ref = value.expr
        return (f'<table:table-cell{attrs} table:formula="of:={escape(ref, {chr(34): "&quot;"})}" office:value-type="float" '
                f'office:value="{value.value}"><text:p>{value.value}</text:p></table:table-cell>')
    if isinstance(value, bool) or not isinstance(value, (int, float, date, datetime)):
        return f'<table:table-cell{attrs} office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'
    if isinstance(value, (date, datetime)):
        return (f'<table:table-cell{attrs} office:value-type="date" office:date-value="{value:%Y-%m-%d}">'
                f"<text:p>{value:%m/%Y}</text:p></table:table-cell>")
    return f'<table:table-cell{attrs} office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'


def _ods_package(tables: str) -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:automatic-styles><style:style style:name="hidden" style:family="table">'
               '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    return ods_package(content)


def to_csv(grids: list[Grid], *, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    """The first visible sheet as Excel's 'CSV (dipisah titik koma)' export writes it."""
    grid = next(g for g in grids if not g.hidden and not g.chart_only)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    covered = _covered(grid)
    for r, row in enumerate(grid.rows):
        writer.writerow(["" if (r, c) in covered else _csv_text(v) for c, v in enumerate(row)])
    return out.getvalue().encode(encoding, errors="replace")


def _csv_text(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return f"{value:%d/%m/%Y}"
    return str(value)


WRITERS = {"xlsx": to_xlsx, "xls": to_xls, "ods": to_ods, "csv": to_csv}
