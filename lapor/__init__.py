"""Lapor Bulanan (issue 25): a PSM's monthly report entered in the app, verified by the kecamatan and approved by
Dinsos, with a period lock. No Streamlit here: pages (`pages/lapor_bulanan.py`, `pages/verifikasi.py`) call these functions.

A desa x month moves *belum → draf → dikirim → diverifikasi → disetujui*; a verifikator may give it back
(*dikembalikan*, with a comment the PSM sees), after which the PSM corrects and sends again. Every call takes the
signed-in `User`, is scope-checked through `accounts.rulebook` and runs in one store transaction with its audit row.
Every write carries the `versi` of the form the caller saw: a stale one raises `Conflict` (nothing overwritten).

A sent report becomes a report like an imported one (`laporan`/`laporan_nilai`, a batch of kind `web`), with the same
replace-with-diff and rollback (`lapor.publish`).
"""

from __future__ import annotations

from lapor.errors import Closed, Conflict, Forbidden, Problems
from lapor.model import COUNT_APPROVED, COUNT_SENT, STATUSES, Form, Issue, LaporSettings, QueueItem, Row, Status, Step
from lapor.settings import save_settings, settings
from lapor.status import statuses
from lapor.workflow import (
    approve,
    changes,
    copy_last_month,
    form,
    give_back,
    open_months,
    problems,
    queue,
    reopen,
    save_value,
    send,
    set_nihil,
    unapprove,
    verify,
)

__all__ = ["COUNT_APPROVED", "COUNT_SENT", "STATUSES", "Closed", "Conflict", "Forbidden", "Form", "Issue",
           "LaporSettings", "Problems", "QueueItem", "Row", "Status", "Step", "approve", "changes", "copy_last_month", "form",
           "give_back", "open_months", "problems", "queue", "reopen", "save_settings", "save_value", "send",
           "set_nihil", "settings", "statuses", "unapprove", "verify"]
