"""Finding the tables of a sheet by evidence: the block of numbers where labelled columns and labelled rows cross.

A table starts at the first row holding numbers that no table has taken yet. Its *header band* is the few rows
right above (group headings, names, an L | P | Jumlah row, a row of column numbers), and every column of the band
is read for what it labels: a PMKS type, a desa, a month, a sex, a total (a column of counts) or the role of a
column of row labels (desa, kode, kecamatan, jenis PMKS, bulan, No, Keterangan). A column without a header word is
judged by its contents (desa names, PMKS names, 1 2 3 …). The body runs down from there through totals, group
headings and blank rows until a signature block, a new header or the sheet's end (`etl.find.body`). Tables side by side
under one header are *segments*: a role that comes again after counts starts a new one. The same finder reads the
transposed sheet, so labels running down a column are found as well (`etl.find.reading` compares both readings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from etl.find.columns import ROW_ROLES, Column, read_columns, row_kind
from etl.find.grid import Grid
from etl.find.lexicon import Lexicon

if TYPE_CHECKING:  # etl.find.longtable imports this module
    from etl.find.longtable import LongReading

__all__ = ["ROW_ROLES", "Column", "Table", "find_tables", "numbering_row"]

BAND_ROWS = 4  # header rows above a table's first row of numbers
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?\.?$")


@dataclass
class Table:
    """A table found in a grid (coordinates of the grid's own orientation)."""

    top: int  # first header row
    first: int  # first row of the body
    last: int  # last row of the body
    c0: int
    c1: int
    band: list[int]
    numbering: list[int]  # rows of column numbers under the header
    segments: list[list[Column]]
    rows: list = field(default_factory=list)  # body rows (etl.find.body.BodyRow)
    long: LongReading | None = None  # of a table whose rows are records


def numbering_row(grid: Grid, r: int, c0: int = 0, c1: int | None = None) -> bool:
    """A row that numbers the columns of the header above it: 1 2 3 4 … or (1) (2) (3) (3 or more, nothing else), or
    the 'No' column of a table printed transposed ('No | 1 | 2 | 3')."""
    texts = [t for t in grid.texts(r)[c0:c1] if t]
    words = [t for t in texts if t.lower().rstrip(".") in ("no", "nomor", "no urut")]
    named = bool(words) and texts[0] in words  # 'No | 1 | 2' (a table printed transposed)
    if named:
        texts = [t for t in texts if t not in words]
    if len(texts) < (1 if named else 2) or not all(_COLUMN_NUMBER.match(t) for t in texts):
        return False
    numbers = [int(t.strip("().")) for t in texts]
    steps = all(b == a + 1 or (b in (0, 1) and a > b) for a, b in zip(numbers, numbers[1:]))  # tables side by side restart
    return steps and (len(numbers) >= 3 or texts[0].startswith("(") or (named and numbers[0] == 1))


def find_tables(grid: Grid, lexicon: Lexicon, long_ok: bool = True) -> list[Table]:
    """Every table of the grid, top to bottom; numbers outside them are left for the accounting."""
    from etl.find.body import read_body
    from etl.find.longtable import is_long, read_long

    tables: list[Table] = []
    regions: list[tuple[int, int, int, int]] = []
    tried: set[tuple[int, int]] = set()
    start = 0
    while True:
        found = _next_numbers(grid, regions, tried, start)
        if found is None:
            return tables
        d, cols = found
        start = d  # tables are found top down: no number above d is left outside them
        window = _window(d, cols, regions, grid.width)
        if _codes_only(grid, lexicon, d, cols):
            tried.update((d, c) for c in cols)
            continue
        table = _table_at(grid, lexicon, d, cols, window)
        if table is None:
            tried.update((d, c) for c in cols)
            continue
        if long_ok and is_long(table):
            table.long = read_long(grid, lexicon, table)
            table.c0, table.c1 = 0, max(grid.width - 1, 0)  # a long table's rows are accounted for across the sheet
        else:
            read_body(grid, lexicon, table)
        tables.append(table)
        regions.append((table.top, table.c0, table.last, table.c1))


def _next_numbers(grid: Grid, regions, tried, start: int) -> tuple[int, list[int]] | None:
    """The first row holding numbers outside every table found so far (column numbers under a header aside)."""
    whole = sorted((r0, r1) for r0, c0, r1, c1 in regions if c0 == 0 and c1 >= grid.width - 1)
    r = start
    while r < grid.height:
        jump = next((r1 for r0, r1 in whole if r0 <= r <= r1), None)
        if jump is not None:
            r = jump + 1
            continue
        cols = [c for c in grid.nums(r) if (r, c) not in tried and not _inside(regions, r, c)]
        if cols and not numbering_row(grid, r):
            return r, cols
        r += 1
    return None


_YEAR_WORD = re.compile(r"\b(tahun|thn|th|periode|bulan|bln|keadaan|semester)\b", re.IGNORECASE)


def _codes_only(grid: Grid, lexicon: Lexicon, r: int, cols: list[int]) -> bool:
    """A row whose numbers are labels, not counts: desa codes of this area (a 'Kode Desa' row over desa names), or a
    year beside 'Tahun' ('Tahun : 2026' in the header fields)."""
    codes = 0
    for c in cols:
        word = lexicon.word(grid.text(r, c))
        if word is not None and word.code and word.code.count(".") == 3:
            codes += 1
            continue
        text = grid.text(r, c)
        if not (len(text) == 4 and text.isdigit() and 1990 <= int(text) <= 2100 and any(_YEAR_WORD.search(t) for t in grid.texts(r) if t)):
            return False
    return codes >= 2 or codes < len(cols)


def _inside(regions, r: int, c: int) -> bool:
    return any(r0 <= r <= r1 and c0 <= c <= c1 for r0, c0, r1, c1 in regions)


def _window(d: int, cols: list[int], regions, width: int) -> tuple[int, int]:
    """The columns a table starting at row d may use: up to the tables beside it."""
    left, right = 0, width - 1
    for r0, c0, r1, c1 in regions:
        if r0 - BAND_ROWS <= d <= r1 + 1:
            if c1 < min(cols):
                left = max(left, c1 + 1)
            elif c0 > max(cols):
                right = min(right, c0 - 1)
    return left, right


def _band(grid: Grid, lexicon: Lexicon, d: int, window: tuple[int, int]) -> tuple[list[int], list[int], int]:
    """Header rows above row d (top to bottom), the rows of column numbers among them, and the first body row: rows
    right above d that name a desa or PMKS type where d does (a first row left empty) belong to the body."""
    c0, c1 = window[0], window[1] + 1
    kinds = {(c, row_kind(lexicon.word(t))) for c, t in enumerate(grid.texts(d)) if t and c0 <= c < c1}
    kinds = {k for k in kinds if k[1] in ("indikator", "desa")}
    label_cols = {c for c, _ in kinds}
    band: list[int]
    band, numbering, r, blanks, first = [], [], d - 1, 0, d
    while r >= 0 and len(band) < BAND_ROWS:
        if not band and label_cols and _body_row(grid, lexicon, r, c0, c1, label_cols):
            first = r
            r -= 1
            continue
        if grid.blank(r, c0, c1):
            if band or blanks >= 2:
                break
            blanks += 1
        elif _signed(grid, r, c0, c1):
            break  # a signature block is never a header: numbers below it belong to no table
        elif numbering_row(grid, r, c0, c1):
            numbering.append(r)
        elif any(c0 <= c < c1 for c in grid.nums(r)) and not _codes_only(grid, lexicon, r, [c for c in grid.nums(r) if c0 <= c < c1]):
            break
        else:
            band.append(r)
        r -= 1
    return band[::-1], numbering[::-1], first


def _signed(grid: Grid, r: int, c0: int, c1: int) -> bool:
    from etl.find.body import _DATED, SIGNATURE

    return any(SIGNATURE.search(t) or _DATED.match(t) for t in grid.texts(r)[c0:c1] if t)


def _body_row(grid: Grid, lexicon: Lexicon, r: int, c0: int, c1: int, label_cols: set) -> bool:
    """A row above the first counts that still belongs to the body: a desa or PMKS type left empty, a group heading
    ('A. ANAK') or a section ('KECAMATAN MONTONG') written where the rows below have their names."""
    cells = [(c, t) for c, t in enumerate(grid.texts(r)) if t and c0 <= c < c1]
    if not cells or any(c not in label_cols for c, _ in cells) or grid.nums(r):
        return False
    words = [lexicon.word(t) for _, t in cells]
    return not any(w is not None and (w.role or w.sex) for w in words)


def _table_at(grid: Grid, lexicon: Lexicon, d: int, cols: list[int], window: tuple[int, int]) -> Table | None:
    band, numbering, first = _band(grid, lexicon, d, window)
    if not band:
        return None
    columns = read_columns(grid, lexicon, band, first, window)
    values = [col for col in columns if col.kind == "value"]
    counted = {col.c for col in columns if col.kind == "value" or col.role in ("no", "kode", "periode", "tahun")}
    if not values or not counted.intersection(cols):
        return None
    c0, c1 = min(col.c for col in columns), max(col.c for col in columns)
    segments = [_labelled(seg) for seg in _segments(columns)]
    return Table(band[0], first, first, c0, c1, band, numbering, segments)


def _labelled(seg: list[Column]) -> list[Column]:
    """A column of numbers without any header beside columns that have one is not part of the table (its numbers
    stay unaccounted): only a table whose one column of counts has no header reads it (as Jumlah)."""
    counts = [col for col in seg if col.kind == "value"]
    if any(col.dims for col in counts):
        return [col for col in seg if col.kind != "value" or col.dims or col.total]
    return seg


def _segments(columns: list[Column]) -> list[list[Column]]:
    """Tables side by side under one header: a row-label role met again after counts starts a new segment."""
    segments: list[list[Column]] = [[]]
    seen: set = set()
    counted = False
    for col in columns:
        if col.kind == "label" and col.role in seen and counted:
            segments.append([])
            seen, counted = set(), False
        if col.kind == "label":
            seen.add(col.role)
        elif col.kind == "value":
            counted = True
        segments[-1].append(col)
    return [s for s in segments if any(col.kind == "value" for col in s)]
