"""Bulk PSM accounts from a CSV or XLSX (nama, desa code or name, phone): a preview naming every problem by file, row
and column (Indonesian), then one transaction creating every account with a one-time password (must be changed at
first sign-in), audited, and the passwords as a printable PDF (slips to cut) and an XLSX.

The file is read like a report file (`etl.read.sandbox.SheetReader`: size limits, no formulas run); a desa is found by
its code, or by its name with the importer's gazetteer (`etl.resolve.match`), within the file's kecamatan column when
there is one.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from accounts import rulebook
from accounts.users import LOGIN_PATTERN, User, hash_password
from common.errors import PMKSError
from store.schema import audit

HEADERS = {  # column: the headers (normalised) that name it
    "nama": ("nama", "nama psm", "nama lengkap", "nama pendamping"),
    "desa": ("desa", "kode desa", "desa kelurahan", "desa/kelurahan", "kelurahan", "nama desa"),
    "kecamatan": ("kecamatan", "kode kecamatan", "nama kecamatan"),
    "telepon": ("telepon", "telp", "no hp", "nomor hp", "hp", "no telepon", "nomor telepon", "wa", "no wa", "whatsapp"),
    "login": ("login", "nama pengguna", "username"),
}
LABEL = {"nama": "Nama", "desa": "Desa", "kecamatan": "Kecamatan", "telepon": "Telepon", "login": "Nama pengguna"}
PHONE = re.compile(r"(\+62|62|0)8\d{7,12}")
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from paper
PASSWORD_LENGTH = 10
MAX_ROWS = 2000


@dataclass(frozen=True)
class Candidate:
    """One row of the file: the login it will get, the desa it resolves to."""

    baris: int
    nama: str
    login: str
    kode_desa: str
    nama_desa: str
    telepon: str


@dataclass(frozen=True)
class Preview:
    """What the file would create; `problems` are Indonesian sentences naming file, row and column. Nothing is
    created while there are problems."""

    filename: str
    candidates: tuple[Candidate, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.candidates)


@dataclass(frozen=True)
class OneTimePassword:
    login: str
    nama: str
    nama_desa: str
    kode_desa: str
    sandi: str


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    """(row index, {column: index}) of the first row among the first ten naming at least Nama and Desa."""
    from etl.resolve.match import normalize_name

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
    from etl.resolve.match import normalize_name

    words = [w for w in re.sub(r"[^a-z0-9 ]", "", normalize_name(nama)).split() if w]
    return ".".join(words[:2])[:40] or "psm"


def preview_accounts(store, raw: bytes, filename: str) -> Preview:
    """Read the file (CSV or XLSX) and check every row against the gazetteer and the existing users."""
    from etl.read.cells import column_letter
    from etl.read.sandbox import SheetReader
    from etl.read.sheets import Unreadable
    from etl.resolve.match import Gazetteer

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
        gazetteer = Gazetteer.from_db(con)
        taken = {r[0].lower() for r in con.execute("select login from pengguna").fetchall()}
    problems: list[str] = []
    candidates: list[Candidate] = []
    seen: dict[tuple[str, str], int] = {}
    logins: set[str] = set()
    body = [(n, row) for n, row in enumerate(sheet.rows[start + 1:], start + 2) if any(_text(c) for c in row)]
    if len(body) > MAX_ROWS:
        return problem(f"berisi {len(body)} baris; paling banyak {MAX_ROWS} akun sekali unggah.")
    for number, row in body:
        def cell(column: str) -> str:
            index = columns.get(column)
            return _text(row[index]) if index is not None and index < len(row) else ""

        def bad(column: str, text: str) -> None:
            problems.append(f"{where}, baris {number}, kolom {column_letter(columns[column])} ({LABEL[column]}): {text}")

        nama, desa_text, telepon = cell("nama"), cell("desa"), cell("telepon")
        before = len(problems)
        if not nama:
            bad("nama", "nama kosong.")
        kecamatan = None
        if cell("kecamatan"):
            match = gazetteer.match_kecamatan(cell("kecamatan"))
            if match.code is None:
                bad("kecamatan", f"kecamatan '{cell('kecamatan')}' tidak ditemukan.")
            kecamatan = match.code
        kode = None
        if not desa_text:
            bad("desa", "desa kosong; isi kode desa (mis. 35.23.18.2001) atau namanya.")
        elif kecamatan is not None or "kecamatan" not in columns or not cell("kecamatan"):
            match = gazetteer.match_desa(desa_text, kecamatan)
            kode = match.code
            if kode is None:
                hint = ", ".join(label for _, label, _ in match.candidates[:3])
                kind = {"ambiguous": "ada di lebih dari satu kecamatan; isi kolom Kecamatan atau kode desa",
                        "elsewhere": "tidak ada di kecamatan itu"}.get(match.how, "tidak ditemukan")
                bad("desa", f"desa '{desa_text}' {kind}" + (f" (mungkin: {hint})." if hint else "."))
        if telepon:
            digits = re.sub(r"[\s\-().]", "", telepon)
            if not PHONE.fullmatch(digits):
                bad("telepon", f"nomor '{telepon}' tidak sah; tulis nomor HP seperti 0812-3456-7890.")
            telepon = digits
        login = cell("login")
        if login and not LOGIN_PATTERN.fullmatch(login):
            bad("login", f"nama pengguna '{login}' tidak sah (huruf, angka, titik, garis bawah, @ atau tanda hubung).")
        elif login and (login.lower() in taken or login.lower() in logins):
            bad("login", f"nama pengguna '{login}' sudah dipakai.")
        if kode is not None and nama:
            key = (nama.lower(), kode)
            if key in seen:
                problems.append(f"{where}, baris {number}: sama dengan baris {seen[key]} ({nama}, {gazetteer.label(kode)}).")
            seen.setdefault(key, number)
        if len(problems) > before:
            continue
        assert kode is not None
        if not login:
            base = _slug(nama)
            login, extra = base, 2
            while login.lower() in taken or login.lower() in logins:
                login, extra = f"{base}{extra}", extra + 1
        logins.add(login.lower())
        candidates.append(Candidate(number, nama, login, kode, gazetteer.label(kode), telepon))
    if not body:
        problems.append(f"{where}: tidak ada baris PSM di bawah baris judul.")
    return Preview(filename, tuple(candidates), tuple(problems))


def new_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))


def create_accounts(store, actor: User | None, preview: Preview) -> list[OneTimePassword]:
    """Create the previewed accounts with one-time passwords (must change at first sign-in), in one transaction,
    audited (`pengguna_tambah` each, `pengguna_massal` once); refused (PMKSError, nothing created) when the preview
    has problems, when the warehouse has no admin yet, or when a login was taken meanwhile."""
    if actor is None or not rulebook.may(actor, "pengguna"):
        raise PMKSError("Anda tidak berhak menambah pengguna.")
    if not preview.ok:
        raise PMKSError("Perbaiki dulu masalah pada berkas; belum ada akun yang dibuat.")
    passwords = [OneTimePassword(c.login, c.nama, c.nama_desa, c.kode_desa, new_password()) for c in preview.candidates]
    digests = [hash_password(p.sandi) for p in passwords]  # slow on purpose: outside the transaction
    now = datetime.now()
    with store.transaction(bump=("akun",)) as con:
        if not con.execute("select count(*) from pengguna where peran = 'admin'").fetchone()[0]:
            raise PMKSError("Tambahkan admin dulu sebelum membuat akun PSM.")
        wanted = [c.login.lower() for c in preview.candidates]
        taken = [r[0] for r in con.execute("select login from pengguna").fetchall() if r[0].lower() in wanted]
        if taken:
            raise PMKSError(f"Nama pengguna {', '.join(sorted(taken))} sudah dipakai sejak pratinjau; unggah ulang berkasnya. "
                            "Belum ada akun yang dibuat.")
        for candidate, digest in zip(preview.candidates, digests):
            con.execute("""insert into pengguna (login, nama, peran, kecamatan, sandi, dibuat, diubah, desa, ganti_sandi, telepon)
                           values (?, ?, 'psm', ?, ?, ?, ?, ?, true, ?)""",
                        [candidate.login, candidate.nama, candidate.kode_desa[:8], digest, now, now, candidate.kode_desa, candidate.telepon])
            audit(con, actor.login, "pengguna_tambah", candidate.login,
                  json.dumps({"peran": "psm", "kecamatan": candidate.kode_desa[:8], "desa": candidate.kode_desa, "massal": preview.filename}))
        audit(con, actor.login, "pengguna_massal", preview.filename, json.dumps({"akun": len(passwords)}))
    return passwords


def onetime_passwords_pdf(passwords: list[OneTimePassword], app_url: str = "") -> bytes:
    """A printable A4 PDF: one slip per PSM (two columns, five rows a page) to cut and hand over."""
    from dashboard.brief import A4Page

    pdf = A4Page("Kata sandi sementara: rahasia. Setelah dibagikan, musnahkan lembar ini.")
    pdf.set_auto_page_break(False)
    width, height = 93.0, 53.0
    for n, entry in enumerate(passwords):
        if n % 10 == 0:
            pdf.add_page()
        x, y = 12 + (n % 2) * width, 12 + (n % 10 // 2) * height
        pdf.set_draw_color(150, 150, 150)
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.line(x, y, x + width - 2, y)
        pdf.set_dash_pattern()
        pdf.set_xy(x + 2, y + 3)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(width - 6, 5, "Dasbor PMKS · Lapor Bulanan", new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for label, value in (("Nama", entry.nama), ("Desa", entry.nama_desa), ("Nama pengguna", entry.login)):
            pdf.set_x(x + 2)
            pdf.cell(width - 6, 5, f"{label}: {value}"[:70], new_x="LEFT", new_y="NEXT")
        pdf.set_x(x + 2)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(width - 6, 7, f"Kata sandi sementara: {entry.sandi}", new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_x(x + 2)
        pdf.multi_cell(width - 6, 3.5, "Saat pertama masuk Anda diminta membuat kata sandi baru (minimal 8 karakter)."
                       + (f" Alamat: {app_url}" if app_url else ""))
    return bytes(pdf.output())


def onetime_passwords_xlsx(passwords: list[OneTimePassword]) -> bytes:
    """The same list as a workbook (for mail merge or WhatsApp messages)."""
    import pandas as pd

    from dashboard.export import to_xlsx_bytes

    table = pd.DataFrame([{"Nama": p.nama, "Desa": p.nama_desa, "Kode desa": p.kode_desa, "Nama pengguna": p.login,
                           "Kata sandi sementara": p.sandi} for p in passwords],
                         columns=["Nama", "Desa", "Kode desa", "Nama pengguna", "Kata sandi sementara"])
    return to_xlsx_bytes(table, sheet="Akun PSM")
