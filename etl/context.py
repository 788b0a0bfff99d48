"""What a sheet says about itself above its table: title lines and the header block of a form.

'REKAPITULASI PMKS KECAMATAN MONTONG KABUPATEN TUBAN', 'REKAP PMKS KEC. PALANG BULAN OKTOBER 2026',
'Desa : Menilo' or 'Desa' | ':' | 'Menilo': the kecamatan, desa and month are cut out of such lines
without what the same line goes on to say (the kabupaten, the month, another label).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.cells import column_letter, find_period

BLOCK_LABELS = [  # (field, label pattern at the start of a cell)
    ("desa", re.compile(r"^(nama\s+)?(desa\s*/\s*kel(urahan)?|kel(urahan)?\s*/\s*desa|desa|kelurahan)\b\.?", re.IGNORECASE)),
    ("kecamatan", re.compile(r"^(nama\s+)?kec(amatan)?\b\.?", re.IGNORECASE)),
    ("periode", re.compile(r"^(bulan\s*/\s*tahun|bulan|periode(\s+laporan)?|masa\s+laporan)\b", re.IGNORECASE)),
    ("psm", re.compile(r"^(nama\s+psm|nama\s+petugas|psm|petugas)\b", re.IGNORECASE)),
]
TITLE_KECAMATAN = re.compile(r"\b(?:kecamatan|kec\b\.?)\s*:?\s*([a-z][a-z .'\-]*?)(?=\s*[-\u2013]?\s+(bulan|kabupaten|kab|tahun|periode|kota|provinsi|prov|tuban|per|bln|th|thn)\b|\s*[-\u2013,;:(/]|$)", re.IGNORECASE)
# what follows a name on the same line and is not part of it ('MONTONG KABUPATEN TUBAN', 'Menilo Kec. Soko')
_TRAILER = re.compile(r"\s*[-\u2013,;/(]?\s*\b(kabupaten|kab|kota|provinsi|prov|bulan|bln|tahun|thn|periode|kecamatan|kec|desa|ds|kelurahan|kel)\b.*$", re.IGNORECASE)


@dataclass(slots=True)
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
            where = Where(r + 1, column_letter(c))
            if "kecamatan" not in found:
                match = TITLE_KECAMATAN.search(text)
                if match and match.group(1).strip():
                    found["kecamatan"] = (match.group(1).strip(), where)
            if "periode" not in found and find_period(text):
                found["periode"] = (text, where)
    return found
