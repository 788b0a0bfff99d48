"""Recognising the layouts of PSM reports and pulling raw values out of them.

Three layouts are recognised on every sheet, whatever the title rows, blank rows, totals rows and
signature blocks around them:

- **form**: one desa, one month. A header block (Desa/Kelurahan, Kecamatan, Bulan, Nama PSM; value in
  the same cell after ':' or in a cell to the right) above a table No | Jenis PMKS | L | P | Jumlah.
- **wide** (kecamatan recap): one row per desa, one column per indicator, one- or two-row headers
  (merged group headings above, or L/P/Jumlah under each indicator), kecamatan and month in the title.
- **long**: one row per desa x month x indicator, columns found by header synonyms in any order.

The output is a list of `Raw` values with the sheet coordinates of every field, still as written;
reading numbers, months and names is the job of `etl.ingest`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from operator import itemgetter

from etl.cells import cell_text, column_letter
from etl.context import Where, header_block, title_facts
from etl.match import IndicatorMatcher, normalize_label

SYNONYMS = {
    "desa": {"desa", "kelurahan", "desa kelurahan", "kelurahan desa", "nama desa", "nama desa kelurahan", "desa kel",
             "kel desa", "nama kelurahan", "nama desa kel", "ds kel", "desa kelurahan nama"},
    "kecamatan": {"kecamatan", "kec", "nama kecamatan"},
    "kode": {"kode desa", "kode wilayah", "kode kemendagri", "kode desa kelurahan", "kode desa kel", "kode kelurahan"},
    "indikator": {"indikator", "jenis pmks", "jenis ppks", "pmks", "ppks", "jenis", "kategori", "uraian", "jenis masalah",
                  "masalah sosial", "nama pmks", "jenis pmks ppks", "jenis masalah sosial", "kategori pmks", "indikator pmks"},
    "periode": {"periode", "bulan", "bulan tahun", "bulan laporan", "periode laporan", "tanggal", "masa laporan", "tgl"},
    "tahun": {"tahun", "thn"},
    "jumlah": {"jumlah", "jml", "total", "jumlah jiwa", "jumlah orang", "nilai", "banyaknya", "l p", "jumlah l p", "jml l p"},
    "l": {"l", "lk", "laki laki", "laki", "pria", "jumlah l"},
    "p": {"p", "pr", "perempuan", "wanita", "jumlah p"},
    "no": {"no", "nomor", "no urut", "nmr"},
    "psm": {"nama psm", "psm", "petugas", "nama petugas", "pelapor", "nama pelapor"},
    "abaikan": {"keterangan", "ket", "catatan", "paraf", "tanda tangan", "ttd", "sumber", "dusun", "rt", "rw", "alamat"},
}
ROLE_OF = {syn: role for role, syns in SYNONYMS.items() for syn in syns}
TOTALS = re.compile(r"^(jumlah|jml|total|sub ?total|grand total)( (total|seluruh(nya)?|keseluruhan|kecamatan|desa|akhir))?$")
SIGNATURE = re.compile(r"\b(mengetahui|kepala desa|kepala dinas|camat|lurah|yang membuat|dibuat oleh|ttd|nip|pembuat laporan|"
                       r"petugas|pendamping|tksk|catatan|keterangan)\b", re.IGNORECASE)
HEADER_SCAN = 40
ASK_MONTH = "atau sebutkan bulannya saat impor (--periode 2026-10; halaman Unggah: pilihan 'Bulan laporan')"


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
class SheetResult:
    layout: str | None
    values: list[Raw] = field(default_factory=list)
    tables: list[LongTable] = field(default_factory=list)
    problems: list[tuple[str, Where, str, str | None]] = field(default_factory=list)  # (severity, where, message, suggestion)
    defaulted: set[str] = field(default_factory=set)  # fields the sheet does not say, taken from `defaults`


class _Texts:
    """The sheet as single-spaced text, computed row by row when first needed (a 100.000-row long table only
    needs its header rows and a few columns as text)."""

    def __init__(self, rows: list[list], width: int):
        self.rows, self.width, self.cache = rows, width, {}

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, r: int) -> list[str]:
        row = self.cache.get(r)
        if row is None:
            row = [cell_text(c) for c in self.rows[r]]
            row.extend([""] * (self.width - len(row)))
            self.cache[r] = row
        return row

    def __iter__(self):
        return (self[r] for r in range(len(self)))


def _blank_raw(row: list) -> bool:
    return all(c is None or c == "" or (isinstance(c, str) and not c.strip()) for c in row)


def _role(text: str) -> str | None:
    return ROLE_OF.get(normalize_label(text)) if text else None


def _blank(row: list[str]) -> bool:
    return not any(row)


def _merge_fill(texts: list[list[str]], merged, rows: range) -> None:
    """Copy the text of a merged range into every cell it covers (header rows only)."""
    for (r0, c0), (r1, c1) in merged:
        if r0 not in rows and r1 not in rows:
            continue
        value = texts[r0][c0] if r0 < len(texts) and c0 < len(texts[r0]) else ""
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if r < len(texts) and c < len(texts[r]) and not texts[r][c]:
                    texts[r][c] = value


def _context(texts, upto, defaults, result: SheetResult, needed=("kecamatan", "periode")) -> dict[str, tuple[str, Where]]:
    """What the title and header block say, completed from `defaults` where they are silent."""
    facts = title_facts(texts, upto)
    facts.update(header_block(texts, upto))
    for key in needed:
        if key not in facts and key in (defaults or {}):
            facts[key] = defaults[key][:2]
            result.defaulted.add(key)
    return facts


def extract(sheet_name: str | None, rows: list[list], merged, indicators: IndicatorMatcher, defaults: dict | None = None) -> SheetResult:
    """Find the layout of one sheet and its raw values; layout None when the sheet holds no report.

    `defaults` ({'kecamatan'|'periode': (value, Where, source)}) fill in what the sheet does not say."""
    lengths = list(map(len, rows))
    width = max(lengths, default=0)
    raw_rows = rows if lengths.count(width) == len(rows) else [r if n == width else list(r) + [None] * (width - n) for r, n in zip(rows, lengths)]
    texts = _Texts(raw_rows, width)
    _merge_fill(texts, merged, range(0, HEADER_SCAN))
    for r in range(min(HEADER_SCAN, len(texts))):
        roles = {}
        for c, text in enumerate(texts[r]):
            role = _role(text)
            if role and role not in roles:
                roles[role] = c
        has_count = any(k in roles for k in ("jumlah", "l", "p"))
        if "desa" in roles and "indikator" in roles and has_count:
            return _long(sheet_name, texts, raw_rows, r, roles, defaults)
        if "indikator" in roles and "desa" not in roles:
            below = {_role(t): c for c, t in enumerate(texts[r + 1])} if r + 1 < len(texts) else {}
            if has_count or ("l" in below and "p" in below):
                return _form(sheet_name, texts, raw_rows, r, roles, below, indicators, defaults)
        hits = [c for c, t in enumerate(texts[r]) if t and not _role(t) and indicators.is_named(t)]
        if len(hits) >= 3:
            return _wide(sheet_name, texts, raw_rows, r, indicators, defaults)
    if any(any(t for t in row) for row in texts):
        return SheetResult(None, problems=[("warning", Where(), "lembar tidak dikenali sebagai laporan PMKS dan dilewati", None)])
    return SheetResult(None)


@functools.lru_cache(maxsize=4096)
def _is_total(text: str) -> bool:
    return bool(TOTALS.match(normalize_label(text)))


def _data_rows(texts, start: int, key_col: int):
    """(row number, cells) of a table's body from `start`: blank rows skipped, ending at a total or signature row."""
    for r in range(start, len(texts)):
        row = texts[r]
        if _blank(row):
            continue
        if _stop_row(row, key_col):
            return
        yield r, row


def _column_numbers(row: list[str]) -> bool:
    """A row that numbers the columns of the header above it: 1 2 3 4 … (3 or more, nothing else)."""
    cells = [t for t in row if t]
    return len(cells) >= 3 and all(t.isdigit() for t in cells) and [int(t) for t in cells] == list(range(int(cells[0]), int(cells[0]) + len(cells)))


def _stop_row(row: list[str], key_col: int | None) -> str | None:
    """'total' for a totals row, 'signature' for the start of a signature block, else None (runs on every row)."""
    key = row[key_col] if key_col is not None and key_col < len(row) else ""
    if key:
        return "total" if key[0] in "JjTtSsGg" and _is_total(key) else None
    first = next((t for t in row if t), "")
    if first and _is_total(first):
        return "total"
    if any(SIGNATURE.search(t) or re.match(r"^[A-Z][a-z]+,\s*\d{1,2}\s+\w+\s+\d{4}$", t) for t in row if t):
        return "signature"
    return None


def _long(sheet, texts, raw, header, roles, defaults) -> SheetResult:
    result = SheetResult("long")
    needed = [k for k in ("kecamatan", "periode") if k not in roles and not (k == "kecamatan" and "kode" in roles)]
    context = _context(texts, header, defaults, result, needed)
    kec_ctx = context.get("kecamatan")
    per_ctx = context.get("periode")
    if "periode" not in roles and per_ctx is None:
        result.problems.append(("error", Where(header + 1, None), "kolom periode/bulan tidak ditemukan dan judul tidak menyebut bulan", f"tambahkan kolom 'periode' berisi mis. 'Oktober 2026' {ASK_MONTH}"))
        return result
    col = {k: roles.get(k) for k in ("kecamatan", "desa", "kode", "indikator", "periode", "tahun", "jumlah", "l", "p", "psm")}
    letter = {k: (column_letter(v) if v is not None else None) for k, v in col.items()}
    body = list(_long_body(texts, raw, header, col["desa"]))
    records = list(map(raw.__getitem__, body))
    cells = {k: list(map(itemgetter(c), records)) for k, c in col.items() if c is not None}
    result.tables.append(LongTable(sheet, [r + 1 for r in body], cells, letter, kec_ctx, per_ctx))
    return result


def _long_body(texts, raw, header: int, desa_col: int):
    """Row indexes of a long table's records: blank and (sub)total rows skipped, ending at a signature block."""
    seen: dict[str, bool] = {}  # desa cell text -> is it a total label
    for r in range(header + 1, len(raw)):
        raw_row = raw[r]
        value = raw_row[desa_col]
        if value.__class__ is str and value in seen:
            if not seen[value]:
                yield r
            continue
        key = cell_text(value)
        if key:
            total = key[0] in "JjTtSsGg" and _is_total(key)
            if value.__class__ is str:
                seen[value] = total
            if not total:
                yield r
            continue
        if _blank_raw(raw_row):
            continue
        stop = _stop_row(texts[r], desa_col)
        if stop == "signature":
            return
        if stop != "total":
            yield r


def _form(sheet, texts, raw, header, roles, below, indicators, defaults) -> SheetResult:
    result = SheetResult("form")
    context = _context(texts, header, defaults, result)
    start = header + 1
    count_cols = {k: roles.get(k) for k in ("l", "p", "jumlah")}
    if "l" in below and "p" in below and "l" not in roles:
        count_cols.update({k: below.get(k, count_cols.get(k)) for k in ("l", "p", "jumlah")})
        start = header + 2
    missing = [label for name, label in (("desa", "Desa/Kelurahan"), ("periode", "Bulan")) if name not in context]
    for label in missing:
        result.problems.append(("error", Where(), f"isian '{label}' tidak ditemukan di kepala formulir", f"tulis mis. '{label} : …' di atas tabel" + (f" {ASK_MONTH}" if label == "Bulan" else "")))
    if "desa" not in context:
        return result
    desa, desa_at = context["desa"]
    kec, kec_at = context.get("kecamatan", (None, Where()))
    periode, per_at = context.get("periode", (None, Where()))  # without a month the rows are still checked
    psm = context.get("psm", (None, None))[0]
    ind_col = roles["indikator"]
    letters = {k: (column_letter(v) if v is not None else None) for k, v in count_cols.items()}
    for r, row in _data_rows(texts, start, ind_col):
        name = row[ind_col]
        if _column_numbers(row):
            continue  # '1 2 3 4 5' under the header
        numbers = [raw[r][c] for c in count_cols.values() if c is not None]
        if not name:
            if any(cell_text(v) for v in numbers):
                result.problems.append(("error", Where(r + 1, column_letter(ind_col)), "jenis PMKS kosong padahal ada angka", None))
            continue
        if not any(cell_text(v) for v in numbers) and not indicators.match(name).ok:
            continue  # a group heading such as 'A. ANAK'
        get = lambda k: raw[r][count_cols[k]] if count_cols[k] is not None else None  # noqa: E731
        result.values.append(Raw(
            sheet, r + 1, kec, kec_at, desa, desa_at, None, periode, per_at, name, Where(r + 1, column_letter(ind_col)),
            get("l"), letters["l"], get("p"), letters["p"], get("jumlah"), letters["jumlah"], psm,
        ))
    return result


def _recap_roles(top: list[str], above: list[str], below: list[str]) -> dict[str, int]:
    """Columns of a recap that are not indicators: desa, kecamatan, code, number, and those to ignore."""
    roles: dict[str, int] = {}
    for c in range(len(top)):
        for text in (top[c], above[c], below[c]):
            role = _role(text)
            if role in ("desa", "kecamatan", "kode", "no") and role not in roles:
                roles[role] = c
            if role in ("abaikan", "psm"):
                roles.setdefault(f"abaikan{c}", c)
    return roles


def _wide(sheet, texts, raw, header, indicators, defaults) -> SheetResult:
    result = SheetResult("wide")
    width = len(texts[header])
    top = texts[header]
    below = texts[header + 1] if header + 1 < len(texts) else [""] * width
    above = texts[header - 1] if header > 0 else [""] * width
    sub = sum(1 for t in below if _role(t) in ("l", "p")) >= 2
    names = list(top)
    if sub:  # indicator names merged across their L | P | Jumlah sub-columns
        for c in range(1, width):
            if not names[c] and _role(below[c]) in ("l", "p", "jumlah") and names[c - 1] and indicators.match(names[c - 1]).ok:
                names[c] = names[c - 1]
    roles = _recap_roles(top, above, below if sub else [""] * width)
    if "desa" not in roles:
        result.problems.append(("error", Where(header + 1, None), "kolom nama desa/kelurahan tidak ditemukan pada tabel rekap", "beri judul kolom 'Desa/Kelurahan'"))
        return result
    columns: list[tuple[int, str, str]] = []  # (col, indicator text, part l|p|jumlah)
    for c in range(width):
        if c in roles.values() or not names[c]:
            continue
        part = (_role(below[c]) if sub else None) or "jumlah"
        if part not in ("l", "p", "jumlah"):
            continue
        if _role(names[c]) in ("jumlah", "no") or TOTALS.match(normalize_label(names[c])):
            continue  # a row-total column
        columns.append((c, names[c], part))
    context = _context(texts, header - (1 if any(above) and not sub else 0), defaults, result,
                       [k for k in ("kecamatan", "periode") if k not in roles])
    if "periode" not in context:
        result.problems.append(("error", Where(), "bulan laporan tidak ditemukan di judul rekap", f"tulis mis. 'Bulan : Oktober 2026' di atas tabel {ASK_MONTH}"))
    periode, per_at = context.get("periode", (None, Where()))  # without a month the rows are still checked
    kec_ctx = context.get("kecamatan", (None, Where()))
    start = header + (2 if sub else 1)
    desa_col = roles["desa"]
    by_indicator: dict[str, dict[str, int]] = {}
    for c, name, part in columns:
        by_indicator.setdefault(name, {})[part] = c
    for r, row in _data_rows(texts, start, desa_col):
        desa = row[desa_col]
        if not desa:
            if any(cell_text(raw[r][c]) for c, _, _ in columns):
                result.problems.append(("error", Where(r + 1, column_letter(desa_col)), "nama desa kosong padahal ada angka", None))
            continue
        if desa.isdigit() and len(desa) <= 3:
            continue  # a row of column numbers under the header
        kec, kec_at = (row[roles["kecamatan"]], Where(r + 1, column_letter(roles["kecamatan"]))) if "kecamatan" in roles else kec_ctx
        kode = row[roles["kode"]] if "kode" in roles else None
        for name, parts in by_indicator.items():
            cell = lambda k: raw[r][parts[k]] if k in parts else None  # noqa: E731
            letter = lambda k: column_letter(parts[k]) if k in parts else None  # noqa: E731
            result.values.append(Raw(
                sheet, r + 1, kec or None, kec_at, desa, Where(r + 1, column_letter(desa_col)), kode or None, periode, per_at,
                name, Where(header + 1, column_letter(min(parts.values()))),
                cell("l"), letter("l"), cell("p"), letter("p"), cell("jumlah"), letter("jumlah"), None,
            ))
    return result
