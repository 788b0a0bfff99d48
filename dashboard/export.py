"""Tables as CSV and XLSX downloads, exactly as shown, safe to open in Excel."""

from __future__ import annotations

import io

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix text that Excel would run as a formula (= + - @) with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    """Formula-looking text neutralised, and a column of floats that are all whole numbers written as whole numbers
    (a count that went through a float is '395', never '395,0')."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
        elif pd.api.types.is_float_dtype(out[col]):
            known = out[col].dropna()
            if len(known) and (known == known.round()).all() and known.abs().max() < 2**53:
                out[col] = out[col].round().astype("Int64")
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with ';' separators and ',' decimals, as Indonesian Excel expects; UTF-8 with BOM."""
    return _safe(df).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "Data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False}}) as writer:
        _safe(df).to_excel(writer, sheet_name=sheet[:31], index=False)
        writer.sheets[sheet[:31]].autofit()
    return buf.getvalue()


def report_xlsx(table: pd.DataFrame, cover: list[tuple[str, str]], title: str, sheet: str = "Daftar prioritas",
                number_formats: dict[str, str] | None = None) -> bytes:
    """A workbook for printing: a cover sheet ('Keterangan': title, then label/value rows such as method, weights,
    period, completeness, source) and the table with bold headers, frozen header row, A4 landscape fitted to the
    page width, the header repeated on every printed page and page numbers in the footer."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False}}) as writer:
        book = writer.book
        bold = book.add_format({"bold": True})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9D9D9", "border": 1})
        front = book.add_worksheet("Keterangan")
        front.write(0, 0, neutralise(title), book.add_format({"bold": True, "font_size": 14}))
        for r, (label, value) in enumerate(cover, start=2):
            front.write(r, 0, neutralise(label), bold)
            front.write(r, 1, neutralise(value), wrap)
        front.set_column(0, 0, 28)
        front.set_column(1, 1, 100)
        front.set_paper(9)
        front.fit_to_pages(1, 0)
        data = _safe(table)
        data.to_excel(writer, sheet_name=sheet, index=False, startrow=1, header=False)
        ws = writer.sheets[sheet]
        for c, name in enumerate(data.columns):
            ws.write(0, c, name, head)
            fmt = (number_formats or {}).get(table.columns[c])
            width = max(10, min(40, int(max([len(str(name)) / 2] + [len(str(v)) for v in data.iloc[:, c].head(200)])) + 2))
            ws.set_column(c, c, width, book.add_format({"num_format": fmt}) if fmt else None)
        ws.freeze_panes(1, 0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.set_footer("&L" + neutralise(title)[:80] + "&RHalaman &P dari &N")
        ws.autofilter(0, 0, len(data), len(data.columns) - 1)
    return buf.getvalue()
