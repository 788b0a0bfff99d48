"""Finding the table of a desa population file and pulling its rows out, as written.

Two shapes are recognised on every sheet, whatever the title rows, blank rows, totals and signatures around them:

- **tabel panjang** (Dukcapil consolidated data, any export): one row per desa with a code column and/or
  kecamatan and desa name columns, and L, P and/or Jumlah columns (a merged 'Jumlah Penduduk' above
  L | P | Jumlah is read too);
- **rekap kecamatan** (BPS "Kecamatan … Dalam Angka", a kecamatan's own recap): one row per desa without a
  kecamatan column; the kecamatan is named in the title ('Kecamatan Montong') or a 'Kecamatan : …' line.

Reading numbers and names is the job of `etl.penduduk_import`; this module only says where each value stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.cells import cell_text, column_letter
from etl.layouts import SIGNATURE, SYNONYMS, TOTALS
from etl.match import normalize_label

HEADER_SCAN = 40
ROLES = {
    "desa": SYNONYMS["desa"],
    "kecamatan": SYNONYMS["kecamatan"] | {"nama kec", "kecamatan nama", "nama kecamatan kel"},
    "kode": SYNONYMS["kode"] | {"kode", "kode desa kelurahan kemendagri", "kode wilayah desa"},
    "l": SYNONYMS["l"] | {"penduduk laki laki", "jumlah laki laki", "laki laki l"},
    "p": SYNONYMS["p"] | {"penduduk perempuan", "jumlah perempuan", "perempuan p"},
    "jumlah": SYNONYMS["jumlah"] | {"jumlah penduduk", "penduduk", "total penduduk", "jumlah total", "l p jumlah",
                                    "jumlah jiwa penduduk", "banyaknya penduduk"},
}
ROLE_OF = {syn: role for role, syns in ROLES.items() for syn in syns}
_TITLE_TAIL = re.compile(r"\s+(?:dalam angka|menurut|tahun|kabupaten|kab\b|semester|keadaan|\d{4})", re.IGNORECASE)
_TITLE_KEC = re.compile(r"\bkec(?:amatan)?\b\.?\s*:?\s*([a-z][a-z .'\-]*)", re.IGNORECASE)
_AREA_TOTAL = re.compile(r"^\s*(kecamatan|kec\.|kabupaten|kab\.|kota)\s", re.IGNORECASE)
_COLUMN_NUMBER = re.compile(r"^\(\d{1,2}\)$")
LAYOUT = {"long": "tabel panjang", "recap": "rekap kecamatan"}


@dataclass(slots=True)
class PopRow:
    """One desa row as written, with the column letter of every field."""

    sheet: str | None
    row: int  # 1-based, as in Excel
    kecamatan: str | None
    kecamatan_at: tuple[int | None, str | None]  # (row, column) of the kecamatan (a cell of the title for a recap)
    desa: str | None
    kode: str | None
    desa_col: str | None
    laki_laki: object = None
    perempuan: object = None
    jumlah: object = None
    cols: dict = field(default_factory=dict)  # l|p|jumlah|kode -> column letter


@dataclass
class PopSheet:
    layout: str | None
    rows: list[PopRow] = field(default_factory=list)
    problems: list[tuple[str, int | None, str | None, str, str | None]] = field(default_factory=list)  # severity, row, col, message, suggestion


def _role(text: str) -> str | None:
    return ROLE_OF.get(normalize_label(text)) if text else None


def _roles(texts: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, text in enumerate(texts):
        role = _role(text)
        if role and role not in found:
            found[role] = c
    return found


def _merged_texts(rows: list[list], merged, width: int) -> list[list[str]]:
    """The first rows as text, a merged header's text copied into every cell it covers."""
    texts = [[cell_text(c) for c in r] + [""] * (width - len(r)) for r in rows[:HEADER_SCAN + 2]]
    for (r0, c0), (r1, c1) in merged or []:
        if r0 >= len(texts):
            continue
        for r in range(r0, min(r1 + 1, len(texts))):
            for c in range(c0, min(c1 + 1, width)):
                if not texts[r][c]:
                    texts[r][c] = texts[r0][c0] if c0 < width else ""
    return texts


def _title_kecamatan(texts: list[list[str]], upto: int) -> tuple[str, tuple[int, str]] | None:
    """The kecamatan named above the table: 'Kecamatan : Montong', 'KECAMATAN MONTONG DALAM ANGKA 2025'."""
    for r in range(min(upto, len(texts))):
        for c, text in enumerate(texts[r]):
            match = _TITLE_KEC.search(text) if text else None
            if match:
                name = _TITLE_TAIL.split(match.group(1))[0].strip(" .-")
                if name:
                    return name, (r + 1, column_letter(c))
    return None


def find_header(texts: list[list[str]]) -> tuple[int, dict[str, int], int] | None:
    """(header row index, role -> column, first body row index), or None when the sheet holds no population table."""
    for r, row in enumerate(texts[:HEADER_SCAN]):
        roles = _roles(row)
        if "desa" not in roles and "kode" not in roles:
            continue
        below = _roles(texts[r + 1]) if r + 1 < len(texts) else {}
        if "l" in below and "p" in below and "l" not in roles:  # 'Jumlah Penduduk' merged above L | P | Jumlah
            counts = {k: below[k] for k in ("l", "p", "jumlah") if k in below}
            keep = {k: v for k, v in roles.items() if k not in ("l", "p", "jumlah") and v not in counts.values()}
            return r, keep | counts, r + 2
        if any(k in roles for k in ("jumlah", "l", "p")):
            return r, roles, r + 1
    return None


def read_population_sheet(name: str | None, rows: list[list], merged=None) -> PopSheet:
    """The desa rows of one sheet; layout None when the sheet is not a population table."""
    width = max((len(r) for r in rows), default=0)
    texts = _merged_texts(rows, merged, width)
    found = find_header(texts)
    if found is None:
        if any(any(t for t in row) for row in texts):
            return PopSheet(None, problems=[("warning", None, None, "lembar tidak dikenali sebagai tabel penduduk dan dilewati", None)])
        return PopSheet(None)
    header, roles, start = found
    result = PopSheet("long" if "kecamatan" in roles or "kode" in roles else "recap")
    kec_title = _title_kecamatan(texts, header)
    if "kecamatan" not in roles and "kode" not in roles and kec_title is None:
        result.problems.append(("warning", header + 1, None, ("tabel tidak menyebut kecamatan (kolom atau judul); desa dicocokkan "
                                                              "di seluruh kabupaten"), "tulis 'Kecamatan : …' di atas tabel bila nama desa ada yang kembar"))
    letters = {k: column_letter(v) for k, v in roles.items()}
    key_col = roles.get("desa", roles.get("kode"))
    count_cols = [roles[k] for k in ("l", "p", "jumlah") if k in roles]
    for r in range(start, len(rows)):
        raw = list(rows[r]) + [None] * (width - len(rows[r]))
        text = [cell_text(c) for c in raw]
        if not any(text):
            continue
        key = text[key_col]
        desa = text[roles["desa"]] if "desa" in roles else ""
        kode = text[roles["kode"]] if "kode" in roles else ""
        numbers = [text[c] for c in count_cols]
        first = next((t for t in text if t), "")
        if TOTALS.match(normalize_label(key or first)) or _AREA_TOTAL.match(key or first):
            continue  # a totals row ('Jumlah', 'Kecamatan Montong', 'Kabupaten Tuban')
        if all(_COLUMN_NUMBER.match(t) for t in text if t) or (r == start and all(t.isdigit() and len(t) <= 2 for t in text if t)):
            continue  # a row of column numbers under the header: (1) (2) (3)
        if not desa and not kode:
            if any(SIGNATURE.search(t) or re.match(r"^[A-Z][a-z]+,\s*\d{1,2}\s+\w+\s+\d{4}$", t) for t in text if t):
                break
            if any(numbers):
                result.problems.append(("error", r + 1, letters.get("desa", letters.get("kode")), "nama/kode desa kosong padahal ada angka", None))
            continue
        if key.isdigit() and len(key) <= 3 and not kode:
            continue  # a row of column numbers under the header
        if "kecamatan" in roles:
            kec, kec_at = text[roles["kecamatan"]] or None, (r + 1, letters["kecamatan"])
        elif kec_title:
            kec, kec_at = kec_title
        else:
            kec, kec_at = None, (None, None)
        counts = [raw[roles[k]] if k in roles else None for k in ("l", "p", "jumlah")]
        result.rows.append(PopRow(name, r + 1, kec, kec_at, desa or None, kode or None,
                                  letters.get("desa", letters.get("kode")), *counts,
                                  {k: letters[k] for k in ("l", "p", "jumlah", "kode") if k in letters}))
    return result
