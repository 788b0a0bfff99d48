"""The body of a table: which rows hold counts, which are totals, which are headings, and what labels each row.

Rows are read from the table's first row of numbers down. A row is
- a **total** when a label beside its counts is a total (JUMLAH, TOTAL, SUB JUMLAH, JUMLAH KEC. X) or names an area
  ('Kecamatan Montong', 'Kabupaten Tuban') and holds counts: it is checked (`etl.check.totals`), never ends the table;
- a **heading** when it holds no counts: a group heading ('A. ANAK') or a section naming the kecamatan of the
  rows below ('KECAMATAN MONTONG');
- a **data** row when it has row labels (desa, kode, PMKS type, month, L/P) or counts to read.
The body ends at a signature block, at a header that labels the same columns again (a table stacked below) or
after a stretch of empty rows. Kecamatan written once for several rows, and the desa of L | P | Jumlah rows, are
carried down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.find.grid import Grid
from etl.find.lexicon import Lexicon
from etl.find.tables import ROW_ROLES, Column, Table, _codes_only, numbering_row

QUIET_ROWS = 8  # empty rows after which a body has ended
SIGNATURE = re.compile(r"\b(mengetahui|kepala desa|kepala dinas|kepala|camat|lurah|yang membuat|dibuat oleh|ttd|nip|"
                       r"pembuat laporan|petugas|pendamping|tksk|menyetujui|diketahui)\b", re.IGNORECASE)
_DATED = re.compile(r"^[A-Z][A-Za-z .]+,\s*\d{1,2}\s+\w+\s+\d{4}$")
_IDENTITY = ("desa", "kode", "indikator", "periode")
_WORD_ROLE = {"desa": "desa", "kode": "kode", "indikator": "ind", "periode": "month", "kecamatan": "kec", "sex": "sex"}


@dataclass(slots=True)
class BodyRow:
    r: int
    seg: int
    kind: str  # data | total | heading | notes | orphan (counts without a row label)
    dims: dict = field(default_factory=dict)  # desa|kode|kec|ind|month|year -> (text, (r, c)); sex -> l|p|j
    label: tuple | None = None  # (text, (r, c)) of a total's or heading's label
    area: str | None = None  # the kecamatan a total or heading names


def read_body(grid: Grid, lexicon: Lexicon, table: Table) -> None:
    """Fill `table.rows` and `table.last`. Long because it is one pass down the rows with the state it carries."""
    values = {col.c for seg in table.segments for col in seg if col.kind == "value"}
    carry: list[dict] = [{} for _ in table.segments]  # per segment: role -> (text, at) written once for rows below
    rows: list[BodyRow] = []
    last, quiet, r = table.first, 0, table.first
    while r < grid.height:
        in_span = [c for c in grid.nums(r) if table.c0 <= c <= table.c1]
        if grid.blank(r, table.c0, table.c1 + 1):
            quiet += 1
            if quiet > QUIET_ROWS:
                break
            r += 1
            continue
        counts = sorted(values.intersection(in_span))
        if r > table.first and (not counts or _codes_only(grid, lexicon, r, counts)) and (
                _signature(grid, r, table) or _new_header(grid, lexicon, r, table, values)):
            break
        if r > table.first and numbering_row(grid, r, table.c0, table.c1 + 1):
            break  # the column numbers of a table stacked below
        found = [row for s, seg in enumerate(table.segments) if (row := _row(grid, lexicon, r, s, seg, carry[s])) is not None]
        rows.extend(found)
        if any(row.kind in ("data", "total", "orphan") for row in found) or values.intersection(in_span):
            last, quiet = r, 0
        else:
            quiet += 1
            if quiet > QUIET_ROWS:
                break
        r += 1
    table.rows = [row for row in rows if row.r <= last]
    table.last = last


def _signature(grid: Grid, r: int, table: Table) -> bool:
    texts = [t for t in grid.texts(r)[table.c0:table.c1 + 1] if t]
    return any(SIGNATURE.search(t) or _DATED.match(t) for t in texts)


def _new_header(grid: Grid, lexicon: Lexicon, r: int, table: Table, values: set) -> bool:
    """A row that labels the table's columns again (a table stacked below with its own header): two or more of its
    cells are header words or column labels standing over columns of the same kind."""
    labels = 0
    for seg in table.segments:
        for col in seg:
            word = lexicon.word(grid.text(r, col.c))
            if word is None:
                continue
            if col.kind == "value" and (word.column_label or word.role):
                labels += 1
            elif col.kind == "label" and word.role and not word.desa and not word.ind:
                labels += 1
    return labels >= 2


def _row(grid: Grid, lexicon: Lexicon, r: int, s: int, seg: list[Column], carry: dict) -> BodyRow | None:
    """One row of one segment. Long because each kind of row is told apart here, in the order that matters."""
    counts = [col for col in seg if col.kind == "value"]
    has_num = any(grid.is_num(r, col.c) for col in counts)
    has_text = has_num or any(grid.text(r, col.c) for col in counts)
    labels: dict[str, tuple] = {}
    total = area = None
    for col in seg:
        if col.kind == "value" or col.role in ("psm", "abaikan", "alamat", "no"):
            continue
        text = grid.label(r, col.c)
        word = lexicon.word(text)
        if word is None:
            continue
        at = grid.origin(r, col.c)
        if col.role != "sex" and word.total:
            total = (text, at)
            area = word.area[1] if word.area and word.area[0] == "kecamatan" else None
        elif col.role != "sex" and word.area and not word.desa and col.role in (None, "desa", "kode") and area is None:
            area = word.area[1] if word.area[0] == "kecamatan" else None
            total = (text, at) if has_num else None
            labels.setdefault("_area", (text, at))
        elif col.kind == "label" and col.role in ROW_ROLES:
            if col.role == "kode" and "kode" in labels and _full_code(labels["kode"][2]) is None and _full_code(word):
                labels["kode"] = (text, at, word)  # of 'Kode Prov', 'Kode Kec' and 'Kode Desa', the desa's code
            labels.setdefault(col.role, (text, at, word))
    sex = _sex(labels.pop("sex", None), carry)
    note = next((v for v in labels.values() if len(v) > 2 and v[2] is not None and v[2].role in ("abaikan", "psm")
                 and not v[2].desa and not v[2].ind), None)
    if note is not None and total is None:
        return BodyRow(r, s, "notes", {}, note[:2])  # a 'Keterangan' row under a table printed transposed
    if total is None and sex and carry.get("_total") and not any(v[0] for k, v in labels.items() if k in _IDENTITY):
        total, area = carry["_total"]  # the P and Jumlah rows under 'JUMLAH' written on its L row
    if total is not None:
        carry["_total"] = (total, area) if sex else None
        return BodyRow(r, s, "total", {"sex": sex} if sex else {}, total, area)
    carry["_total"] = None
    if "_area" in labels:
        heading = labels.pop("_area")
        carry["kecamatan"] = (area, heading[1]) if area else carry.get("kecamatan")
        if area is None:
            carry.pop("kecamatan", None)
        return BodyRow(r, s, "heading", {}, heading, area)
    _carry_down(seg, labels, carry, sex is not None)
    identity = {k: v for k, v in labels.items() if k in _IDENTITY and v[0]}
    dims: dict = {_WORD_ROLE.get(k, k): (v[0], v[1]) for k, v in labels.items() if v[0]}
    if "kecamatan" not in labels and "kecamatan" in carry:
        dims["kec"] = carry["kecamatan"]
    if sex:
        dims["sex"] = sex
    needs_label = any(col.kind == "label" and col.role in _IDENTITY for col in seg)
    if identity:
        recognised = any(_names(k, v[2]) for k, v in identity.items() if len(v) > 2)
        if has_text or recognised or sex:
            return BodyRow(r, s, "data", dims)
        return BodyRow(r, s, "heading", {}, next(iter(identity.values()))[:2])
    if has_num:
        return BodyRow(r, s, "orphan" if needs_label else "data", dims)
    return None


def _full_code(word) -> str | None:
    return word.code if word is not None and word.code and word.code.count(".") == 3 else None


def _names(role: str, word) -> bool:
    if word is None:
        return False
    return {"desa": word.desa, "kode": bool(word.code), "indikator": bool(word.ind), "periode": word.month is not None}.get(role, False)


def _sex(found, carry: dict) -> str | None:
    if found is None or not found[0]:
        return None
    word = found[2]
    return word.sex if word is not None and word.sex else None


def _carry_down(seg: list[Column], labels: dict, carry: dict, sex_row: bool) -> None:
    """Kecamatan written once above its desa; the desa (or PMKS type) of L | P | Jumlah rows written on the first."""
    for col in seg:
        if col.kind != "label" or col.role not in ("kecamatan", "desa", "kode", "indikator"):
            continue
        found = labels.get(col.role)
        if found is not None and found[0]:
            carry[col.role] = found
        elif col.role == "kecamatan" and col.role in carry:
            labels[col.role] = carry[col.role]
        elif sex_row and col.role in carry:
            labels[col.role] = carry[col.role]
