"""Indonesian number and date formats: 1.234,5 and "Oktober 2026"."""

from __future__ import annotations

import math
from datetime import date

BULAN = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip


def angka(value: float | int | None, decimals: int = 0, empty: str = "–") -> str:
    """Format a number the Indonesian way: thousands with '.', decimals with ','."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType":  # pandas' NA
        return empty
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def persen(value: float | None, decimals: int = 1) -> str:
    """A share (0..1) as '93,4%'."""
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{angka(value * 100, decimals)}%"


def bulan(periode: date | None) -> str:
    """A month as 'Oktober 2026'."""
    if periode is None:
        return "–"
    return f"{BULAN[periode.month - 1]} {periode.year}"


def bulan_pendek(periode: date) -> str:
    """A month as 'Okt 2026' for chart axes."""
    return f"{BULAN[periode.month - 1][:3]} {periode.year}"


def tanggal(value: date | None) -> str:
    """A date as '27 November 2026'."""
    return "–" if value is None else f"{value.day} {BULAN[value.month - 1]} {value.year}"
