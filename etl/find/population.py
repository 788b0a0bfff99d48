"""Desa population files through the same reader as PMKS reports: tables found by evidence, every number accounted
for, every total checked (`etl.find.reading`).

A population table is a block of counts labelled by desa (name or code, with a kecamatan column, a section heading
or a title) and by L | P | Jumlah (or one column of counts). It may be a Dukcapil export (codes and/or kecamatan
and desa names, a merged 'Jumlah Penduduk' over L | P | Jumlah), a BPS "Kecamatan … Dalam Angka" table (the
kecamatan in the title, a 'Kecamatan Montong' total row) or anything else with those labels. Reading numbers and
names is the job of `etl.write.population`; this module says where each value stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.find.lexicon import Lexicon
from etl.find.reading import Tally, read_sheet
from etl.read.cells import column_letter

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
    tally: Tally | None = None
    layouts: list[str] = field(default_factory=list)


def population_value(dims: dict) -> bool:
    """A value cell of a population table: a desa (or code) and L, P or Jumlah, no PMKS type or month."""
    return ("desa" in dims or "kode" in dims) and not ("ind" in dims or "month" in dims)


def read_population_sheet(name: str | None, rows: list[list], merged, lexicon: Lexicon) -> PopSheet:
    """The desa rows of one sheet, with the sheet's problems and tally."""
    reading = read_sheet(name, rows, merged, lexicon, population_value)
    result = PopSheet(None, tally=reading.tally)
    result.problems = [(sev, w.row, w.col, msg, hint) for sev, w, msg, hint in reading.problems]
    for found in reading.tables:
        if found.blank or not found.vals:
            continue
        title = found.context.get("kecamatan")
        if not any("kec" in v.dims or "kode" in v.dims for v in found.vals) and title is None:
            result.problems.append(("warning", found.box[0] + 1, None, "tabel tidak menyebut kecamatan (kolom atau judul); desa dicocokkan "
                                    "di seluruh kabupaten", "tulis 'Kecamatan : …' di atas tabel bila nama desa ada yang kembar"))
        roles = {col.role for seg in found.table.segments for col in seg if col.kind == "label"}
        result.layouts.append("long" if roles & {"kecamatan", "kode"} else "recap")
        result.rows.extend(_rows(name, found, title, lexicon, reading.grid))
    result.layout = result.layouts[0] if result.layouts else None
    if not reading.tables and any(any(reading.grid.texts(r)) for r in range(min(reading.grid.height, 200))) and not result.problems:
        result.problems.append(("warning", None, None, "lembar tidak dikenali sebagai tabel penduduk dan dilewati", None))
    return result


def _rows(sheet, found, title, lexicon: Lexicon, grid) -> list[PopRow]:
    """One PopRow per labelled row (its L, P and Jumlah cells together)."""
    out: dict = {}
    for v in found.vals:
        d = v.dims
        key = (d.get("desa"), d.get("kode"), d.get("kec"))
        row = out.get(key)
        if row is None:
            desa, kode = d.get("desa"), d.get("kode")
            desa_text = desa[0] if desa else None
            kode_text = kode[0] if kode else None
            if desa_text and not kode_text and (word := lexicon.word(desa_text)) is not None and word.code:
                kode_text, desa_text = desa_text, None
            label = desa or kode
            kec = d.get("kec")
            kec_at = (kec[1][0] + 1, column_letter(kec[1][1])) if kec else (title[1].row, title[1].col) if title else (None, None)
            row = out[key] = PopRow(sheet, label[1][0] + 1, (kec or title or (None,))[0], kec_at, desa_text, kode_text,
                                    column_letter(label[1][1]))
            if kode_text:  # where a code that names no desa is reported
                row.cols["kode"] = column_letter((kode or desa)[1][1])
        part = {"l": "l", "p": "p"}.get(d.get("sex"), "jumlah")
        value = grid.value(*v.at)
        setattr(row, {"l": "laki_laki", "p": "perempuan", "jumlah": "jumlah"}[part], value)
        row.cols[part] = column_letter(v.at[1])
    return list(out.values())
