"""What the text of one cell can mean: a desa, a kecamatan, a PMKS type, a sex, a month, a total, a column role.

The reader (`etl.find.tables`) finds tables by this evidence, not by keywords in one header row: every cell's text is
looked up once (per distinct text) against the gazetteer, the indicator catalogue with its older names and the
recap abbreviations (`data/singkatan_pmks.csv`), sex labels, months and the words people use for columns. A text
may mean several things ('P' is Perempuan under an L and Pengemis among PMKS abbreviations; 'Palang' is a desa and
a kecamatan); the reader decides by position.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from etl.read.cells import _MONTHS, cell_text, parse_period
from etl.resolve.match import Gazetteer, IndicatorMatcher, normalize_label, normalize_name, parse_code

ROLES = {  # words that name a column of row labels (or of counts: l, p, jumlah)
    "desa": {"desa", "kelurahan", "desa kelurahan", "kelurahan desa", "nama desa", "nama desa kelurahan", "desa kel", "kel desa",
             "nama kelurahan", "nama desa kel", "ds kel", "desa kelurahan nama", "nama wilayah", "wilayah"},
    "kecamatan": {"kecamatan", "kec", "nama kecamatan", "nama kec", "kecamatan nama", "nama kecamatan kel"},
    "kode": {"kode", "kode desa", "kode wilayah", "kode kemendagri", "kode desa kelurahan", "kode desa kel", "kode kelurahan",
             "kode desa kelurahan kemendagri", "kode wilayah desa", "kode kec", "kode kecamatan", "kode prov", "kode provinsi",
             "kode kab", "kode kabupaten", "kode kab kota", "kode bps"},
    "indikator": {"indikator", "jenis pmks", "jenis ppks", "pmks", "ppks", "jenis", "kategori", "uraian", "jenis masalah",
                  "masalah sosial", "nama pmks", "jenis pmks ppks", "jenis masalah sosial", "kategori pmks", "indikator pmks",
                  "jenis penyandang masalah kesejahteraan sosial"},
    "periode": {"periode", "bulan", "bulan tahun", "bulan laporan", "periode laporan", "tanggal", "masa laporan", "tgl"},
    "tahun": {"tahun", "thn"},
    "no": {"no", "nomor", "no urut", "nmr", "no urt"},
    "psm": {"nama psm", "psm", "petugas", "nama petugas", "pelapor", "nama pelapor"},
    "abaikan": {"keterangan", "ket", "catatan", "paraf", "tanda tangan", "ttd", "sumber",
                "nama prov", "nama provinsi", "provinsi", "nama kab", "nama kabupaten", "kabupaten", "kab kota"},
    "alamat": {"dusun", "rt", "rw", "rt rw", "alamat", "dukuh"},
    "sex": {"l p", "jenis kelamin", "jk", "kelamin", "l p j"},
}
SEX = {
    "l": {"l", "lk", "laki laki", "laki", "pria", "jumlah l", "penduduk laki laki", "jumlah laki laki", "laki laki l", "jml l"},
    "p": {"p", "pr", "perempuan", "wanita", "jumlah p", "penduduk perempuan", "jumlah perempuan", "perempuan p", "jml p"},
    "j": {"jumlah", "jml", "total", "j", "jumlah l p", "jml l p", "l p jumlah", "jumlah jiwa", "jumlah orang", "nilai", "banyaknya",
          "jumlah penduduk", "penduduk", "total penduduk", "jumlah total", "jumlah jiwa penduduk", "banyaknya penduduk", "jiwa",
          "orang", "jumlah pmks", "jumlah ppks", "jumlah seluruhnya", "jumlah l dan p", "l dan p", "l p total"},
}
SEX_OF = {word: part for part, words in SEX.items() for word in words}
ROLE_OF = {word: role for role, words in ROLES.items() for word in words}
_TOTAL = re.compile(r"^(sub ?)?(jumlah|jml|total|sub ?total|grand total|rekapitulasi|rekap)\b")
_AREA = re.compile(r"^(kecamatan|kec|kabupaten|kab|kota)\b\.?\s*:?\s*([a-z].*)$", re.IGNORECASE)
_AREA_IN_TOTAL = re.compile(r"\b(kecamatan|kec)\b\.?\s*:?\s*([a-z][a-z .'\-]*)$", re.IGNORECASE)
_ZERO = {"-", "--", "\u2013", "\u2014", "nihil", "nol"}
_NUMBER = re.compile(r"^[+-]?\(?\d[\d.,]*\)?\s*(?:[A-Za-z]{1,16}\.?)?$")
_BARE_MONTHS = {k for k in _MONTHS if len(k) >= 3}
_DATED_LINE = re.compile(r"^\D+,\s*\d{1,2}\s")  # 'Tuban, 5 November 2026' under a signature is a date, not a month


def number_like(raw) -> bool:
    """A cell holding a number or number-like text ('12', '1.234', '12 jiwa', 'Nihil', '-'); dates are not numbers."""
    cls = raw.__class__
    if cls is float:
        return raw == raw and not math.isinf(raw)
    if cls is int:
        return True
    if cls is str:
        text = raw.strip()
        if not text:
            return False
        if text[0].isdigit() or text[0] in "+-(":
            return bool(_NUMBER.match(text)) or text in _ZERO
        return text.lower() in _ZERO
    if raw is None or cls is bool or isinstance(raw, (date, datetime, time)):
        return False
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return number_like(float(raw))
    return number_like(cell_text(raw))


@dataclass(frozen=True, slots=True)
class Word:
    """Everything a text may mean; the reader picks by position."""

    text: str
    role: str | None = None  # a column role (ROLES) when the text is a header word
    sex: str | None = None  # l | p | j
    total: bool = False  # JUMLAH, TOTAL, SUB JUMLAH, JUMLAH KEC. X, GRAND TOTAL
    area: tuple[str, str] | None = None  # ('kecamatan'|'kabupaten', name) for 'Kecamatan Montong', 'JUMLAH KEC. SOKO'
    ind: str | None = None  # indicator code named exactly (name, older name, part before 'atau', abbreviation)
    desa: bool = False  # a desa/kelurahan name or code of the warehouse (any kecamatan)
    kec: str | None = None  # kecamatan code named exactly
    month: date | int | None = None  # a month with its year (date) or without it (1..12)
    code: str | None = None  # a Kemendagri code (dotted form)

    @property
    def recognised(self) -> bool:
        return bool(self.role or self.sex or self.total or self.area or self.ind or self.desa or self.kec or self.month or self.code)

    @property
    def column_label(self) -> bool:
        """Whether the text may label a column of counts (a PMKS type, a desa, a month, a sex, a total)."""
        return bool(self.ind or self.desa or self.month or self.sex or self.total)


class Lexicon:
    """The evidence of one warehouse: its desa, kecamatan and indicators. `word(text)` is cached per distinct text."""

    def __init__(self, gazetteer: Gazetteer, indicators: IndicatorMatcher | None):
        self.gazetteer, self.indicators = gazetteer, indicators
        self.desa_keys = set(gazetteer.by_key)
        self.desa_keys.update(alias.replace(" ", "") for _, alias in gazetteer.aliases)
        self.desa_codes = set(gazetteer.parent)
        self.codes = set(gazetteer.names)
        self._cache: dict[str, Word | None] = {}

    def word(self, text: str) -> Word | None:
        """What a cell's text (already single-spaced) may mean; None for empty text."""
        if not text:
            return None
        found = self._cache.get(text)
        if found is None and text not in self._cache:
            found = self._cache[text] = self._describe(text)
        return found

    def _describe(self, text: str) -> Word:
        label = normalize_label(text)
        code = parse_code(text)
        if code is not None and code not in self.codes and not (code.count(".") == 3 and code[:5] in self.codes):
            code = None
        total = bool(_TOTAL.match(label))
        area = None
        match = _AREA.match(text.strip())
        if match and not total:
            area = ("kabupaten" if match.group(1).lower() in ("kabupaten", "kab", "kota") else "kecamatan", match.group(2).strip(" .:-"))
        elif total:
            inner = _AREA_IN_TOTAL.search(text.strip())
            area = ("kecamatan", inner.group(2).strip(" .:-")) if inner else None
        name = normalize_name(text)
        compact = name.replace(" ", "")
        kec = self.gazetteer.kecamatan.get(name) or self.gazetteer.kecamatan_compact.get(compact)
        desa = bool(code and code in self.desa_codes) or (bool(compact) and compact in self.desa_keys and area is None and not total)
        ind = None
        if self.indicators is not None and not total and len(label) <= 90 and label not in ROLE_OF:
            found = self.indicators._named(text)
            ind = found.code if found else None
        month: date | int | None = None
        if len(text) <= 30 and not code and not _DATED_LINE.match(text):
            month = parse_period(text) if any(ch.isdigit() for ch in text) else None
            if month is None and label.removeprefix("bulan ").strip() in _BARE_MONTHS:
                month = _MONTHS[label.removeprefix("bulan ").strip()]
        return Word(text, ROLE_OF.get(label), SEX_OF.get(label), total, area, ind, desa and not ind, kec, month, code)
