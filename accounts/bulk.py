"""Bulk PSM accounts: what a CSV or XLSX of PSM (nama, desa code or name, phone) would create (`Preview`, read and
checked by `etl.resolve.accounts.preview_accounts`, which names every problem by file, row and column), then one
transaction creating every account with a one-time password (must be changed at first sign-in), audited, and the
passwords as a printable PDF (slips to cut) and an XLSX. Nothing here reads a file: the accounts need nothing of the ETL.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from accounts import rulebook
from accounts.users import User, hash_password
from common.errors import PMKSError
from store.schema import audit

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from paper
PASSWORD_LENGTH = 10


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
