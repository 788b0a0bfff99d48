"""Read a file of PSM accounts (CSV or XLSX: nama, desa code or name, kecamatan, phone, login) into the preview of
`accounts.bulk`, every problem named by file, sheet, row and column in Indonesian.

The file is read like a report file (`etl.read.sandbox.SheetReader`: size limits, no formulas run); a desa is found by
its code, or by its name with the importer's gazetteer (`etl.resolve.match`), within the file's kecamatan column when
there is one.
"""

from __future__ import annotations

import re

from accounts.bulk import Candidate, Preview
from accounts.users import LOGIN_PATTERN
from etl.read.cells import column_letter
from etl.read.sandbox import SheetReader
from etl.read.sheets import Unreadable
from etl.resolve.match import Gazetteer, normalize_name

HEADERS = {  # column: the headers (normalised) that name it
    "nama": ("nama", "nama psm", "nama lengkap", "nama pendamping"),
    "desa": ("desa", "kode desa", "desa kelurahan", "desa/kelurahan", "kelurahan", "nama desa"),
    "kecamatan": ("kecamatan", "kode kecamatan", "nama kecamatan"),
    "telepon": ("telepon", "telp", "no hp", "nomor hp", "hp", "no telepon", "nomor telepon", "wa", "no wa", "whatsapp"),
    "login": ("login", "nama pengguna", "username"),
}
LABEL = {"nama": "Nama", "desa": "Desa", "kecamatan": "Kecamatan", "telepon": "Telepon", "login": "Nama pengguna"}
PHONE = re.compile(r"(\+62|62|0)8\d{7,12}")
MAX_ROWS = 2000


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    """(row index, {column: index}) of the first row among the first ten naming at least Nama and Desa."""
    for number, row in enumerate(rows[:10]):
        found: dict[str, int] = {}
        for index, cell in enumerate(row):
            key = " ".join(_text(cell).lower().replace("/", " / ").replace("_", " ").split()).replace(" / ", "/")
            plain = normalize_name(_text(cell)) if key not in sum(HEADERS.values(), ()) else key
            for column, names in HEADERS.items():
                if column not in found and (key in names or plain in names):
                    found[column] = index
        if "nama" in found and "desa" in found:
            return number, found
    return None


def _slug(nama: str) -> str:
    words = [w for w in re.sub(r"[^a-z0-9 ]", "", normalize_name(nama)).split() if w]
    return ".".join(words[:2])[:40] or "psm"


def preview_accounts(store, raw: bytes, filename: str) -> Preview:
    """Read the file (CSV or XLSX) and check every row against the gazetteer and the existing users."""
    def problem(text: str) -> Preview:
        return Preview(filename, (), (f"Berkas {filename}: {text}",))

    try:
        with SheetReader() as reader:
            sheets = reader.read(raw, filename)
    except Unreadable as exc:
        return problem(str(exc))
    sheet = next((s for s in sheets if _header(s.rows)), None)
    if sheet is None:
        return problem("tidak ada baris judul dengan kolom 'Nama' dan 'Desa' (boleh juga 'Kecamatan', 'Telepon'). "
                       "Lihat contoh di README.")
    start, columns = _header(sheet.rows) or (0, {})
    where = f"Berkas {filename}" + (f", lembar '{sheet.name}'" if sheet.name else "")
    with store.read() as con:
        rows = _Rows(where, columns, Gazetteer.from_db(con), {r[0].lower() for r in con.execute("select login from pengguna").fetchall()})
    body = [(n, row) for n, row in enumerate(sheet.rows[start + 1:], start + 2) if any(_text(c) for c in row)]
    if len(body) > MAX_ROWS:
        return problem(f"berisi {len(body)} baris; paling banyak {MAX_ROWS} akun sekali unggah.")
    candidates = [c for number, row in body if (c := rows.check(number, row)) is not None]
    if not body:
        rows.problems.append(f"{where}: tidak ada baris PSM di bawah baris judul.")
    return Preview(filename, tuple(candidates), tuple(rows.problems))


class _Rows:
    """The rows of one file checked in order: the problems found so far, and the logins and (nama, desa) pairs the
    earlier rows took (a later row may not take them again)."""

    def __init__(self, where: str, columns: dict[str, int], gazetteer: Gazetteer, taken: set[str]):
        self.where, self.columns, self.gazetteer, self.taken = where, columns, gazetteer, taken
        self.problems: list[str] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.logins: set[str] = set()

    def check(self, number: int, row: list) -> Candidate | None:
        """The account of one row, or None with its problems noted."""
        def cell(column: str) -> str:
            index = self.columns.get(column)
            return _text(row[index]) if index is not None and index < len(row) else ""

        def bad(column: str, text: str) -> None:
            self.problems.append(f"{self.where}, baris {number}, kolom {column_letter(self.columns[column])} ({LABEL[column]}): {text}")

        nama, telepon, login = cell("nama"), cell("telepon"), cell("login")
        before = len(self.problems)
        if not nama:
            bad("nama", "nama kosong.")
        kode = self._desa(cell("desa"), cell("kecamatan"), bad)
        if telepon:
            digits = re.sub(r"[\s\-().]", "", telepon)
            if not PHONE.fullmatch(digits):
                bad("telepon", f"nomor '{telepon}' tidak sah; tulis nomor HP seperti 0812-3456-7890.")
            telepon = digits
        if login and not LOGIN_PATTERN.fullmatch(login):
            bad("login", f"nama pengguna '{login}' tidak sah (huruf, angka, titik, garis bawah, @ atau tanda hubung).")
        elif login and (login.lower() in self.taken or login.lower() in self.logins):
            bad("login", f"nama pengguna '{login}' sudah dipakai.")
        if kode is not None and nama:
            key = (nama.lower(), kode)
            if key in self.seen:
                self.problems.append(f"{self.where}, baris {number}: sama dengan baris {self.seen[key]} ({nama}, {self.gazetteer.label(kode)}).")
            self.seen.setdefault(key, number)
        if len(self.problems) > before or kode is None:
            return None
        if not login:
            base = _slug(nama)
            login, extra = base, 2
            while login.lower() in self.taken or login.lower() in self.logins:
                login, extra = f"{base}{extra}", extra + 1
        self.logins.add(login.lower())
        return Candidate(number, nama, login, kode, self.gazetteer.label(kode), telepon)

    def _desa(self, desa_text: str, kecamatan_text: str, bad) -> str | None:
        """The desa code a row names (by code or name, within its kecamatan when the file names one), or None."""
        kecamatan = None
        if kecamatan_text:
            match = self.gazetteer.match_kecamatan(kecamatan_text)
            if match.code is None:
                bad("kecamatan", f"kecamatan '{kecamatan_text}' tidak ditemukan.")
                return None
            kecamatan = match.code
        if not desa_text:
            bad("desa", "desa kosong; isi kode desa (mis. 35.23.18.2001) atau namanya.")
            return None
        found = self.gazetteer.match_desa(desa_text, kecamatan)
        if found.code is None:
            hint = ", ".join(label for _, label, _ in found.candidates[:3])
            kind = {"ambiguous": "ada di lebih dari satu kecamatan; isi kolom Kecamatan atau kode desa",
                    "elsewhere": "tidak ada di kecamatan itu"}.get(found.how, "tidak ditemukan")
            bad("desa", f"desa '{desa_text}' {kind}" + (f" (mungkin: {hint})." if hint else "."))
        return found.code
