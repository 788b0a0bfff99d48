"""Reading single cells written by people: counts, months and column letters.

Every parser returns a value and, when the cell cannot be read, an Indonesian message saying why.
They are pure functions of one cell so that the ingest can apply them once per distinct value.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from common.fmt import BULAN

_BLANK = {"", "-", "--", "\u2013", "\u2014", "nihil", "nol", "tidak ada", "x"}
# "12", "1.234" (Indonesian thousands), "12,0", optionally followed by a unit such as "orang", "jiwa", "KK".
_COUNT = re.compile(r"^([+-]?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,0+)?\s*([^\d\s].*)?$")
_UNIT = re.compile(r"^(orang|org|jiwa|kk|keluarga|kepala keluarga|anak|lansia|rtm|rt|kel|komunitas|kelompok)\.?$")
_DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)+$")


def parse_count(raw) -> tuple[int | None, str | None]:
    """A PMKS count from a cell: (value, None) or (None, message).

    Blank, '-' and 'nihil' mean zero; '5 orang' is 5; '1.234' is 1234 (Indonesian thousands separator).
    """
    if raw is None:
        return 0, None
    if isinstance(raw, bool):
        return None, f"'{raw}' bukan angka"
    if isinstance(raw, int):
        return (raw, None) if raw >= 0 else (None, f"{raw} negatif; jumlah harus bilangan bulat ≥ 0")
    if isinstance(raw, float):
        if math.isnan(raw):
            return 0, None
        if not raw.is_integer():
            return None, f"{_show(raw)} bukan bilangan bulat"
        return (int(raw), None) if raw >= 0 else (None, f"{_show(raw)} negatif; jumlah harus bilangan bulat ≥ 0")
    if isinstance(raw, (date, datetime, timedelta)):
        return None, f"sel berisi tanggal/waktu ({raw}), bukan jumlah"
    text = " ".join(str(raw).split())
    if text.lower() in _BLANK:
        return 0, None
    match = _COUNT.match(text)
    if match and (match.group(3) is None or _UNIT.match(match.group(3).lower())):
        value = int(match.group(2).replace(".", ""))
        if match.group(1) == "-" and value:
            return None, f"'{text}' negatif; jumlah harus bilangan bulat ≥ 0"
        return value, None
    if _DECIMAL.match(text):
        return None, f"'{text}' bukan bilangan bulat"
    return None, f"'{text}' bukan angka"


def _show(value: float) -> str:
    return f"{value:g}".replace(".", ",")


_MONTHS = {name.lower(): i for i, name in enumerate(BULAN, start=1)}
_MONTHS.update({
    "jan": 1, "feb": 2, "peb": 2, "pebruari": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7,
    "agu": 8, "agt": 8, "ags": 8, "agust": 8, "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nop": 11,
    "nov": 11, "nopember": 11, "des": 12, "dec": 12, "januari": 1, "january": 1, "february": 2, "march": 3,
    "april": 4, "june": 6, "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "desember": 12,
})
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_YEAR4 = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_YEAR2 = re.compile(r"^[\s\-/'’.]*(\d{2})(?!\d)")
_ISO = re.compile(r"(?<!\d)(20\d\d|19\d\d)[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?!\d)")
_MY = re.compile(r"(?<!\d)(?:(\d{1,2})[-/.])?(\d{1,2})[-/.](20\d\d|19\d\d)(?!\d)")
_ROMAN_MONTH = re.compile(r"(?<![A-Za-z])(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\s*[-/.\s]\s*(19\d\d|20\d\d)(?!\d)")
_ROMAN = {r: i for i, r in enumerate(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"), start=1)}
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_period(raw) -> date | None:
    """The month a report is for, as the first day of that month, or None when it cannot be read.

    Reads 'Oktober 2026', 'OKT 2026', 'Okt-26', '10/2026', '2026-10', '01/10/2026' (day first), Excel dates
    and Excel serial numbers.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, datetime):
        return date(raw.year, raw.month, 1)
    if isinstance(raw, date):
        return raw.replace(day=1)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):
            return None
        if 20000 <= raw <= 80000:  # an Excel serial date stored without a date format
            day = _EXCEL_EPOCH + timedelta(days=int(raw))
            return day.replace(day=1)
        return None
    text = " ".join(str(raw).split())
    if not text:
        return None
    word = _MONTH_WORD.search(text)
    if word:
        month = _MONTHS[word.group(1).lower()]
        year = _YEAR4.search(text)
        if year:
            return _month(int(year.group(1)), month)
        short = _YEAR2.match(text[word.end():])
        if short:
            return _month(2000 + int(short.group(1)), month)
        return None
    iso = _ISO.search(text)
    if iso:
        return _month(int(iso.group(1)), int(iso.group(2)))
    my = _MY.search(text)
    if my:
        return _month(int(my.group(3)), int(my.group(2)))
    roman = _ROMAN_MONTH.search(text)  # 'BULAN X TAHUN 2026' is written 'X 2026' or 'X/2026' once 'tahun' is gone
    if roman:
        return _month(int(roman.group(2)), _ROMAN[roman.group(1)])
    return None


def _month(year: int, month: int) -> date | None:
    return date(year, month, 1) if 1 <= month <= 12 and 1990 <= year <= 2100 else None


def find_period(text: str) -> date | None:
    """A month named anywhere in a longer title such as 'REKAP PMKS KECAMATAN MONTONG BULAN OKTOBER 2026'."""
    word = _MONTH_WORD.search(text)
    while word:
        candidate = parse_period(text[word.start():word.start() + 40])
        if candidate:
            return candidate
        word = _MONTH_WORD.search(text, word.end())
    if _ISO.search(text) or _MY.search(text):
        return parse_period(text)
    bare = re.sub(r"\b(bulan|bln|tahun|thn|th)\b\.?", " ", text, flags=re.IGNORECASE)
    return parse_period(bare) if _ROMAN_MONTH.search(bare) else None


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_text(raw) -> str:
    """A cell as single-spaced text ('' for empty); whole floats without '.0'."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        text = raw.strip()
        return text if "  " not in text and "\n" not in text and "\t" not in text else " ".join(text.split())
    if isinstance(raw, float):
        if math.isnan(raw):
            return ""
        if raw.is_integer():
            return str(int(raw))
    return " ".join(str(raw).split())
