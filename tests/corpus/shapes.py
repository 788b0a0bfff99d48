"""The three report shapes as grids, written the way kecamatan and desa staff write them.

Each builder takes the intended counts ({code: (L, P)} or {code: jumlah}) and how to write every
part, and returns the grid with what an import must read from it: the expected total, desa codes
and the sheet coordinates of every planted error. Nothing here imports the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.corpus.writers import Formula, Grid

# Official names (Permensos 08/2012, as in data/indikator.csv), and how else offices write them.
OFFICIAL = {
    "ABT": "Anak Balita Terlantar", "AT": "Anak Terlantar", "ABH": "Anak yang Berhadapan dengan Hukum",
    "AJ": "Anak Jalanan", "ADK": "Anak dengan Kedisabilitasan",
    "AKTK": "Anak yang Menjadi Korban Tindak Kekerasan atau Diperlakukan Salah",
    "AMPK": "Anak yang Memerlukan Perlindungan Khusus", "LUT": "Lanjut Usia Terlantar", "PD": "Penyandang Disabilitas",
    "TS": "Tuna Susila", "GLD": "Gelandangan", "PGM": "Pengemis", "PML": "Pemulung", "KM": "Kelompok Minoritas",
    "BWBLP": "Bekas Warga Binaan Lembaga Pemasyarakatan", "ODHA": "Orang dengan HIV/AIDS",
    "NAPZA": "Korban Penyalahgunaan NAPZA", "KTR": "Korban Trafficking", "KTK": "Korban Tindak Kekerasan",
    "PMBS": "Pekerja Migran Bermasalah Sosial", "KBA": "Korban Bencana Alam", "KBS": "Korban Bencana Sosial",
    "PRSE": "Perempuan Rawan Sosial Ekonomi", "FM": "Fakir Miskin", "KBSP": "Keluarga Bermasalah Sosial Psikologis",
    "KAT": "Komunitas Adat Terpencil",
}
BEFORE_ATAU = {"AKTK": "Anak yang Menjadi Korban Tindak Kekerasan", "KBS": "Korban Bencana Sosial atau Pengungsi",
               "TS": "Tuna Susila", "FM": "Fakir Miskin atau Orang Tidak Mampu"}
OLD = {"PD": "Penyandang Cacat", "PRSE": "Wanita Rawan Sosial Ekonomi", "TS": "Wanita Tuna Susila", "ABH": "Anak Nakal",
       "ADK": "Anak Cacat", "BWBLP": "Bekas Narapidana", "PMBS": "Pekerja Migran Terlantar", "ODHA": "Penyandang HIV/AIDS",
       "LUT": "Lanjut Usia Terlantar", "FM": "Fakir Miskin", "KTK": "Korban Tindak Kekerasan"}
TYPO = {"FM": "Fakir Miskn", "AT": "Anak Terlantr", "LUT": "Lanjut Usia Terlanter", "PD": "Penyandang Disabilitass",
        "GLD": "Gelandangann", "KBA": "Korban Bencana Alan"}
ABBR = {code: code for code in OFFICIAL} | {"LUT": "Lansia Terlantar", "AJ": "Anjal"}


def indicator_text(code: str, naming: str) -> str:
    table = {"official": OFFICIAL, "atau": BEFORE_ATAU, "old": OLD, "typo": TYPO, "abbr": ABBR}[naming]
    return table.get(code, OFFICIAL[code])


def excel_sum(cells) -> int:
    """What Excel's SUM shows over cells as written: numbers and formula results; text such as '7 orang' left out."""
    total = 0
    for cell in cells:
        if isinstance(cell, Formula):
            total += cell.value
        elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
            total += cell
    return total


def count_cell(value: int, style: str):
    """A count as people type it: 'int', 'text' ('7'), 'orang' ('7 orang'), 'dash' (0 as '-'), 'blank' (0 empty)."""
    if value == 0 and style in ("dash", "blank"):
        return "-" if style == "dash" else None
    if style == "text":
        return str(value)
    if style == "orang":
        return f"{value} orang"
    if style == "thousands" and value >= 1000:
        return f"{value:,}".replace(",", ".")
    return value


@dataclass
class Expect:
    total: int = 0
    desa: set[str] = field(default_factory=set)
    errors: list[tuple[str | None, int, str]] = field(default_factory=list)  # (sheet, row, column letter)
    warnings: list[tuple[str | None, int, str | None]] = field(default_factory=list)


def letter(col: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col] if col < 26 else "A" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col - 26]


@dataclass
class Form:
    """How a per-desa form is written."""

    desa: str  # as written
    fields: list[tuple[str, object]]  # header block: ('Desa/Kelurahan', 'Menilo'), ('Bulan', date(...)), ...
    titles: list[str] = field(default_factory=lambda: ["LAPORAN PENYANDANG MASALAH KESEJAHTERAAN SOSIAL (PMKS)"])
    field_style: str = "colon"  # colon | adjacent | colon-cell
    header: str = "lp"  # lp: No|Jenis|L|P|Jumlah; lp2: L/P under a merged 'Jumlah Penyandang'; j: No|Jenis|Jumlah
    naming: str = "official"
    counts: str = "int"
    numbered: bool = False  # a row 1 2 3 4 5 under the header
    keterangan: bool = False
    groups: bool = True
    logo: bool = False
    hidden: tuple[str, ...] = ()  # indicator codes whose rows are hidden (still counted)
    formula_total: bool = True  # Jumlah as =C+D in the L/P layouts
    sheet: str = "Laporan"


def form_grid(spec: Form, values: dict[str, tuple[int, int]], expect: Expect, *, wrong_sum: dict | None = None,
              bad_cell: dict | None = None, unknown: list[str] = ()) -> Grid:
    """values: {code: (L, P)}. wrong_sum {code: written Jumlah}, bad_cell {code: text in L}, unknown: extra names."""
    g = Grid(spec.sheet, logo=spec.logo)
    width = 6 if spec.keterangan else 5
    if spec.logo:
        g.add(None)
    for title in spec.titles:
        g.add(title, span=width)
    g.add(None)
    for label, value in spec.fields:
        if spec.field_style == "colon":
            g.add(f"{label} : {value}") if isinstance(value, str) else g.add(f"{label} :", value)
        elif spec.field_style == "adjacent":
            g.add(label, value)
        else:
            g.add(label, ":", value)
    g.add(None)
    _form_header(g, spec, width)
    groups = {"ABT": "A. ANAK", "LUT": "B. LANJUT USIA DAN DISABILITAS", "TS": "C. TUNA SOSIAL", "ODHA": "D. KORBAN"}
    first = None
    jcol = 2 if spec.header == "j" else 4
    for n, (code, (l, p)) in enumerate(values.items(), start=1):
        if spec.groups and code in groups:
            g.add(None, groups[code])
        r = len(g.rows) + 1
        first = first or r
        name = indicator_text(code, spec.naming)
        note = ["sesuai data desa" if n % 4 == 0 else None] if spec.keterangan else []
        if spec.header == "j":
            cells = [count_cell(l + p, spec.counts)]
        else:
            jml = Formula(f"C{r}+D{r}", l + p) if spec.formula_total and spec.counts == "int" else count_cell(l + p, spec.counts)
            cells = [count_cell(l, spec.counts), count_cell(p, spec.counts), jml]
        if wrong_sum and code in wrong_sum:
            cells[-1] = wrong_sum[code]
            expect.errors.append((spec.sheet, r, letter(jcol)))
        if bad_cell and code in bad_cell:
            cells[0] = bad_cell[code]
            expect.errors.append((spec.sheet, r, "C"))
        g.add(n, name, *cells, *note, hidden=code in spec.hidden)
        expect.total += l + p
    for name in unknown:
        r = g.add(len(values) + 1, name, 1, 1, 2) if spec.header != "j" else g.add(len(values) + 1, name, 2)
        expect.errors.append((spec.sheet, r, "B"))
    last = len(g.rows)
    shown = excel_sum(row[jcol] for row in g.rows[first - 1:last] if len(row) > jcol)  # what Excel's SUM shows
    g.add(None, "JUMLAH", *([None, None] if spec.header != "j" else []), Formula(f"SUM({letter(jcol)}{first}:{letter(jcol)}{last})", shown))
    g.add(None)
    g.add(None, None, None, "Tuban, 3 November 2026")
    g.add(None, None, None, "PSM Desa")
    g.add(None)
    g.add(None, None, None, "Siti Aminah")
    return g


def _form_header(g: Grid, spec: Form, width: int) -> None:
    """No | Jenis PMKS | L | P | Jumlah, or L/P under a merged 'Jumlah Penyandang', or only Jumlah; numbered below."""
    extra = ["Keterangan"] if spec.keterangan else []
    if spec.header == "lp2":
        top = g.add("No", "Jenis PMKS", "Jumlah Penyandang", None, None, *extra)
        g.add(None, None, "L", "P", "Jml", *([None] if extra else []))
        g.merge(top, 2, top, 4)
        g.merge(top, 0, top + 1, 0)
        g.merge(top, 1, top + 1, 1)
    elif spec.header == "j":
        g.add("No", "Jenis PMKS", "Jumlah", *extra)
    else:
        g.add("No", "Jenis PMKS", "L", "P", "Jumlah", *extra)
    if spec.numbered:
        g.add(*range(1, width - (2 if spec.header == "j" else 0) + 1))


@dataclass
class Recap:
    """How a kecamatan recap is written."""

    titles: list[str]
    header: str = "one"  # one | group (merged group headings above) | lp (L|P|Jml under each name)
    naming: str = "abbr"
    counts: str = "int"
    numbered: bool = False
    keterangan: bool = False
    logo: bool = False
    hidden_desa: tuple[str, ...] = ()  # desa rows (as written) that are hidden, still counted
    sheet: str = "Rekap"
    desa_label: str = "Desa/Kelurahan"


def recap_grid(spec: Recap, rows: dict[tuple[str, str], dict[str, tuple[int, int]]], expect: Expect, *,
               wrong_sum: dict | None = None, bad_cell: dict | None = None) -> Grid:
    """rows: {(desa as written, code): {indicator code: (L, P)}}; errors keyed by (desa as written, indicator)."""
    g = Grid(spec.sheet, logo=spec.logo)
    codes = list(next(iter(rows.values())))
    names = [indicator_text(c, spec.naming) for c in codes]
    lp = spec.header == "lp"
    width = 2 + len(codes) * (3 if lp else 1) + (0 if lp else 1) + (1 if spec.keterangan else 0)
    if spec.logo:
        g.add(None)
    for title in spec.titles:
        g.add(title, span=width)
    g.add(None)
    _recap_header(g, spec, names, lp)
    if spec.numbered:
        g.add(*range(1, width + 1))
    first = len(g.rows) + 1
    for n, ((written, code), values) in enumerate(rows.items(), start=1):
        r = len(g.rows) + 1
        cells = []
        row_total = 0
        for i, c in enumerate(codes):
            l, p = values[c]
            row_total += l + p
            col = 2 + (3 * i + 2 if lp else i)
            if lp:
                part = [count_cell(l, spec.counts), count_cell(p, spec.counts), Formula(f"{letter(col - 2)}{r}+{letter(col - 1)}{r}", l + p)]
            else:
                part = [count_cell(l + p, spec.counts)]
            if wrong_sum and (written, c) in wrong_sum:
                part[-1] = wrong_sum[(written, c)]
                expect.errors.append((spec.sheet, r, letter(col)))
            if bad_cell and (written, c) in bad_cell:
                part[0] = bad_cell[(written, c)]
                expect.errors.append((spec.sheet, r, letter(col - 2 if lp else col)))
            cells.extend(part)
        if not lp:
            cells.append(Formula(f"SUM(C{r}:{letter(1 + len(codes))}{r})", excel_sum(cells)))
        if spec.keterangan:
            cells.append("baru" if n == 2 else None)
        g.add(n, written, *cells, hidden=written in spec.hidden_desa)
        if code:
            expect.desa.add(code)
            expect.total += row_total
        else:
            expect.errors.append((spec.sheet, r, "B"))
    last = len(g.rows)
    sums = [excel_sum(row[2 + i] for row in g.rows[first - 1:last] if len(row) > 2 + i) for i in range(width - 2 - (1 if spec.keterangan else 0))]
    g.add(None, "JUMLAH", *[Formula(f"SUM({letter(2 + i)}{first}:{letter(2 + i)}{last})", shown) for i, shown in enumerate(sums)])
    g.add(None)
    g.add(None, "Mengetahui,", None, None, "Tuban, 5 November 2026")
    g.add(None, "Camat", None, None, "TKSK Kecamatan")
    return g


def _recap_header(g: Grid, spec: Recap, names: list[str], lp: bool) -> None:
    """One header row, group headings merged above the names, or L | P | Jml under each merged name."""
    tail = ["Jumlah"] if not lp else []
    tail += ["Keterangan"] if spec.keterangan else []
    if spec.header == "group":
        half = len(names) // 2
        top = g.add("No", spec.desa_label, "ANAK", *([None] * (half - 1)), "DEWASA DAN KELUARGA", *([None] * (len(names) - half - 1)), *tail)
        g.add(None, None, *names, *([None] * len(tail)))
        g.merge(top, 0, top + 1, 0)
        g.merge(top, 1, top + 1, 1)
        g.merge(top, 2, top, 1 + half)
        g.merge(top, 2 + half, top, 1 + len(names))
        for i in range(len(tail)):
            g.merge(top, 2 + len(names) + i, top + 1, 2 + len(names) + i)
    elif lp:
        top = g.add("No", spec.desa_label, *[x for n in names for x in (n, None, None)], *tail)
        g.add(None, None, *["L", "P", "Jml"] * len(names))
        for i in range(len(names)):
            g.merge(top, 2 + 3 * i, top, 4 + 3 * i)
        g.merge(top, 0, top + 1, 0)
        g.merge(top, 1, top + 1, 1)
    else:
        g.add("No", spec.desa_label, *names, *tail)


def long_grid(header: list[str], records: list[list], title: str | None = None, sheet: str = "Data") -> tuple[Grid, int]:
    """A long table; returns the grid and the Excel row number of the first record."""
    g = Grid(sheet)
    if title:
        g.add(title)
        g.add(None)
    g.add(*header)
    first = len(g.rows) + 1
    for record in records:
        g.add(*record)
    return g, first
