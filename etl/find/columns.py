"""What each column under a header band labels: counts of a PMKS type, desa, month or sex (and whether they are a
row total), or row labels of a role (desa, kode, kecamatan, jenis PMKS, bulan, L/P, No, Keterangan).

The lowest band cell that says something decides; a cell above it adds what an L | P | Jumlah cell lacks (the PMKS
type, desa or month written once over its three columns, the kecamatan over its desa). A header word over labels of
another kind (the corner cell of a table printed transposed) yields to them, and a column without a header word is
judged by its first cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.find.grid import Grid
from etl.find.lexicon import Lexicon, Word

ROW_ROLES = {"desa", "kode", "kecamatan", "indikator", "periode", "tahun", "sex"}  # roles whose cells label a row


@dataclass(slots=True)
class Column:
    """One column of a table: row labels of a role, counts with what they count, or something to leave alone."""

    c: int
    kind: str  # label | value | ignore | heading (a kecamatan named above the desa columns that follow)
    role: str | None = None  # label columns: desa | kode | kecamatan | indikator | periode | tahun | sex | no | psm | abaikan
    dims: dict = field(default_factory=dict)  # value columns: ind | desa | month | unknown -> (text, (r, c)); sex -> l | p | j
    total: bool = False  # a column of row totals (JUMLAH beside PMKS types, desa or months)


def read_columns(grid: Grid, lexicon: Lexicon, band: list[int], d: int, window: tuple[int, int]) -> list[Column]:
    """What each column of the band labels (see the module docstring), judged header first, then by contents."""
    sex_rows = {r for r in band if _sex_row(grid, lexicon, r, window)}
    sample: list[int] = []
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
        kind = row_kind(word)
        if word is not None and word.sex in ("l", "p"):
            kind = "sex" if not word.ind else "p"  # 'P' beside an 'L' is Perempuan, among PMKS types it is Pengemis
        elif word is not None and word.sex == "j" and word.total:
            kind = "jumlah"  # a Jumlah row under L and P, or a total row: decided below
        counts[kind] = counts.get(kind, 0) + 1
    sexes = counts.get("sex", 0)
    for kind, sex_side, other in (("p", "sex", "indikator"), ("jumlah", "sex", "total")):
        if kind in counts:
            target = sex_side if sexes else other
            counts[target] = counts.get(target, 0) + counts.pop(kind)
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


def row_kind(word: Word | None) -> str:
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
