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
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
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
