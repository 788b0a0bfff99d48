"""Bulk PSM accounts from a CSV or XLSX (nama, desa code or name, phone): a preview naming every problem by file, row
and column (Indonesian), then one transaction creating every account with a one-time password, audited, and the
passwords as a printable PDF and an XLSX."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.users import User


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


def preview_accounts(store, raw: bytes, filename: str) -> Preview:
    """Read the file (CSV or XLSX) and check every row against the gazetteer and the existing users."""
    raise NotImplementedError


def create_accounts(store, actor: User, preview: Preview) -> list[OneTimePassword]:
    """Create the previewed accounts with one-time passwords (must change at first sign-in), in one transaction,
    audited; refused (PMKSError) when the preview has problems or a login was taken meanwhile."""
    raise NotImplementedError


def onetime_passwords_pdf(passwords: list[OneTimePassword]) -> bytes:
    """A printable A4 PDF: one slip per PSM to cut and hand over."""
    raise NotImplementedError


def onetime_passwords_xlsx(passwords: list[OneTimePassword]) -> bytes:
    raise NotImplementedError
