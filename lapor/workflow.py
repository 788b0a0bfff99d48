"""The state machine of Lapor Bulanan: reading a form, saving values, sending, verifying, approving, reopening."""

from __future__ import annotations

from datetime import date

from accounts.users import User
from lapor.model import Form, Issue, QueueItem


def open_months(store, user: User, kode_desa: str | None = None, today: date | None = None) -> list[date]:
    """The months the PSM's desa (or `kode_desa`) may still enter, newest first: every month since the report
    before last whose period is not locked, plus months an admin reopened."""
    raise NotImplementedError


def form(store, user: User, kode_desa: str, periode: date, today: date | None = None) -> Form:
    """The desa-month's form (status, rows of the active indicators, history); scope-checked (Forbidden)."""
    raise NotImplementedError


def save_value(store, user: User, kode_desa: str, periode: date, kode_indikator: str, laki_laki: int | None,
               perempuan: int | None, catatan: str, versi: int, today: date | None = None) -> Form:
    """Save one row as a draft at once. Raises Conflict when `versi` is stale and the row changed, Closed after the
    lock day, Forbidden outside the user's scope, PMKSError for a value that is not a whole number ≥ 0."""
    raise NotImplementedError


def copy_last_month(store, user: User, kode_desa: str, periode: date, versi: int, today: date | None = None) -> Form:
    """Fill the form with the previous month's values (its active report); notes are not copied."""
    raise NotImplementedError


def set_nihil(store, user: User, kode_desa: str, periode: date, versi: int, today: date | None = None) -> Form:
    """Report an explicit all-zero month: every active indicator 0 L, 0 P (not the same as not reporting)."""
    raise NotImplementedError


def problems(form: Form) -> list[Issue]:
    """What stops the form from being sent (blocking: an empty or invalid value, Jumlah ≠ L + P) and the rows far
    from the desa's history without a note (the importer's median/MAD rule)."""
    raise NotImplementedError


def send(store, user: User, kode_desa: str, periode: date, versi: int, today: date | None = None) -> Form:
    """draf/dikembalikan → dikirim; the values become the desa-month's report (`lapor.publish`). Raises Problems."""
    raise NotImplementedError


def give_back(store, user: User, kode_desa: str, periode: date, komentar: str, versi: int) -> Form:
    """dikirim/diverifikasi → dikembalikan with a comment the PSM sees (verifikator of the kecamatan, analis, admin)."""
    raise NotImplementedError


def verify(store, user: User, kode_desa: str, periode: date, versi: int) -> Form:
    """dikirim → diverifikasi (verifikator of the kecamatan, analis, admin)."""
    raise NotImplementedError


def approve(store, user: User, items: list[tuple[str, date]]) -> int:
    """diverifikasi → disetujui for every item, in one transaction (analis, admin); returns how many changed."""
    raise NotImplementedError


def unapprove(store, user: User, kode_desa: str, periode: date, alasan: str) -> Form:
    """disetujui → diverifikasi (admin only, with a reason), recorded."""
    raise NotImplementedError


def queue(store, user: User) -> list[QueueItem]:
    """What waits for this user: a verifikator the dikirim reports of their kecamatan; analis/admin the
    diverifikasi ones (and dikirim ones of kecamatan without verifikator are not skipped: admin sees both)."""
    raise NotImplementedError


def reopen(store, user: User, kode_desa: str, periode: date, alasan: str, days: int = 7, today: date | None = None) -> None:
    """Admin exception to the period lock: the desa-month is open again for `days` days; recorded with the reason."""
    raise NotImplementedError
