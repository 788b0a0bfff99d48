"""PMKS values out of a sheet read by `etl.find.reading`: each count with the cells that name its desa, month and type.

The reader finds the tables and accounts for every number; here each value cell becomes a `Raw` (one desa x month
x PMKS type, with its L, P and Jumlah cells) and each long table a `LongTable`, with what the table does not say
itself taken from its surroundings: header fields and title lines above it, the sheet's name, then the file's name
and the analyst's choice (`defaults`). A table that names no desa or no month is reported once, on its sheet.

The layouts people make are not enumerated: a desa form (desa and month in the header, PMKS types down the side),
a kecamatan or kabupaten recap (desa down the side, PMKS types across, L | P | Jumlah under each or as rows),
the same transposed, several tables per sheet, a long table with one row per value — all are tables found by
their labels. The layout names below only describe them in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from etl.find.context import Where, year_in
from etl.find.lexicon import Lexicon
from etl.find.longtable import LongTable, long_table
from etl.find.reading import Found, SheetReading, Tally, read_sheet
from etl.read.cells import column_letter, find_period

ASK_MONTH = "atau sebutkan bulannya saat impor (--periode 2026-10; halaman Unggah: pilihan 'Bulan laporan')"
SHEET_MONTH = "tulis bulannya di judul atau di nama lembar ini (lembar lain berkas ini menyebut bulannya sendiri)"


@dataclass(slots=True)
class Raw:
    """One value as written: where it came from and what the report says it is."""

    sheet: str | None
    row: int
    kecamatan: str | None
    kecamatan_at: Where
    desa: str | None
    desa_at: Where
    kode: str | None
    periode: object
    periode_at: Where
    indikator: str
    indikator_at: Where
    laki_laki: object = None
    l_col: str | None = None
    perempuan: object = None
    p_col: str | None = None
    jumlah: object = None
    j_col: str | None = None
    psm: str | None = None
    l_row: int | None = None  # rows of L and P when they are written on rows of their own
    p_row: int | None = None


@dataclass
class SheetResult:
    layout: str | None
    values: list[Raw] = field(default_factory=list)
    tables: list[LongTable] = field(default_factory=list)
    problems: list[tuple[str, Where, str, str | None]] = field(default_factory=list)  # (severity, where, message, suggestion)
    defaulted: set[str] = field(default_factory=set)  # fields the sheet does not say, taken from `defaults`
    tally: Tally | None = None
    layouts: list[str] = field(default_factory=list)


def pmks_value(dims: dict) -> bool:
    """A value cell the PMKS import reads: one that a PMKS type labels."""
    return "ind" in dims


def read(sheet_name: str | None, rows: list[list], merged, lexicon: Lexicon) -> SheetReading:
    return read_sheet(sheet_name, rows, merged, lexicon, pmks_value)


def names_month(reading: SheetReading, lexicon: Lexicon) -> bool:
    """Whether the sheet says its own month (in a table, above it or in the sheet's name)."""
    if _sheet_facts(reading.sheet, lexicon).get("periode"):
        return True
    return any("periode" in f.context or any("month" in v.dims for v in f.vals[:50]) or
               (f.table.long is not None and "periode" in f.table.long.roles) for f in reading.tables)


def extract(reading: SheetReading, lexicon: Lexicon, defaults: dict | None = None, months_elsewhere: bool = False) -> SheetResult:
    """The raw values and long tables of a sheet read by `read`; `defaults` ({'kecamatan'|'periode'|'tahun': (value,
    Where, source)}) fill in what the sheet and its surroundings do not say."""
    result = SheetResult(None, problems=list(reading.problems), tally=reading.tally)
    sheet_facts = _sheet_facts(reading.sheet, lexicon)
    reported: set[str] = set()
    for found in reading.tables:
        if found.blank:
            continue
        facts = dict(found.context)
        for key, value in sheet_facts.items():
            facts.setdefault(key, value)
        if defaults and "tahun" in defaults:
            facts.setdefault("tahun", defaults["tahun"][:2])
        if found.table.long is not None:
            _long(reading, found, facts, defaults, months_elsewhere, result, reported)
        elif found.vals:
            _cross(reading, found, facts, lexicon, defaults, months_elsewhere, result, reported)
    if not reading.tables and any(any(reading.grid.texts(r)) for r in range(min(reading.grid.height, 200))) and not result.problems:
        result.problems.append(("warning", Where(), "lembar tidak dikenali sebagai laporan PMKS dan dilewati", None))
    result.layout = result.layouts[0] if result.layouts else None
    return result


def _sheet_facts(name: str | None, lexicon: Lexicon) -> dict[str, tuple]:
    """Month, desa or kecamatan named by the sheet ('Okt 2026', 'Menilo', 'Kec. Soko')."""
    if not name:
        return {}
    facts: dict[str, tuple] = {}
    month: date | int | None = find_period(name)
    word = lexicon.word(name.strip())
    if month is None and word is not None and isinstance(word.month, int):
        month = word.month
    if month is not None:
        facts["periode"] = (name if not isinstance(month, int) else name.strip(), Where())
    if year_in(name):
        facts["tahun"] = (year_in(name), Where())
    if word is not None and word.desa:
        facts["desa"] = (name.strip(), Where())
    if word is not None and word.kec:
        facts["kecamatan"] = (name.strip(), Where())
    return facts


def _month(facts: dict, defaults: dict | None, months_elsewhere: bool, result: SheetResult):
    """(value, Where) of the month a table is for, or None: surroundings first, then the file name or the analyst."""
    if "periode" in facts:
        value, where = facts["periode"][:2]
        if isinstance(value, str) and find_period(value) is None and "tahun" in facts:
            value = f"{value} {facts['tahun'][0]}"
        return value, where
    if defaults and "periode" in defaults and not months_elsewhere:
        result.defaulted.add("periode")
        return defaults["periode"][:2]
    return None


def _kecamatan(facts: dict, defaults: dict | None, result: SheetResult):
    if "kecamatan" in facts:
        return facts["kecamatan"][:2]
    if defaults and "kecamatan" in defaults:
        result.defaulted.add("kecamatan")
        return defaults["kecamatan"][:2]
    return None


def _no_month(result: SheetResult, months_elsewhere: bool, reported: set, found: Found) -> None:
    if "periode" not in reported:
        reported.add("periode")
        result.problems.append(("error", Where(), f"tabel {_box(found)}: bulan laporan tidak ditemukan (isian 'Bulan', judul, kolom bulan "
                                "atau nama lembar)", SHEET_MONTH if months_elsewhere else f"tulis mis. 'Bulan : Oktober 2026' di atas tabel {ASK_MONTH}"))


def _box(found: Found) -> str:
    from etl.find.grid import box

    r0, c0, r1, c1 = found.box
    return box([(r0, c0), (r1, c1)])


def _long(reading, found: Found, facts, defaults, months_elsewhere, result: SheetResult, reported: set) -> None:
    long = found.table.long
    assert long is not None  # called for a long table only
    kecamatan = None
    if "kecamatan" not in long.roles and "kode" not in long.roles:
        kecamatan = _kecamatan(facts, defaults, result)
    periode = None
    if "periode" not in long.roles:
        periode = _month(facts, defaults, months_elsewhere, result)
        if periode is None:
            _no_month(result, months_elsewhere, reported, found)
            return
    result.layouts.append("long")
    result.tables.append(long_table(reading.sheet, found.grid, long, kecamatan, periode))


def _cross(reading, found: Found, facts, lexicon: Lexicon, defaults, months_elsewhere, result: SheetResult, reported: set) -> None:
    """Raw values of a table of crossing labels. Long because each field has its own fallbacks, in order."""
    vals = found.vals
    has_place = all("desa" in v.dims or "kode" in v.dims for v in vals)
    has_month = all("month" in v.dims for v in vals)
    place = None if has_place else facts.get("desa")
    if not has_place and place is None:
        if "desa" not in reported:
            reported.add("desa")
            result.problems.append(("error", Where(), f"tabel {_box(found)}: isian 'Desa/Kelurahan' tidak ditemukan di kepala formulir",
                                    "tulis mis. 'Desa/Kelurahan : …' di atas tabel"))
        return
    periode = None if has_month else _month(facts, defaults, months_elsewhere, result)
    if not has_month and periode is None:
        _no_month(result, months_elsewhere, reported, found)
    kecamatan = _kecamatan(facts, defaults, result) if any("kec" not in v.dims for v in vals) else None
    result.layouts.append("wide" if has_place else "form")
    psm = facts.get("psm", (None,))[0]
    year = facts.get("tahun", (None,))[0]
    groups: dict = {}
    sheet = reading.sheet
    for v in vals:
        d = v.dims
        desa = d.get("desa") or (None if d.get("kode") else place)
        kode = d.get("kode")
        kec = d.get("kec") or kecamatan
        month = d.get("month") or periode
        key = tuple(x[0] if x else None for x in (desa, kode, kec, month, d.get("ind")))  # a name repeated over L, P, Jml is one
        part = d.get("sex", "j")
        raw = groups.get(key)
        if raw is None or _has(raw, part):
            raw = groups[key] = _new_raw(sheet, v, desa, kode, kec, month, d["ind"], psm, d["year"][0] if d.get("year") else year, lexicon)
            result.values.append(raw)
        _set(raw, part, reading.grid.value(*v.at), v.at)


def _where(at) -> Where:
    if at is None:
        return Where()
    if isinstance(at, Where):
        return at
    return Where(at[0] + 1, column_letter(at[1]))


def _new_raw(sheet, v, desa, kode, kec, month, ind, psm, year, lexicon: Lexicon) -> Raw:
    desa_text, desa_at = (desa[0], _where(desa[1])) if desa else (None, Where())
    code = kode[0] if kode else None
    if desa_text and (word := lexicon.word(desa_text)) is not None and word.code and not code:
        code, desa_text = desa_text, None
    if code and ((word := lexicon.word(code)) is None or not word.code or word.code.count(".") != 3):
        code = None
    if code and desa_text is None:
        desa_at = _where(kode[1]) if kode else desa_at
    month_text, month_at = (month[0], _where(month[1])) if month else (None, Where())
    word = lexicon.word(month_text) if isinstance(month_text, str) else None
    if word is not None and isinstance(word.month, int) and year:
        month_text = f"{month_text} {year}"
    kec_text, kec_at = (kec[0], _where(kec[1])) if kec else (None, Where())
    return Raw(sheet, v.at[0] + 1, kec_text or None, kec_at, desa_text, desa_at, code, month_text, month_at, ind[0], _where(ind[1]), psm=psm)


def _has(raw: Raw, part: str) -> bool:
    return {"l": raw.l_col, "p": raw.p_col, "j": raw.j_col}[part] is not None


def _set(raw: Raw, part: str, value, at: tuple[int, int]) -> None:
    letter = column_letter(at[1])
    if part == "l":
        raw.laki_laki, raw.l_col, raw.l_row = value, letter, at[0] + 1
    elif part == "p":
        raw.perempuan, raw.p_col, raw.p_row = value, letter, at[0] + 1
    else:
        raw.jumlah, raw.j_col, raw.row = value, letter, at[0] + 1
    if raw.j_col is None:
        raw.row = raw.l_row or raw.p_row or raw.row
