"""True PMKS reports and the many ways offices print them, for the property tests of the reader (issue 22).

`reports(desa)` is a Hypothesis strategy of (files, expected): a true report (kecamatan, desa, months, PMKS types,
L and P) drawn at random, rendered through a random composition of layout transforms — transposed; split into
blocks side by side or stacked; subtotal rows per kecamatan under varied labels; grand totals (a row, a column);
L | P | Jumlah as columns, as rows or Jumlah alone; official, old, before-'atau' or abbreviated PMKS names; desa
codes dotted, undotted or numeric; the month in a header field, the title, the sheet's name, a column or the
file's name (year apart or not); blank rows and columns, notes columns, legends and signature blocks — and written
as .xlsx, .xls, .ods or .csv. `expected` is every (kode_desa, month, PMKS code) -> (L, P, Jumlah) the file says;
L and P are None when the file gives only Jumlah. Nothing here imports the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hypothesis import strategies as st

from tests.corpus.shapes import BEFORE_ATAU, OFFICIAL, OLD
from tests.corpus.writers import WRITERS, Formula, Grid

CODES = list(OFFICIAL)  # the 26 types in catalogue order
ABBR = {"ABT": "ABT", "AT": "AT", "ABH": "ABH", "AJ": "AJ", "ADK": "ADK", "AKTK": "AKTK", "AMPK": "AMPK", "LUT": "LUT", "PD": "PD",
        "TS": "TS", "GLD": "G", "PGM": "P", "PML": "PM", "KM": "KM", "BWBLP": "BWBLP", "ODHA": "ODHA", "NAPZA": "KPN", "KTR": "KTr",
        "KTK": "KTK", "PMBS": "PMBS", "KBA": "KBA", "KBS": "KBS", "PRSE": "PRSE", "FM": "FM", "KBSP": "KBSP", "KAT": "KAT"}
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
MONTHS = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 11)]
SUBTOTAL = ["JUMLAH KEC. {k}", "Jumlah Kecamatan {k}", "SUB JUMLAH", "Kecamatan {k}", "JUMLAH"]
GRAND = ["JUMLAH", "TOTAL", "JUMLAH KABUPATEN", "JUMLAH SELURUHNYA"]
NOTES = ["data desa", "baru", "pindah", "sesuai laporan PSM"]


@dataclass
class Report:
    kind: str  # form | recap | long
    desa: list[tuple[str, str, str]]  # (kode, nama, nama kecamatan)
    months: list[date]
    codes: list[str]  # PMKS types
    values: dict  # (kode desa, month, PMKS code) -> (L, P)
    sex: bool  # L and P written (else Jumlah alone)


@dataclass
class Layout:
    fmt: str
    naming: str
    transpose: bool = False
    sex_as: str = "cols"  # cols | rows
    split: str = "none"  # none | side | stacked
    blocks: int = 1
    subtotals: str | None = None
    grand: str | None = None
    total_col: bool = False
    codes: str | None = None  # dotted | undotted | numeric
    month_at: str = "field"  # field | title | sheet | file | split
    month_style: int = 0
    kec_at: str = "title"  # title | field | column | heading | subtotal
    desa_at: str = "field"  # field | title
    counts: str = "int"  # int | text | orang | dash | blank
    numbered: bool = True
    colnumbers: bool = False
    blank_row: bool = False
    blank_col: bool = False
    notes: bool = False
    legend: bool = False
    signature: bool = True
    extra: dict = field(default_factory=dict)


def name_of(code: str, naming: str) -> str:
    return {"official": OFFICIAL, "old": OLD, "atau": BEFORE_ATAU, "abbr": ABBR}[naming].get(code, OFFICIAL[code])


def month_text(m: date, style: int) -> object:
    return [f"{BULAN[m.month - 1]} {m.year}", f"{BULAN[m.month - 1].upper()} {m.year}", f"{BULAN[m.month - 1][:3]}-{m.year % 100:02d}",
            f"{m.month:02d}/{m.year}", f"{m.year}-{m.month:02d}", m][style % 6]


def count_cell(value: int, style: str):
    if value == 0 and style in ("dash", "blank"):
        return "-" if style == "dash" else None
    if style == "text":
        return str(value)
    if style == "orang":
        return f"{value} orang"
    if value >= 1000 and style != "int":
        return f"{value:,}".replace(",", ".")
    return value


# Strategies ------------------------------------------------------------------------------------------------------

@st.composite
def reports(draw, desa: list[tuple[str, str, str]]):
    """(files [(name, bytes)], expected {(kode desa, month, code): (L, P, Jumlah)}, layout) of one true report."""
    fmt = draw(st.sampled_from(["xlsx", "xls", "ods", "csv"]))
    kind = draw(st.sampled_from(["form", "recap", "recap", "long"]))
    report = draw(_report(desa, kind, fmt))
    layout = draw(_layout(report, fmt))
    files = render(report, layout)
    return files, expected(report), layout


def _unique(desa):
    """Desa whose name is written once in Tuban (a twin name needs its kecamatan, which not every layout gives)."""
    names: dict[str, int] = {}
    for _, name, _ in desa:
        names[name.lower()] = names.get(name.lower(), 0) + 1
    return [d for d in desa if names[d[1].lower()] == 1]


@st.composite
def _report(draw, desa, kind: str, fmt: str):
    by_kec: dict[str, list] = {}
    for d in desa:
        by_kec.setdefault(d[2], []).append(d)
    kecs = sorted(by_kec)
    if kind == "form":
        chosen = [draw(st.sampled_from(_unique(desa)))]
        codes = draw(st.lists(st.sampled_from(CODES), min_size=3, max_size=26, unique=True))
    else:
        n_kec = draw(st.integers(1, 3 if kind == "recap" else 2))
        picked = draw(st.lists(st.sampled_from(kecs), min_size=n_kec, max_size=n_kec, unique=True))
        chosen = [d for k in picked for d in draw(st.lists(st.sampled_from(by_kec[k]), min_size=2, max_size=6, unique=True))]
        codes = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=9, unique=True))
    codes = [c for c in CODES if c in codes]
    n_months = 1 if fmt == "csv" and kind != "long" else draw(st.integers(1, 3 if kind != "recap" else 2))
    months = sorted(draw(st.lists(st.sampled_from(MONTHS), min_size=n_months, max_size=n_months, unique=True)))
    sex = draw(st.booleans())
    big = draw(st.booleans())
    cell = st.integers(0, 2500) if big else st.sampled_from([0, 0, 1, 2, 3, 5, 8, 13, 21])
    values = {(d[0], m, c): (draw(cell), draw(cell)) for d in chosen for m in months for c in codes}
    for m in months:  # a sheet of nothing but zeros is a month not reported yet (skipped by the reader, by design)
        if all(sum(v) == 0 for (_, month, _), v in values.items() if month == m):
            values[(chosen[0][0], m, codes[0])] = (1, 2)
    return Report(kind, chosen, months, codes, values, sex)


@st.composite
def _layout(draw, report: Report, fmt: str):
    one_kec = len({d[2] for d in report.desa}) == 1
    lay = Layout(fmt, draw(st.sampled_from(["official", "old", "atau", "abbr"])))
    lay.counts = draw(st.sampled_from(["int", "int", "text", "orang", "dash", "blank"]))
    lay.numbered, lay.colnumbers = draw(st.booleans()), draw(st.booleans())
    lay.blank_row, lay.blank_col, lay.notes = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    lay.legend, lay.signature = draw(st.booleans()), draw(st.booleans())
    lay.month_style = draw(st.integers(0, 5))
    lay.sex_as = draw(st.sampled_from(["cols", "cols", "rows"])) if report.sex else "cols"
    lay.codes = draw(st.sampled_from([None, None, "dotted", "undotted", "numeric"]))
    many = len(report.months) > 1
    if report.kind == "long":
        lay.extra["order"] = draw(st.permutations(["kec", "desa", "ind", "month"]))
        lay.month_at = "column"
        lay.grand = draw(st.sampled_from([None, None, "JUMLAH"]))
        return lay
    lay.month_at = draw(st.sampled_from(["field", "title", "split"] + (["sheet"] if fmt != "csv" else []) + ([] if many else ["file"])))
    lay.transpose = draw(st.booleans()) if report.kind == "recap" or draw(st.booleans()) else False
    lay.colnumbers = lay.colnumbers and not lay.transpose  # column numbers run under a header row
    rows = len(report.desa) if report.kind == "recap" else len(report.codes)
    lay.split = draw(st.sampled_from(["none", "none", "side", "stacked"])) if rows >= 4 else "none"
    lay.blocks = draw(st.integers(2, 3)) if lay.split != "none" else 1
    if report.kind == "recap":
        options = ["title", "field"] if one_kec else []
        options += ["column", "heading"] + (["subtotal"] if lay.split == "none" else [])
        lay.kec_at = draw(st.sampled_from(options))
        if lay.kec_at == "subtotal":
            lay.subtotals = draw(st.sampled_from(SUBTOTAL[:2] + SUBTOTAL[3:4]))
        elif lay.split == "none" and not one_kec and draw(st.booleans()):
            lay.subtotals = draw(st.sampled_from(SUBTOTAL))
        lay.total_col = draw(st.booleans())
    else:
        lay.desa_at = draw(st.sampled_from(["field", "title"]))
        lay.kec_at = draw(st.sampled_from(["field", "title"]))
    lay.grand = draw(st.sampled_from([None, None] + GRAND)) if lay.split == "none" else None
    return lay


def expected(report: Report) -> dict:
    return {k: ((lk, p, lk + p) if report.sex else (None, None, lk + p)) for k, (lk, p) in report.values.items()}


# Rendering -------------------------------------------------------------------------------------------------------

def render(report: Report, lay: Layout) -> list[tuple[str, bytes]]:
    """The file (name, bytes) that writes the report in the layout."""
    name, grids = render_grids(report, lay)
    return [(name, WRITERS[lay.fmt](grids))]


def render_grids(report: Report, lay: Layout) -> tuple[str, list[Grid]]:
    """The file's name and its sheets as grids (before they are written in a format)."""
    month = report.months[0]
    stem = "laporan_pmks" + (f"_{BULAN[month.month - 1][:3].lower()}_{month.year}" if lay.month_at == "file" else "")
    if report.kind == "long":
        grids = [_long(report, lay)]
    else:
        grids = [_sheet(report, lay, m, i) for i, m in enumerate(report.months)]
    return f"{stem}.{lay.fmt}", grids


def checked(report: Report, lay: Layout) -> bool:
    """Whether the layout writes something that checks a count: a total (row, column, subtotal) or L, P and Jumlah."""
    return report.sex or bool(lay.grand or lay.subtotals or lay.total_col)


def _sheet(report: Report, lay: Layout, month: date, index: int) -> Grid:
    name = f"{BULAN[month.month - 1][:3]} {month.year}" if lay.month_at == "sheet" else f"Lembar{index + 1}"
    g = Grid(name)
    kec = report.desa[0][2]
    if report.kind == "form":
        desa = report.desa[0][1]
        title = "LAPORAN PMKS" + (f" DESA {desa.upper()}" if lay.desa_at == "title" else "")
        title += f" KECAMATAN {kec.upper()}" if lay.kec_at == "title" else ""
    else:
        title = "REKAPITULASI DATA PMKS" + (f" KECAMATAN {kec.upper()}" if lay.kec_at == "title" else "")
    title += f" BULAN {BULAN[month.month - 1].upper()} {month.year}" if lay.month_at == "title" else ""
    g.add(title)
    g.add("DINAS SOSIAL P3A PMD KABUPATEN TUBAN")
    g.add(None)
    if report.kind == "form" and lay.desa_at == "field":
        g.add("Desa/Kelurahan", ":", report.desa[0][1])
    if lay.kec_at == "field":
        g.add("Kecamatan", ":", kec)
    if lay.month_at == "field":
        g.add("Bulan", ":", month_text(month, lay.month_style))
    elif lay.month_at == "split":
        g.add("Bulan", ":", BULAN[month.month - 1])
        g.add("Tahun", ":", str(month.year))
    g.add("Nama PSM", ":", "Siti Aminah")
    g.add(None)
    blocks = _blocks(report, lay, month)
    _place(g, blocks, lay)
    _tail(g, lay)
    return g


def _place(g: Grid, blocks: list[list[list]], lay: Layout) -> None:
    """Blocks of cells stacked (a blank row between) or side by side (a blank column between) below the header."""
    top = len(g.rows)
    if lay.split == "side":
        col = 0
        for block in blocks:
            for r, row in enumerate(block):
                while len(g.rows) <= top + r:
                    g.rows.append([])
                target = g.rows[top + r]
                target.extend([None] * (col - len(target)))
                target.extend(row)
            col += max(map(len, block)) + 1
        return
    for i, block in enumerate(blocks):
        if i:
            g.add(None)
        for row in block:
            g.add(*row)


def _tail(g: Grid, lay: Layout) -> None:
    if lay.legend:
        g.add(None)
        g.add("Keterangan: L = laki-laki, P = perempuan, - = nihil")
    if lay.signature:
        g.add(None)
        g.add(None, None, "Tuban, 5 November 2026")
        g.add(None, None, "Mengetahui,")
        g.add(None, None, "Kepala Desa")
        g.add(None)
        g.add(None, None, "( Budi Santoso )")


def _blocks(report: Report, lay: Layout, month: date) -> list[list[list]]:
    """The table as one or more blocks of cells (header rows, label columns, counts, totals)."""
    if report.kind == "form":
        entities = [("ind", c) for c in report.codes]
    else:
        entities = [("desa", d) for d in report.desa]
    size = -(-len(entities) // lay.blocks)
    parts = [entities[i:i + size] for i in range(0, len(entities), size)]
    blocks = [_table(report, lay, month, part) for part in parts]
    if lay.transpose:
        blocks = [[list(col) for col in zip(*_square(b))] for b in blocks]
    return blocks


def _square(block: list[list]) -> list[list]:
    width = max(map(len, block))
    return [row + [None] * (width - len(row)) for row in block]


def _table(report: Report, lay: Layout, month: date, rows: list) -> list[list]:
    """One block in the usual orientation: header rows on top, row labels on the left. Long because every
    transform adds its own columns or rows here."""
    form = report.kind == "form"
    parts = ["l", "p", "j"] if report.sex else ["j"]
    col_items = [None] if form else report.codes  # what each group of count columns stands for
    label_heads = (["No"] if lay.numbered else []) + (["Kode Desa"] if lay.codes and not form else [])
    label_heads += ["Kecamatan"] if lay.kec_at == "column" and not form else []
    label_heads += ["Jenis PMKS" if form else "Desa/Kelurahan"]
    sex_rows = lay.sex_as == "rows" and report.sex
    if sex_rows:
        label_heads.append("L/P")
    col_parts = ["j"] if sex_rows else parts
    groups = [(item, part) for item in col_items for part in col_parts]
    two = len(col_parts) > 1 and not form
    head1 = [*label_heads] + [_col_title(report, lay, item, part, two) for item, part in groups]
    head2 = [None] * len(label_heads) + [_part_title(part) for _, part in groups] if two else None
    if lay.total_col and not form:
        head1 += ["JUMLAH"] * len(col_parts) if two else ["JUMLAH"]
        if two:
            head2 += [_part_title(p) for p in col_parts]
    if lay.blank_col:
        at = len(label_heads)
        head1.insert(at, None)
        if head2:
            head2.insert(at, None)
    if lay.notes:
        head1.append("Keterangan")
        if head2:
            head2.append(None)
    block = [head1] + ([head2] if head2 else [])
    if lay.colnumbers:
        block.append([f"({i + 1})" for i in range(len(head1))])
    if lay.blank_row:
        block.append([None] * len(head1))
    body = _body(report, lay, month, rows, groups, col_parts, sex_rows, len(label_heads))
    return block + body


def _col_title(report, lay, item, part, two) -> str:
    if item is None:
        return {"l": "L", "p": "P", "j": "Jumlah"}[part]
    name = name_of(item, lay.naming)
    return name if two or part == "j" else f"{name} {part.upper()}"


def _part_title(part: str) -> str:
    return {"l": "L", "p": "P", "j": "Jml"}[part]


def _body(report, lay, month, rows, groups, col_parts, sex_rows, n_labels) -> list[list]:
    """Data rows (per sex when L/P are rows), subtotal and grand total rows, kecamatan headings."""
    out: list[list] = []
    totals: dict = {}
    grand: dict = {}
    number = 0
    current = None
    for kind, item in rows:
        kec = item[2] if kind == "desa" else None
        if kind == "desa" and kec != current:
            if current is not None and lay.subtotals:
                out.extend(_total_rows(lay.subtotals.format(k=current.upper()), totals, lay, groups, col_parts, sex_rows, n_labels))
                totals = {}
            if lay.kec_at == "heading":
                out.append([None] * (n_labels - 1 - sex_rows) + [f"KECAMATAN {kec.upper()}"])
            current = kec
        number += 1
        for s in (["l", "p", "j"] if sex_rows else [None]):
            labels = _labels(report, lay, kind, item, number if s in (None, "l") else None, s)
            counts = []
            for col_item, part in groups:
                desa = item[0] if kind == "desa" else report.desa[0][0]
                code = item if kind == "ind" else col_item
                lk, p = report.values[(desa, month, code)]
                value = {"l": lk, "p": p, "j": lk + p}[s or part]
                key = (col_item, s or part)
                totals[key] = totals.get(key, 0) + value
                grand[key] = grand.get(key, 0) + value
                counts.append(count_cell(value + lay.extra.get("bump", {}).get((desa, month, code, s or part), 0), lay.counts))
            if lay.total_col and kind == "desa":
                shown = [sum(report.values[(item[0], month, c)][0 if (s or p) == "l" else 1] if (s or p) != "j"
                             else sum(report.values[(item[0], month, c)]) for c in report.codes) for p in col_parts]
                counts += shown
            row = labels + ([None] if lay.blank_col else []) + counts + (["catatan " + NOTES[number % 4]] if lay.notes and number % 2 else [])
            out.append(row)
    if lay.subtotals and current is not None:
        out.extend(_total_rows(lay.subtotals.format(k=current.upper()), totals, lay, groups, col_parts, sex_rows, n_labels))
    if lay.grand:
        out.extend(_total_rows(lay.grand, grand, lay, groups, col_parts, sex_rows, n_labels))
    return out


def _labels(report, lay, kind, item, number, s) -> list:
    cells = [number] if lay.numbered else []
    if kind == "desa":
        code = item[0]
        if lay.codes:
            shown = {"dotted": code, "undotted": code.replace(".", ""), "numeric": int(code.replace(".", ""))}[lay.codes]
            cells.append(shown if number is not None else None)
        if lay.kec_at == "column":
            cells.append(item[2].upper())
        cells.append(item[1] if number is not None else None)
    else:
        cells.append(name_of(item, lay.naming) if number is not None else None)
    if s is not None:
        cells.append({"l": "L", "p": "P", "j": "Jml"}[s])
    return cells


def _total_rows(label, sums, lay, groups, col_parts, sex_rows, n_labels) -> list[list]:
    rows = []
    for s in (["l", "p", "j"] if sex_rows else [None]):
        cells = [None] * (n_labels - 1 - sex_rows) + [label if s in (None, "l") else None] + ([{"l": "L", "p": "P", "j": "Jml"}[s]] if s else [])
        values = [sums.get((item, s or part), 0) for item, part in groups]
        cells += [None] if lay.blank_col else []
        cells += [Formula("SUM", v) for v in values]
        if lay.total_col and groups[0][0] is not None:
            cells += [Formula("SUM", sum(values))] if s else [Formula("SUM", sum(v for (_, part), v in zip(groups, values) if part == p)) for p in col_parts]
        rows.append(cells)
    return rows


def _long(report: Report, lay: Layout) -> Grid:
    """A long table: one row per desa x month x PMKS type, columns in a drawn order."""
    g = Grid("Data")
    g.add("DATA PMKS KABUPATEN TUBAN")
    g.add(None)
    heads = {"kec": "Kecamatan", "desa": "Desa/Kelurahan", "ind": "Jenis PMKS", "month": "Bulan"}
    order = list(lay.extra["order"])
    counts = ["L", "P", "Jumlah"] if report.sex else ["Jumlah"]
    codes = ["Kode Desa"] if lay.codes else []
    g.add(*(["No"] if lay.numbered else []), *codes, *[heads[k] for k in order], *counts, *(["Keterangan"] if lay.notes else []))
    total = [0] * len(counts)
    n = 0
    for (code, name, kec) in report.desa:
        for m in report.months:
            for c in report.codes:
                n += 1
                lk, p = report.values[(code, m, c)]
                fields = {"kec": kec.upper(), "desa": name, "ind": name_of(c, lay.naming), "month": month_text(m, lay.month_style)}
                values = [lk, p, lk + p] if report.sex else [lk + p]
                total = [t + v for t, v in zip(total, values)]
                values[0] += lay.extra.get("bump", {}).get((code, m, c, "l" if report.sex else "j"), 0)
                shown = {"dotted": code, "undotted": code.replace(".", ""), "numeric": int(code.replace(".", ""))}.get(lay.codes)
                g.add(*([n] if lay.numbered else []), *([shown] if lay.codes else []), *[fields[k] for k in order],
                      *[count_cell(v, lay.counts) for v in values], *(["catatan"] if lay.notes and n % 3 == 0 else []))
    if lay.grand:
        at = order.index("desa")
        row = [None] * ((1 if lay.numbered else 0) + len(codes) + len(order))
        row[(1 if lay.numbered else 0) + len(codes) + at] = lay.grand
        g.add(*row, *[Formula("SUM", t) for t in total])
    if lay.signature:
        g.add(None)
        g.add(None, "Tuban, 5 November 2026")
        g.add(None, "Kepala Dinas Sosial")
    return g
