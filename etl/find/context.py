"""What a sheet says about itself above its table: title lines and the header block of a form.

'REKAPITULASI PMKS KECAMATAN MONTONG KABUPATEN TUBAN', 'REKAP PMKS KEC. PALANG BULAN OKTOBER 2026',
'Desa : Menilo' or 'Desa' | ':' | 'Menilo': the kecamatan, desa and month are cut out of such lines
without what the same line goes on to say (the kabupaten, the month, another label).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from etl.read.cells import column_letter, find_period

BLOCK_LABELS = [  # (field, label pattern at the start of a cell)
    ("desa", re.compile(r"^(nama\s+)?(desa\s*/\s*kel(urahan)?|kel(urahan)?\s*/\s*desa|desa|kelurahan)\b\.?", re.IGNORECASE)),
    ("kecamatan", re.compile(r"^(nama\s+)?kec(amatan)?\b\.?", re.IGNORECASE)),
    ("periode", re.compile(r"^(bulan\s*/\s*tahun|bulan|periode(\s+laporan)?|masa\s+laporan)\b", re.IGNORECASE)),
    ("psm", re.compile(r"^(nama\s+psm|nama\s+petugas|psm|petugas)\b", re.IGNORECASE)),
    ("tahun", re.compile(r"^(tahun|thn)\b\.?", re.IGNORECASE)),
]
TITLE_KECAMATAN = re.compile(r"\b(?:kecamatan|kec\b\.?)\s*:?\s*([a-z][a-z .'\-]*?)(?=\s*[-\u2013]?\s+(bulan|kabupaten|kab|tahun|periode|kota|provinsi|prov|tuban|per|bln|th|thn|"
                             r"dalam|menurut|semester|keadaan|desa|kelurahan)\b|\s+\d|\s*[-\u2013,;:(/]|$)", re.IGNORECASE)
# what follows a name on the same line and is not part of it ('MONTONG KABUPATEN TUBAN', 'Menilo Kec. Soko')
_TRAILER = re.compile(r"\s*[-\u2013,;/(]?\s*\b(kabupaten|kab|kota|provinsi|prov|bulan|bln|tahun|thn|periode|kecamatan|kec|desa|ds|kelurahan|kel)\b.*$", re.IGNORECASE)


@dataclass(slots=True, frozen=True)
class Where:
    row: int | None = None  # 1-based, as in Excel
    col: str | None = None  # column letter


def header_block(texts: list[list[str]], upto: int) -> dict[str, tuple[str, Where]]:
    """Label/value pairs above a table: 'Desa : Menilo', or 'Desa' | ':' | 'Menilo' in adjacent cells."""
    found: dict[str, tuple[str, Where]] = {}
    for r in range(min(upto, len(texts))):
        row = texts[r]
        for c, text in enumerate(row):
            if not text:
                continue
            for name, pattern in BLOCK_LABELS:
                match = pattern.match(text)
                if not match or name in found:
                    continue
                rest = text[match.end():].strip()
                if rest and not rest.startswith(":") and len(text) > 40:
                    continue  # a sentence that merely starts with the word
                rest = _trim(rest.lstrip(":").strip(), name)
                where = Where(r + 1, column_letter(c))
                if not rest:
                    for c2 in range(c + 1, min(c + 6, len(row))):
                        value = _trim(row[c2].lstrip(":").strip(), name)
                        if value:
                            rest, where = value, Where(r + 1, column_letter(c2))
                            break
                if rest:
                    found[name] = (rest, where)
                break
    return found


def _trim(value: str, name: str) -> str:
    """A desa or kecamatan name without what the same line goes on to say (kabupaten, month, another label)."""
    if name not in ("desa", "kecamatan") or not value:
        return value
    match = _TRAILER.search(value)
    return value[:match.start()].strip(" -,;:") if match and match.start() > 0 else value


def title_facts(texts: list[list[str]], upto: int) -> dict[str, tuple[str, Where]]:
    """Kecamatan and month named inside title lines ('REKAP PMKS KECAMATAN MONTONG BULAN OKTOBER 2026')."""
    found: dict[str, tuple[str, Where]] = {}
    for r in range(min(upto, len(texts))):
        for c, text in enumerate(texts[r]):
            if not text or len(text) < 8:
                continue
            kecamatan, period, _, _ = _title_cell(text)
            if "kecamatan" not in found and kecamatan:
                found["kecamatan"] = (kecamatan, Where(r + 1, column_letter(c)))
            if "periode" not in found and period:
                found["periode"] = (text, Where(r + 1, column_letter(c)))
    return found


@functools.lru_cache(maxsize=8192)
def _title_cell(text: str) -> tuple[str | None, bool, str | None, str | None]:
    """(kecamatan, names a month, desa, year) that one title line says; computed once per distinct text."""
    match = TITLE_KECAMATAN.search(text)
    kecamatan = match.group(1).strip() if match and match.group(1).strip() else None
    desa = TITLE_DESA.search(text)
    year = _YEAR_WORD.search(text)
    # a month in a line of words ('BULAN OKTOBER 2026'), not in a code (35.23.05.2001) or the date under a signature
    period = any(ch.isalpha() for ch in text) and not _DATED_LINE.match(text) and find_period(text) is not None
    return (kecamatan, period, desa.group(1).strip() if desa and desa.group(1).strip() else None, year.group(1) if year else None)


TITLE_DESA = re.compile(r"\b(?:desa|kelurahan|ds\b\.?|kel\b\.?)\s*:?\s*([a-z][a-z .'\-]*?)(?=\s*[-\u2013]?\s+(kecamatan|kec|bulan|kabupaten|kab|"
                        r"tahun|periode|kota|provinsi|prov|per|bln|th|thn)\b|\s*[-\u2013,;:(/]|$)", re.IGNORECASE)
_YEAR_WORD = re.compile(r"\b(?:tahun|thn|th)\b\.?\s*:?\s*((?:19|20)\d\d)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_DATED_LINE = re.compile(r"^\D+,\s*\d{1,2}\s")


def region_facts(grid, r0: int, r1: int, c0: int = 0, c1: int | None = None) -> dict[str, tuple[str, Where]]:
    """Kecamatan, desa, month, year and PSM written in rows r0..r1-1 (columns c0..c1-1) of a grid: header fields
    ('Desa : Menilo', 'Tahun | 2026') first, then title lines. Positions are the sheet's own (Excel) cells."""
    c1 = grid.width if c1 is None else c1
    texts = [[grid.label(r, c) for c in range(c0, c1)] if not grid.blank(r) else [] for r in range(r0, r1)]
    facts = title_facts(texts, len(texts))
    facts.update(header_block(texts, len(texts)))
    found = {k: (v, _shift(w, r0, c0, grid)) for k, (v, w) in facts.items()}
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            if not text or len(text) < 4:
                continue
            _, _, desa, year = _title_cell(text) if len(text) >= 8 else (None, False, None, None)
            if "desa" not in found and desa:
                found["desa"] = (desa, _shift(Where(r + 1, column_letter(c)), r0, c0, grid))
            if "tahun" not in found:
                if year is None and re.fullmatch(r"(?:tahun|thn|th)\.?\s*:?", text, re.IGNORECASE):
                    year = next((m.group(1) for t in row[c + 1:c + 4] if t and (m := _YEAR.fullmatch(t.strip(": ")))), None)
                if year:
                    found["tahun"] = (year, _shift(Where(r + 1, column_letter(c)), r0, c0, grid))
    return found


def _shift(where: Where, r0: int, c0: int, grid) -> Where:
    """A Where of a sub-grid moved to the sheet's own Excel cell (through a transposed grid, too)."""
    if where.row is None:
        return where
    assert where.col is not None  # a cell's Where has both
    r, c = where.row - 1 + r0, _col_index(where.col) + c0
    r, c = grid.orig(r, c)
    return Where(r + 1, column_letter(c))


def _col_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def year_in(text: str | None) -> str | None:
    """A year written in a sheet or file name ('Rekap 2026', 'rekap_pmks_2026.xlsx')."""
    match = _YEAR.search(text or "")
    return match.group(1) if match else None
