"""Reading one sheet so that every number in it is accounted for.

The table finder (`etl.find.tables`) runs on the sheet as written and on the sheet transposed (labels running down a
column are then found as a header row). Each reading accounts for every cell holding a number or number-like text
as exactly one of: a value read; a total checked; set aside by a named rule (row numbers, column numbers, codes,
years, dates, notes); or unaccounted. The reading with fewer numbers unaccounted, taken twice (two numbers given the same
meaning) or labelled by what the gazetteer and the catalogue do not know is kept (then the one with fewer errors;
the sheet as written on a tie); two complete readings that disagree about what a number means are a tie, refused with both
described. Any unaccounted number refuses the file with the sheet and the cell range; the tally of each sheet goes
into the import report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from common import fmt
from etl.find.context import Where, region_facts
from etl.find.grid import Grid, box, clusters
from etl.find.lexicon import Lexicon
from etl.find.tables import Table, find_tables
from etl.find.values import Val, collect
from etl.read.cells import column_letter

SMALL = 60_000  # cells; a larger sheet (a long table) is read only as written
_ORPHAN: dict[str | None, str] = {"desa": "nama/kode desa", "kode": "nama/kode desa", "indikator": "jenis PMKS", "periode": "bulan"}
_YEAR_NEAR = re.compile(r"\b(tahun|thn|th|periode|per|bulan|bln|keadaan|semester|s\.?d\.?)\b", re.IGNORECASE)


@dataclass
class Tally:
    """What became of every number of a sheet."""

    sheet: str | None
    read: int = 0
    totals: int = 0
    ignored: dict[str, int] = field(default_factory=dict)
    unaccounted: int = 0
    tables: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "read": self.read, "totals": self.totals, "ignored": dict(self.ignored),
                "unaccounted": self.unaccounted, "tables": list(self.tables)}

    def text(self) -> str:
        ignored = sum(self.ignored.values())
        why = ", ".join(f"{k} {fmt.angka(v)}" for k, v in sorted(self.ignored.items()))
        return (f"{fmt.angka(self.read)} angka dibaca, {fmt.angka(self.totals)} jumlah/total diperiksa, {fmt.angka(ignored)} diabaikan"
                + (f" ({why})" if why else "") + f", {fmt.angka(self.unaccounted)} tidak terbaca")


@dataclass
class Found:
    """One table of the chosen reading, in the sheet's own coordinates."""

    table: Table
    grid: Grid  # the grid the table was found in (maybe transposed)
    box: tuple[int, int, int, int]  # r0, c0, r1, c1 of the sheet
    vals: list[Val]  # value cells (sheet coordinates, dims with sheet cells)
    context: dict = field(default_factory=dict)
    blank: bool = False  # prepared for a month not yet reported: every count empty or zero


@dataclass
class SheetReading:
    sheet: str | None
    grid: Grid
    tables: list[Found]
    problems: list[tuple[str, Where, str, str | None]]
    tally: Tally
    transposed: bool = False
    score: tuple = ()
    unaccounted: list = field(default_factory=list)  # cells of numbers nothing accounts for
    blank: bool = False  # every count empty or zero

    def skip_blank(self) -> None:
        """A sheet prepared for a month not yet reported (names, every count empty or zero) in a workbook whose other
        sheets are filled: skipped with a note, its zeros not stored as reports."""
        zeros = sum(1 for f in self.tables for v in f.vals if self.grid.is_num(*v.at))
        for f in self.tables:
            f.blank = True
        self.tally.read -= zeros
        if zeros:
            self.tally.ignored["lembar belum diisi"] = zeros
        self.problems.append(("warning", Where(), "lembar ini belum diisi (semua angka kosong atau nol): dilewati, tidak disimpan "
                              "sebagai laporan nol", None))


def read_sheet(name: str | None, rows: list[list], merged, lexicon: Lexicon, accept) -> SheetReading:
    """The sheet's tables, its problems and its tally. `accept(dims)` says whether a value cell is one the import
    wants (a PMKS count, a population count); the others stay unaccounted."""
    grid = Grid(rows, merged)
    best = _reading(name, grid, grid, lexicon, accept)
    clean = best.score[:2] == (0, 0) and best.tables
    if not clean and grid.height * max(grid.width, 1) <= SMALL and grid.height and not any(f.table.long for f in best.tables):
        other = _reading(name, grid, grid.transposed(), lexicon, accept)
        if other.score[:2] < best.score[:2]:
            best = other
        elif other.score[:2] == best.score[:2] and best.tally.unaccounted == 0 and _disagree(best, other, lexicon):
            best.problems.append(("error", Where(), _tie(best, other), "tulis judul kolom dan baris yang jelas (desa, jenis PMKS, L/P)"))
    _unaccounted(best)
    _contexts(best)
    return best


def _numbers(grid: Grid, skip: set[int]) -> set[tuple[int, int]]:
    """Every cell holding a number, outside the rows of long tables (accounted for column by column)."""
    return {(r, c) for r in range(grid.height) if r not in skip for c in grid.nums(r)}


def _reading(name, sheet: Grid, grid: Grid, lexicon: Lexicon, accept) -> SheetReading:
    """One orientation: tables, values, totals and the tally. Long because it is the accounting, in one place."""
    tables = find_tables(grid, lexicon, long_ok=not grid.is_transposed)
    numbers = _numbers(sheet, {r for t in tables if t.long is not None for r in t.long.records})
    orig = grid.orig
    used: dict[tuple[int, int], str] = {}
    problems: list = []
    explained: set = set()
    tally = Tally(name)
    found: list[Found] = []
    unaccounted: list = []
    covered: set[int] = set()
    totals: list = []
    reason: str | None  # why a number is left unread (_outside: None when no rule explains it)
    for table in tables:
        cells = box_of(grid, table)
        tally.tables.append(box([(cells[0], cells[1]), (cells[2], cells[3])]))
        if table.long is not None:
            reading = table.long
            covered.update(reading.records)
            tally.read += reading.read
            for reason, n in reading.ignored.items():
                tally.ignored[reason] = tally.ignored.get(reason, 0) + n
            unaccounted.extend(reading.unaccounted)
            _totals(reading.totals, grid, used, problems)
            found.append(Found(table, grid, cells, []))
            continue
        out = collect(grid, table, lexicon)
        vals = []
        for val in out.vals:
            if accept(val.dims):
                at = orig(*val.at)
                vals.append(Val(at, {k: ((v[0], orig(*v[1])) if isinstance(v, tuple) else v) for k, v in val.dims.items()}))
                if at in numbers:
                    used[at] = "read"
        for at, reason in out.ignored.items():
            used[orig(*at)] = reason
        _totals(out.checked, grid, used, problems)
        for row in out.orphans:
            label = next((col for col in table.segments[row.seg] if col.kind == "label" and col.role in _ORPHAN), None)
            where = orig(row.r, label.c if label else table.c0)
            what = _ORPHAN.get(label.role if label else None, "nama baris")
            problems.append(("error", Where(where[0] + 1, column_letter(where[1])), f"{what} kosong padahal ada angka",
                             f"tulis {what} di baris itu, atau hapus angkanya"))
            explained.update(orig(row.r, col.c) for seg in table.segments for col in seg if grid.is_num(row.r, col.c))
        found.append(Found(table, grid, cells, vals))
        totals.extend(out.checked)
    blank = _blank_sheet(sheet, found) and not any(c.written for c in totals)
    for at in numbers:
        if at[0] in covered or at in used:
            continue
        reason = _outside(sheet, lexicon, at)
        if reason:
            used[at] = reason
        elif at not in explained:
            unaccounted.append(at)
    for reason in used.values():
        if reason == "read":
            tally.read += 1
        elif reason == "total":
            tally.totals += 1
        else:
            tally.ignored[reason] = tally.ignored.get(reason, 0) + 1
    tally.unaccounted = len(unaccounted) + len(explained - set(used))
    errors = sum(1 for p in problems if p[0] == "error") + bool(unaccounted)
    n_vals = sum(len(f.vals) for f in found)
    unknown = _unrecognised(found, lexicon)
    twice = _taken_twice(found)
    return SheetReading(name, sheet, found, problems, tally, grid.is_transposed, (tally.unaccounted + twice + unknown, errors, -n_vals),
                        unaccounted, blank)


def _unaccounted(reading: SheetReading) -> None:
    """One error per block of numbers nothing accounts for, naming its cells ('G5:K18: 52 angka …')."""
    cells = reading.unaccounted
    for group in clusters(cells) if len(cells) <= 5000 else _by_column(cells):
        reading.problems.append(("error", Where(), f"{box(group)}: {fmt.angka(len(group))} angka tidak terbaca sebagai laporan "
                                 "(tidak berada di bawah judul kolom dan di samping nama baris yang dikenali)",
                                 "beri judul kolom (jenis PMKS, L/P/Jumlah) dan nama desa untuk angka itu, atau hapus angka yang bukan laporan"))


def _meaning(dims: dict) -> tuple:
    """What a value cell means, by the texts that label it: place (desa, else code), PMKS type, month and sex."""
    place = dims.get("desa") or dims.get("kode")
    return tuple((x[0] if isinstance(x, tuple) else x) if x else None for x in (place, dims.get("ind"), dims.get("month"), dims.get("sex", "j")))


def _taken_twice(found: list[Found]) -> int:
    """Numbers of a table that mean what another number of it means: a reading that gives two numbers the same desa,
    PMKS type, month and sex has taken a number for something it is not."""
    seen: set = set()
    twice = 0
    for i, f in enumerate(found):
        for v in f.vals:
            d = v.dims  # the label cells themselves: one cell labelling two numbers of the same sex is one meaning twice
            key = (i, d.get("desa"), d.get("kode"), d.get("ind"), d.get("month"), d.get("sex", "j"), d.get("kec"))
            twice += key in seen
            seen.add(key)
    return twice


def _unrecognised(found: list[Found], lexicon: Lexicon) -> int:
    """Label cells of the values read that the gazetteer and the catalogue do not know as what they label."""
    seen: set = set()
    for f in found:
        for v in f.vals:
            for key, test in _KNOWN.items():
                label = v.dims.get(key)
                if label and label[1] not in seen:
                    word = lexicon.word(label[0])
                    if word is None or not test(word):
                        seen.add(label[1])
    return len(seen)


_KNOWN = {"desa": lambda w: w.desa or bool(w.code), "kode": lambda w: bool(w.code), "ind": lambda w: bool(w.ind),
          "month": lambda w: w.month is not None, "kec": lambda w: bool(w.kec) or bool(w.area)}


def _disagree(a: SheetReading, b: SheetReading, lexicon: Lexicon) -> bool:
    """Whether two readings give some number different labels (a label only one of them names is no disagreement:
    the other takes it from the table's surroundings)."""
    theirs = {v.at: v.dims for f in b.tables for v in f.vals}
    for f in a.tables:
        for v in f.vals:
            other = theirs.get(v.at)
            if other is None or not a.grid.is_num(*v.at):
                continue
            if not _same_place(v.dims, other, lexicon):
                return True
            for key in ("ind", "month"):
                if key in v.dims and key in other and v.dims[key][0] != other[key][0]:
                    return True
            if v.dims.get("sex", "j") != other.get("sex", "j"):
                return True
    return False


def _same_place(a: dict, b: dict, lexicon: Lexicon) -> bool:
    """The same desa, named or coded (a code and a name agree when the code is that desa's)."""
    from etl.resolve.match import normalize_name

    def name(dims):
        if "desa" in dims:
            word = lexicon.word(dims["desa"][0])
            if word is not None and word.code:
                return normalize_name(lexicon.gazetteer.names.get(word.code, word.code))
            return normalize_name(dims["desa"][0])
        if "kode" in dims:
            word = lexicon.word(dims["kode"][0])
            return normalize_name(lexicon.gazetteer.names.get(word.code, dims["kode"][0])) if word and word.code else None
        return None

    x, y = name(a), name(b)
    return x is None or y is None or x == y


def box_of(grid: Grid, table: Table) -> tuple[int, int, int, int]:
    """A table's cells (header to last row) as a box of the sheet's own coordinates."""
    corners = [grid.orig(table.top, table.c0), grid.orig(table.last, table.c1)]
    return (min(r for r, _ in corners), min(c for _, c in corners), max(r for r, _ in corners), max(c for _, c in corners))


def _totals(checked, grid: Grid, used: dict, problems: list) -> None:
    from etl.check.totals import message

    for item in checked:
        at = grid.orig(*item.at)
        used[at] = "total"
        if not item.ok:
            text, hint = message(item, grid)
            problems.append(("error", Where(at[0] + 1, column_letter(at[1])), text, hint))


def _blank_sheet(sheet: Grid, found: list[Found]) -> bool:
    """Whether every count of the sheet is empty or zero (with zero totals): maybe a sheet prepared for a month not
    yet reported (`SheetReading.skip_blank`)."""
    vals = [v for f in found for v in f.vals]
    if not vals or any(f.table.long is not None for f in found):
        return False
    return all(_empty(sheet.value(*v.at)) for v in vals)


def _empty(value) -> bool:
    from etl.check.totals import count

    number, _ = count(value)
    return number == 0


def _outside(grid: Grid, lexicon: Lexicon, at: tuple[int, int]) -> str | None:
    """A number outside every table that a named rule explains: a year beside 'Tahun'/'Bulan', a code of this area."""
    value = grid.value(*at)
    text = grid.text(*at)
    word = lexicon.word(text)
    if word is not None and word.code:
        return "kode wilayah"
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if number.is_integer() and 1990 <= number <= 2100:
        r, c = at
        near = [grid.text(r, k) for k in range(max(0, c - 3), c)] + [grid.text(r - 1, c) if r else ""]
        if any(_YEAR_NEAR.search(t) for t in near if t):
            return "tahun"
    return None


def _by_column(cells: list) -> list[list]:
    groups: dict[int, list] = {}
    for r, c in cells:
        groups.setdefault(c, []).append((r, c))
    return list(groups.values())


def _tie(a: SheetReading, b: SheetReading) -> str:
    def describe(reading: SheetReading) -> str:
        way = "menurun (label di kolom)" if reading.transposed else "mendatar (label di baris judul)"
        return f"{way}: tabel {', '.join(reading.tally.tables)}"

    return ("angka dapat dibaca dengan dua cara yang sama lengkapnya tetapi berbeda artinya: " + describe(a) + "; " + describe(b)
            + ". Berkas tidak diimpor agar tidak ada angka yang salah tempat")


def _contexts(reading: SheetReading) -> None:
    """What each table's surroundings say (fields and titles above it, then the top of the sheet)."""
    grid = reading.grid
    top = min((f.box[0] for f in reading.tables), default=grid.height)
    sheet_top = region_facts(grid, 0, top) if top else {}
    for found in reading.tables:
        r0, c0, r1, c1 = found.box
        above = max((f.box[2] + 1 for f in reading.tables if f.box[2] < r0 and f.box[1] <= c1 and c0 <= f.box[3]), default=0)
        whole = sheet_top if (above, r0) == (0, top) else region_facts(grid, above, r0)
        facts = region_facts(grid, above, r0, c0, c1 + 1) if (c0, c1) != (0, grid.width - 1) and len(reading.tables) > 1 else {}
        for key, value in [*whole.items(), *sheet_top.items()]:
            facts.setdefault(key, value)
        first = min((v.at[0] for v in found.vals), default=r0)
        if found.grid.is_transposed and first > r0 and not {"periode", "kecamatan"} <= set(facts):
            for key, value in region_facts(grid, above, first).items():  # a table read transposed starts at its titles
                facts.setdefault(key, value)
        found.context = facts
