"""Finding the tables of a sheet by evidence: the block of numbers where labelled columns and labelled rows cross.

A table starts at the first row holding numbers that no table has taken yet. Its *header band* is the few rows
right above (group headings, names, an L | P | Jumlah row, a row of column numbers), and every column of the band
is read for what it labels: a PMKS type, a desa, a month, a sex, a total (a column of counts) or the role of a
column of row labels (desa, kode, kecamatan, jenis PMKS, bulan, No, Keterangan). A column without a header word is
judged by its contents (desa names, PMKS names, 1 2 3 …). The body runs down from there through totals, group
headings and blank rows until a signature block, a new header or the sheet's end (`etl.body`). Tables side by side
under one header are *segments*: a role that comes again after counts starts a new one. The same finder reads the
transposed sheet, so labels running down a column are found as well (`etl.reading` compares both readings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.grid import Grid
from etl.lexicon import Lexicon, Word

BAND_ROWS = 4  # header rows above a table's first row of numbers
ROW_ROLES = {"desa", "kode", "kecamatan", "indikator", "periode", "tahun", "sex"}  # roles whose cells label a row
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?\.?$")


@dataclass(slots=True)
class Column:
    """One column of a table: row labels of a role, counts with what they count, or something to leave alone."""

    c: int
    kind: str  # label | value | ignore | heading (a kecamatan named above the desa columns that follow)
    role: str | None = None  # label columns: desa | kode | kecamatan | indikator | periode | tahun | sex | no | psm | abaikan
    dims: dict = field(default_factory=dict)  # value columns: ind | desa | month | unknown -> (text, (r, c)); sex -> l | p | j
    total: bool = False  # a column of row totals (JUMLAH beside PMKS types, desa or months)


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
    rows: list = field(default_factory=list)  # body rows (etl.body.BodyRow)
    long: object = None  # etl.longtable.LongReading of a table whose rows are records


def numbering_row(grid: Grid, r: int, c0: int = 0, c1: int | None = None) -> bool:
    """A row that numbers the columns of the header above it: 1 2 3 4 … or (1) (2) (3) (3 or more, nothing else), or
    the 'No' column of a table printed transposed ('No | 1 | 2 | 3')."""
    texts = [t for t in grid.texts(r)[c0:c1] if t]
    words = [t for t in texts if t.lower().rstrip(".") in ("no", "nomor", "no urut")]
    if words and texts[0] in words:
        texts = [t for t in texts if t not in words]
    if len(texts) < 2 or not all(_COLUMN_NUMBER.match(t) for t in texts):
        return False
    numbers = [int(t.strip("().")) for t in texts]
    steps = all(b == a + 1 or (b in (0, 1) and a > b) for a, b in zip(numbers, numbers[1:]))  # tables side by side restart
    return steps and (len(numbers) >= 3 or texts[0].startswith("("))


def find_tables(grid: Grid, lexicon: Lexicon, long_ok: bool = True) -> list[Table]:
    """Every table of the grid, top to bottom; numbers outside them are left for the accounting."""
    from etl.body import read_body
    from etl.longtable import is_long, read_long

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
    kinds = {(c, _row_kind(lexicon.word(t))) for c, t in enumerate(grid.texts(d)) if t and c0 <= c < c1}
    kinds = {k for k in kinds if k[1] in ("indikator", "desa")}
    label_cols = {c for c, _ in kinds}
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
        elif numbering_row(grid, r, c0, c1):
            numbering.append(r)
        elif any(c0 <= c < c1 for c in grid.nums(r)) and not _codes_only(grid, lexicon, r, [c for c in grid.nums(r) if c0 <= c < c1]):
            break
        else:
            band.append(r)
        r -= 1
    return band[::-1], numbering[::-1], first


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
    columns = _columns(grid, lexicon, band, first, window)
    values = [col for col in columns if col.kind == "value"]
    counted = {col.c for col in columns if col.kind == "value" or col.role in ("no", "kode", "periode", "tahun")}
    if not values or not counted.intersection(cols):
        return None
    c0, c1 = min(col.c for col in columns), max(col.c for col in columns)
    segments = _segments(columns)
    return Table(band[0], first, first, c0, c1, band, numbering, segments)


def _columns(grid: Grid, lexicon: Lexicon, band: list[int], d: int, window: tuple[int, int]) -> list[Column]:
    """What each column of the band labels (see the module docstring), judged header first, then by contents."""
    sex_rows = {r for r in band if _sex_row(grid, lexicon, r, window)}
    sample = []
    for r in range(d, min(grid.height, d + 40)):  # the body's first rows, up to a blank row
        if grid.blank(r, window[0], window[1] + 1) and sample:
            break
        sample.append(r)
    columns: list[Column] = []
    for c in range(window[0], window[1] + 1):
        column = _column(grid, lexicon, band, sex_rows, c, sample)
        if column is not None:
            columns.append(column)
    _fill_right(grid, lexicon, band, columns)
    _mark_totals(columns)
    return columns


def _sex_row(grid: Grid, lexicon: Lexicon, r: int, window) -> bool:
    """A band row of L | P | Jumlah: 'P' there is Perempuan, not the abbreviation of Pengemis."""
    words = [lexicon.word(grid.label(r, c)) for c in range(window[0], window[1] + 1)]
    parts = [w.sex for w in words if w is not None and w.sex and not w.ind]
    return "l" in parts and len(parts) >= 2


def _column(grid: Grid, lexicon: Lexicon, band: list[int], sex_rows: set, c: int, sample: list[int]) -> Column | None:
    """One column: the lowest band cell that says something decides; a higher one adds the PMKS type, desa or month
    above an L | P | Jumlah cell."""
    found: dict = {}
    sex_at = None
    for r in reversed(band):
        text = grid.label(r, c)
        word = lexicon.word(text)
        if word is None:
            continue
        at = grid.origin(r, c)
        is_sex = word.sex is not None and (r in sex_rows or not word.ind)
        if is_sex and not found:
            sex_at = r
        if not found:
            if word.role and not is_sex and not word.ind and not word.desa and word.month is None:
                return _decide(grid, lexicon, c, word.role, {}, sample)
            if is_sex:
                found["sex"] = word.sex
                if word.total and r not in sex_rows:
                    found["total"] = True
                continue
            _dims_of(word, text, at, found)
            continue
        if set(found) == {"unknown"} and word.role and not is_sex and not word.ind and not word.desa:
            return _decide(grid, lexicon, c, word.role, {}, sample)  # a group heading under the header word
        if set(found) <= {"sex", "total", "kec"}:
            if word.total and not word.ind:
                found["total"] = True
            elif word.kec and not word.ind and (not word.desa or (sex_at is not None and r < sex_at - 1)):
                found.setdefault("kec", (text, at))  # the kecamatan row above desa names (this desa written once, left)
            elif not is_sex and "kec" not in found:
                _dims_of(word, text, at, found)
        elif "desa" in found and word.code and word.code.count(".") == 3:
            found.setdefault("kode", (text, at))  # a row of codes above desa names across the top
        elif "desa" in found and word.kec:
            found.setdefault("kec", (text, at))  # and of their kecamatan ('PALANG' is a desa too; above a desa, a kecamatan)
    return _decide(grid, lexicon, c, None, found, sample)


def _dims_of(word: Word, text: str, at, found: dict) -> None:
    if word.ind:
        found["ind"] = (text, at)
    elif word.month is not None and not word.desa:
        found["month"] = (text, at)
    elif word.desa or (word.code and word.code.count(".") == 3):
        found["desa"] = (text, at)
    elif word.total:
        found["total"] = True
        if word.area and word.area[0] == "kecamatan":
            found["area"] = (word.area[1], at)
    elif word.area and word.area[0] == "kecamatan":
        found["area"] = (word.area[1], at)
    else:
        found["unknown"] = (text, at)


def _has_identity(found: dict) -> bool:
    return any(k in found for k in ("ind", "desa", "month", "unknown"))


_FAMILY = {"desa": "place", "kode": "place", "kecamatan": "place", "indikator": "ind", "sex": "sex", "periode": "time", "tahun": "time"}


def _decide(grid: Grid, lexicon: Lexicon, c: int, role, found: dict, sample: list[int]) -> Column | None:
    """Header word first; a column without one (or with a word nobody knows) is judged by what it holds; a header word
    over another kind of labels (the corner cell 'Jenis PMKS' above L, P, Jumlah in a transposed form) yields to them."""
    if role is not None and role not in _FAMILY:
        return Column(c, "label", role)
    if found and set(found) not in ({"unknown"}, {"area"}):
        return Column(c, "value", dims=found)
    contents = _contents(grid, lexicon, c, sample, 1 if role else 2)  # a header word needs one label under it to agree
    if set(found) == {"area"}:  # 'KECAMATAN MONTONG' over its desa, or over its total
        return Column(c, "value", dims={**found, "total": True}) if contents == "numbers" else Column(c, "heading", dims=found)
    if role == "sex":
        if contents == "numbers":
            return Column(c, "value", dims={"sex": "j"})
        return Column(c, "label", contents if contents in _FAMILY else "sex")  # 'L/P' over PMKS types (the corner cell)
    if role is not None:
        if contents in _FAMILY and _FAMILY[contents] != _FAMILY[role]:
            role = contents
        return Column(c, "label", role)
    if set(found) == {"unknown"}:
        if contents in ROW_ROLES or contents == "no":
            return Column(c, "label", contents)
        if contents == "text":
            return Column(c, "ignore")
        return Column(c, "value", dims=found) if contents == "numbers" else None
    if found:
        return Column(c, "value", dims=found)
    if contents in ROW_ROLES or contents == "no":
        return Column(c, "label", contents)
    if contents == "numbers":
        return Column(c, "value", dims={})
    return None


def _contents(grid: Grid, lexicon: Lexicon, c: int, rows: list[int], enough: int = 2) -> str | None:
    """What a column's first body cells are: a row role (desa, indikator, …), 'no' (1 2 3 …), 'numbers' or 'text'."""
    counts: dict[str, int] = {}
    numbers: list = []
    for r in rows:
        value = grid.value(r, c)
        if value is None or value == "":
            continue
        if grid.is_num(r, c):
            numbers.append(value)
            word = lexicon.word(grid.text(r, c))
            if word is not None and word.code and word.code.count(".") == 3:
                counts["kode"] = counts.get("kode", 0) + 1
            continue
        word = lexicon.word(grid.label(r, c))
        kind = _row_kind(word)
        if word is not None and word.sex in ("l", "p"):
            kind = "sex"  # 'P' under 'L' is Perempuan, whatever else it abbreviates
        elif word is not None and word.sex == "j" and word.total:
            kind = "jumlah"  # a Jumlah row under L and P, or a total row: decided below
        counts[kind] = counts.get(kind, 0) + 1
    if "jumlah" in counts:
        counts["sex" if counts.get("sex") else "total"] = counts.get("sex" if counts.get("sex") else "total", 0) + counts.pop("jumlah")
    texts = sum(v for k, v in counts.items() if k != "kode")
    if counts.get("kode", 0) >= max(2, len(numbers) // 2):
        return "kode"
    if len(numbers) > texts:
        try:
            seq = [int(float(str(v).strip("(). "))) for v in numbers[:30]]
        except ValueError:
            seq = []
        return "no" if len(seq) >= 3 and seq == list(range(seq[0], seq[0] + len(seq))) and seq[0] in (0, 1) else "numbers"
    best = max(((v, k) for k, v in counts.items() if k not in ("text", "total", "kode")), default=(0, None))
    return best[1] if best[0] >= enough and best[0] * 2 >= texts - counts.get("total", 0) else ("text" if texts else None)


def _row_kind(word: Word | None) -> str:
    if word is None:
        return "text"
    if word.total:
        return "total"
    if word.ind:
        return "indikator"
    if word.desa:
        return "desa"
    if word.kec:
        return "kecamatan"
    if word.month is not None:
        return "periode"
    if word.sex:
        return "sex"
    return "text"


def _fill_right(grid: Grid, lexicon: Lexicon, band: list[int], columns: list[Column]) -> None:
    """L | P | Jml under a name written once (not merged, as in CSV): the name counts for the columns to its right.
    A name written again over each of its L | P | Jml columns is one name (its first cell)."""
    previous = None
    for column in columns:
        if column.kind != "value":
            previous = None
            continue
        if _has_identity(column.dims) or column.dims.get("total"):
            if previous is not None and "sex" in column.dims and "sex" in previous.dims and column.dims["sex"] != previous.dims["sex"]:
                for key in ("ind", "desa", "month", "unknown"):
                    mine, theirs = column.dims.get(key), previous.dims.get(key)
                    if mine and theirs and mine[0] == theirs[0] and mine[1][0] == theirs[1][0]:
                        column.dims[key] = theirs
            previous = column
            continue
        if previous is not None and "sex" in column.dims and "sex" in previous.dims and column.dims["sex"] != previous.dims["sex"]:
            for key in ("ind", "desa", "month", "unknown", "total", "kode", "kec"):
                if key in previous.dims:
                    column.dims.setdefault(key, previous.dims[key])
            continue
        previous = None


def _mark_totals(columns: list[Column]) -> None:
    """A JUMLAH column beside PMKS types, desa or months totals its row; beside L and P alone it is the Jumlah part."""
    identity = any(_has_identity(col.dims) for col in columns if col.kind == "value")
    for col in columns:
        if col.kind != "value":
            continue
        if identity and not _has_identity(col.dims) and (col.dims.get("total") or col.dims.get("sex") == "j"):
            col.total = True
        col.dims.pop("total", None)


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
