"""From a table's rows and columns to its value cells, its checked totals and the numbers its columns explain.

Each count cell gets the labels of its row and its column (`Val.dims`: desa, kode, kec, ind, month, year as
(text, cell), sex as l | p | j). A header nobody knows counts as the dimension the table lacks: a PMKS type when
its rows are desa, a desa when its other columns are desa. Totals are checked here (`etl.check.totals`), numbers in
columns of row numbers, codes and notes are set aside with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.check.totals import Checked, check
from etl.find.body import BodyRow
from etl.find.tables import Column, Table

# numbers in these columns are not counts; a number in a notes column (Keterangan) is not set aside: only its text is
IGNORED = {"no": "nomor urut", "kode": "kode wilayah", "periode": "bulan", "tahun": "tahun", "alamat": "alamat (RT/RW)"}


@dataclass(slots=True)
class Val:
    at: tuple[int, int]  # grid cell
    dims: dict


@dataclass
class TableCells:
    vals: list[Val] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list)
    ignored: dict = field(default_factory=dict)  # grid cell -> reason
    orphans: list[BodyRow] = field(default_factory=list)


def collect(grid, table: Table, lexicon) -> TableCells:
    """Value cells, totals checked and numbers set aside, segment by segment."""
    out = TableCells()
    for s, seg in enumerate(table.segments):
        rows = [row for row in table.rows if row.seg == s]
        _counts_named_jumlah(rows, seg)
        _kecamatan_from_subtotals(rows)
        counts = [col for col in seg if col.kind == "value"]
        dims = _column_dims(seg, counts)
        _kecamatan_of_columns(seg, dims)
        plain = [col for col in counts if not col.total]
        for row in rows:
            if row.kind == "data":
                for col in plain:
                    out.vals.append(Val((row.r, col.c), _merge(row.dims, dims[col.c])))
            elif row.kind == "orphan":
                out.orphans.append(row)
            for col in seg:
                if col.kind == "label" and grid.is_num(row.r, col.c) and (reason := _aside(grid, lexicon, row.r, col)):
                    out.ignored[(row.r, col.c)] = reason
        for row in rows:
            if row.kind in ("data", "total"):
                for col in counts:
                    if col.total:
                        _row_total(grid, row, col, counts, dims, out)
            if row.kind == "total":
                for col in counts:
                    _column_total(grid, row, col, rows, out)
    for r in table.numbering:
        for c in grid.nums(r):
            if table.c0 <= c <= table.c1:
                out.ignored[(r, c)] = "nomor kolom"
    return out


def _aside(grid, lexicon, r: int, col: Column) -> str | None:
    """Why a number in a column of row labels is not a count: a row number, code, month, year or note; a desa or
    kecamatan written as its code. None for any other number (it stays unaccounted)."""
    if col.role in IGNORED:
        return IGNORED[col.role]
    word = lexicon.word(grid.text(r, col.c))
    return "kode wilayah" if word is not None and word.code else None


def _merge(row: dict, column: dict) -> dict:
    """A cell's labels: its row's and its column's; an L or P row under a column of counts ('Jumlah') is L or P."""
    dims = {**row, **column}
    if row.get("sex") in ("l", "p") and column.get("sex", "j") == "j":
        dims["sex"] = row["sex"]
    return dims


def _column_dims(seg: list[Column], counts: list[Column]) -> dict[int, dict]:
    """What each count column adds to its cells; a header nobody knows becomes the dimension the segment lacks."""
    rows = {col.role for col in seg if col.kind == "label"}
    kinds = {k for col in counts for k in ("ind", "desa", "month") if k in col.dims}
    out = {}
    for col in counts:
        dims = {k: v for k, v in col.dims.items() if k != "area"}
        unknown = dims.pop("unknown", None)
        if unknown is not None and not ({"ind", "desa", "month"} & set(dims)):
            if "indikator" in rows:
                pass
            elif "ind" not in kinds and "desa" in kinds:
                dims["desa"] = unknown
            elif "ind" not in kinds and "month" in kinds:
                dims["month"] = unknown
            else:
                dims["ind"] = unknown
        out[col.c] = dims
    return out


def _counts_named_jumlah(rows: list[BodyRow], seg: list[Column]) -> None:
    """A table whose only row of counts is named 'Jumlah' (PMKS types across the top): a total of nothing is the row
    of counts itself."""
    if any(row.kind == "data" for row in rows) or not any(_identity(col.dims) for col in seg if col.kind == "value"):
        return
    for row in rows:
        if row.kind == "total" and row.label and not row.area:
            row.kind, row.dims = "data", {**row.dims, "sex": row.dims.get("sex", "j")}


def _identity(dims: dict) -> bool:
    return any(k in dims for k in ("ind", "desa", "month", "unknown"))


def _kecamatan_from_subtotals(rows: list[BodyRow]) -> None:
    """'JUMLAH KEC. MONTONG' under a kecamatan's desa names their kecamatan, when nothing above did."""
    start = 0
    for i, row in enumerate(rows):
        if row.kind != "total":
            continue
        if row.area:
            for earlier in rows[start:i]:
                if earlier.kind == "data" and "kec" not in earlier.dims:
                    assert row.label is not None  # a total row has its label
                    earlier.dims["kec"] = (row.area, row.label[1])
        start = i + 1


def _same_sex(row: BodyRow, other: BodyRow) -> bool:
    return row.dims.get("sex") == other.dims.get("sex")


def _column_total(grid, total: BodyRow, col: Column, rows: list[BodyRow], out: TableCells) -> None:
    """A total row's cell against the rows it may sum (since the last total, all above, the subtotals above, the rows
    below up to the next total)."""
    i = rows.index(total)
    data = [row for row in rows if row.kind == "data" and _same_sex(row, total)]
    totals = [row for row in rows[:i] if row.kind == "total" and _same_sex(row, total)]
    last = max((row.r for row in totals), default=-1)
    later = next((row.r for row in rows[i + 1:] if row.kind == "total"), grid.height)
    c = col.c
    candidates = [[(row.r, c) for row in data if last < row.r < total.r], [(row.r, c) for row in data if row.r < total.r],
                  [(row.r, c) for row in totals], [(row.r, c) for row in data if total.r < row.r < later]]
    found = check(grid, (total.r, c), candidates, total.label[0] if total.label else "JUMLAH")
    if found is not None:
        out.checked.append(found)


def _row_total(grid, row: BodyRow, col: Column, counts: list[Column], dims: dict, out: TableCells) -> None:
    """A JUMLAH column's cell against the counts beside it in its row: since the previous JUMLAH column, all before
    it, the JUMLAH columns before it, or those after it up to the next (per L, P or the Jumlah parts)."""
    i = counts.index(col)
    sex = col.dims.get("sex") if col.dims.get("sex") in ("l", "p") else None
    plain = [p for p in counts if not p.total]
    has_j = any(dims[p.c].get("sex", "j") == "j" for p in plain)

    def fits(p: Column) -> bool:
        part = dims[p.c].get("sex", "j")
        return part == sex if sex else (part == "j" or not has_j)

    totals = [j for j in range(i) if counts[j].total and counts[j].dims.get("sex") == col.dims.get("sex")]
    last = totals[-1] if totals else -1
    nxt = next((j for j in range(i + 1, len(counts)) if counts[j].total), len(counts))
    ranges = [range(last + 1, i), range(0, i), range(i + 1, nxt)]
    candidates = [[(row.r, counts[j].c) for j in span if not counts[j].total and fits(counts[j])] for span in ranges]
    candidates.insert(2, [(row.r, counts[j].c) for j in totals])
    if not sex and has_j and any(dims[p.c].get("sex") in ("l", "p") for p in plain):
        candidates.append(_derived(grid, row, [counts[j] for j in ranges[0] if not counts[j].total], dims))
    label = grid.label(*row.label[1]) if row.label and row.kind == "total" else "JUMLAH"
    found = check(grid, (row.r, col.c), candidates, label)
    if found is not None:
        out.checked.append(found)


def _kecamatan_of_columns(seg: list[Column], dims: dict) -> None:
    """Desa across the top: 'KECAMATAN MONTONG' above names the kecamatan of the desa columns after it, 'JUMLAH KEC.
    MONTONG' the desa columns before it."""
    since: list[Column]
    current, since = None, []
    for col in seg:
        area = col.dims.get("area")
        if col.kind == "heading" and area:
            current, since = area, []
        elif col.kind == "value" and not col.total:
            if current and "kec" not in dims[col.c]:
                dims[col.c]["kec"] = current
            since.append(col)
        elif col.kind == "value" and col.total:
            if area:
                for earlier in since:
                    dims[earlier.c].setdefault("kec", area)
            since = []


def _derived(grid, row: BodyRow, plain: list[Column], dims: dict) -> list[tuple[int, int]]:
    """The cells that give each PMKS type's Jumlah: the Jumlah cell when written, else its L and P cells."""
    groups: dict = {}
    for p in plain:
        key = tuple(sorted((k, v) for k, v in dims[p.c].items() if k != "sex"))
        groups.setdefault(key, {})[dims[p.c].get("sex", "j")] = (row.r, p.c)
    cells = []
    for parts in groups.values():
        j = parts.get("j")
        if j is not None and grid.text(*j):
            cells.append(j)
        else:
            cells.extend(v for k, v in parts.items() if k in ("l", "p"))
    return cells
