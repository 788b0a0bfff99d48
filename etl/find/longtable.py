"""Long tables (one row per desa x month x PMKS type) read column-wise, so that 100.000 rows cost little.

The table finder (`etl.find.tables`) has found the header and said what each column holds; here the body is walked
once by its desa (or kode) column: blank rows skipped, total rows kept aside to be checked, a signature block ends
it. Every column is then accounted for from its distinct values: counts read, codes, months and notes ignored by
their column's role, numbers in a column nobody labelled left unaccounted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from etl.check.totals import check
from etl.find.body import _DATED, SIGNATURE
from etl.find.context import Where
from etl.find.grid import Grid
from etl.find.lexicon import Lexicon, number_like
from etl.find.tables import Table
from etl.read.cells import cell_text, column_letter

FIELDS = ("kecamatan", "desa", "kode", "indikator", "periode", "tahun", "psm")
IGNORED = {"kode": "kode wilayah", "periode": "bulan", "tahun": "tahun", "no": "nomor urut", "alamat": "alamat (RT/RW)",
           "kecamatan": "kode wilayah", "desa": "kode wilayah", "indikator": "kode wilayah"}


@dataclass
class LongTable:
    """A long table's body column-wise: the cells of each field as written, with their Excel row numbers."""

    sheet: str | None
    rows: list[int]
    cells: dict[str, list]  # field -> cells, only for fields that have a column
    letters: dict[str, str | None]
    kecamatan: tuple[str, Where] | None  # from the title or the analyst when there is no kecamatan column
    periode: tuple[object, Where] | None


@dataclass
class LongReading:
    """What reading a long table found: its records, its total rows checked, and its cells accounted for."""

    roles: dict[str, int]  # field -> column
    records: list[int]  # grid rows
    totals: list = field(default_factory=list)  # etl.check.totals.Checked
    read: int = 0
    ignored: dict[str, int] = field(default_factory=dict)
    unaccounted: list = field(default_factory=list)  # grid cells
    columns: list = field(default_factory=list)  # the record rows' cells, column by column
    end: int = 0


def is_long(table: Table) -> bool:
    """A table whose rows are records: a PMKS type and a desa (or code) in columns of their own, counts beside."""
    for seg in table.segments:
        roles = {col.role for col in seg if col.kind == "label"}
        values = [col for col in seg if col.kind == "value"]
        if "indikator" in roles and roles & {"desa", "kode"} and values and all(not _identity(col) for col in values):
            return True
    return False


def _identity(col) -> bool:
    return any(k in col.dims for k in ("ind", "desa", "month"))


def read_long(grid: Grid, lexicon: Lexicon, table: Table) -> LongReading:
    """Walk the body of a long table and account for every column of its rows."""
    seg = next(s for s in table.segments if any(c.role == "indikator" for c in s if c.kind == "label"))
    roles: dict[str, int] = {}
    for col in seg:
        if col.kind == "label" and col.role in FIELDS and col.role not in roles:
            roles[col.role] = col.c
        elif col.kind == "value":
            part = {"l": "l", "p": "p"}.get(col.dims.get("sex", ""), "jumlah")
            roles.setdefault(part, col.c)
    key = roles.get("desa", roles.get("kode"))
    assert key is not None  # a long table has a desa or kode column
    records, totals, end = _body(grid, lexicon, table.first, key, (table.c0, table.c1))
    reading = LongReading(roles, records, end=end)
    table.last = end
    _account(grid, lexicon, seg, reading)
    _check_totals(grid, reading, totals)
    return reading


def _body(grid: Grid, lexicon: Lexicon, start: int, key: int, span) -> tuple[list[int], list[int], int]:
    """Record rows, total rows and the last row of the body: blank rows skipped, a signature block ends it."""
    records: list[int]
    totals: list[int]
    records, totals, end = [], [], start
    seen: dict[str, bool] = {}  # desa cell text -> is it a total label
    rows = grid.rows
    for r in range(start, grid.height):
        row = rows[r]
        value: Any = row[key] if key < len(row) else None
        if value.__class__ is str and value in seen:
            (totals if seen[value] else records).append(r)
            end = r
            continue
        text = cell_text(value)
        if text and (SIGNATURE.search(text) or _DATED.match(text)) and not grid.nums(r):
            break  # 'Tuban, 5 November 2026', 'Kepala Dinas …' under the table
        if text:
            word = lexicon.word(text)
            total = bool(word and word.total)
            if value.__class__ is str:
                seen[value] = total
            (totals if total else records).append(r)
            end = r
            continue
        texts = grid.texts(r)
        if not any(texts):
            if r - end > 2:
                break  # two blank rows: the table has ended (numbers further down belong to no table)
            continue
        if any(SIGNATURE.search(t) or _DATED.match(t) for t in texts if t) and not grid.nums(r):
            break
        word = lexicon.word(next(t for t in texts if t))
        (totals if word and word.total else records).append(r)
        end = r
    return records, totals, end


def _account(grid: Grid, lexicon: Lexicon, seg, reading: LongReading) -> None:
    """Every column of the record rows: counts read (L, P, Jumlah), numbers in columns of row numbers, codes, months,
    years and notes set aside by role, codes in the desa column; any other number (a column nobody labelled, a second
    Jumlah) unaccounted."""
    values = {reading.roles[k] for k in ("l", "p", "jumlah") if k in reading.roles}
    role_of = {col.c: col.role for col in seg if col.kind == "label"}
    reading.columns = _columns(list(map(grid.rows.__getitem__, reading.records)))
    for c, column in enumerate(reading.columns):
        role = role_of.get(c)
        numeric = _numeric(column, lexicon if role in ("desa", "kecamatan", "indikator") else None)
        n = int(numeric.sum())
        if not n:
            continue
        if c in values:
            reading.read += n
        elif role in IGNORED and role not in ("desa", "kecamatan", "indikator"):
            reading.ignored[IGNORED[role]] = reading.ignored.get(IGNORED[role], 0) + n
        else:
            reading.unaccounted.extend((reading.records[i], c) for i in np.flatnonzero(numeric))
        if role in ("desa", "kecamatan", "indikator"):
            codes = int(_numeric(column).sum()) - n
            if codes:
                reading.ignored["kode wilayah"] = reading.ignored.get("kode wilayah", 0) + codes


def _columns(rows: list[list]) -> list[list]:
    """The rows' cells column by column (rows of a CSV are as wide as each other; a sheet's may be ragged)."""
    if not rows:
        return []
    width, shortest = max(map(len, rows)), min(map(len, rows))
    if width == shortest:
        return [list(map(itemgetter(c), rows)) for c in range(width)]
    return [list(column) for column in zip_longest(*rows)]


def _numeric(column: list, codes_aside: Lexicon | None = None) -> np.ndarray:
    """Which cells hold a number (with `codes_aside`, a number that is not a code of this area)."""
    codes, uniques = pd.factorize(pd.Series(column, dtype=object), use_na_sentinel=False)
    flags = np.fromiter((v is not None and v == v and number_like(v) and not (codes_aside and _is_code(codes_aside, v)) for v in uniques),
                        dtype=bool, count=len(uniques))
    return flags[codes] if len(codes) else np.zeros(0, dtype=bool)


def _is_code(lexicon: Lexicon, value) -> bool:
    word = lexicon.word(cell_text(value))
    return word is not None and bool(word.code)


def _check_totals(grid: Grid, reading: LongReading, totals: list[int]) -> None:
    """Each total row against the records since the previous total, every record above it, or the totals above it."""
    previous: list[int] = []
    for t in totals:
        since = [r for r in reading.records if (previous[-1] if previous else -1) < r < t]
        above = [r for r in reading.records if r < t]
        label = cell_text(grid.value(t, reading.roles.get("desa", reading.roles.get("kode", 0)))) or "JUMLAH"
        for part in ("l", "p", "jumlah"):
            c = reading.roles.get(part)
            if c is None or not grid.is_num(t, c):
                continue
            found = check(grid, (t, c), [[(r, c) for r in since], [(r, c) for r in above], [(r, c) for r in previous]], label)
            if found is not None:
                reading.totals.append(found)
        previous.append(t)


def long_table(sheet: str | None, grid: Grid, reading: LongReading, kecamatan, periode) -> LongTable:
    """The long table as the resolver takes it (`etl.resolve.reports.resolve_long`)."""
    body = reading.records
    columns = reading.columns
    cells = {name: columns[c] if c < len(columns) else [None] * len(body) for name, c in reading.roles.items()}
    letters = {k: (column_letter(reading.roles[k]) if k in reading.roles else None)
               for k in ("kecamatan", "desa", "kode", "indikator", "periode", "tahun", "jumlah", "l", "p", "psm")}
    return LongTable(sheet, [r + 1 for r in body], cells, letters, kecamatan, periode)
