"""The settings of Lapor Bulanan in `pengaturan`: the due day (shared with Kelengkapan), the lock days after it and
what the dashboards count of the web reports; and the closing day of a month that follows from them."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta

from accounts import rulebook
from accounts.users import User
from common.config import DEFAULT_DUE_DAY, due_day_override
from common.errors import PMKSError
from lapor.errors import Forbidden
from lapor.model import COUNT_APPROVED, COUNT_SENT, LaporSettings
from store.schema import audit, get_setting, set_setting

DUE_SETTING = "hari_batas_laporan"  # the day of month M+1 a report of month M is due (Pengguna & Pengaturan)
LOCK_SETTING, COUNT_SETTING = "lapor_hari_kunci", "lapor_hitung"
DEFAULT_LOCK_DAYS = 20
MAX_LOCK_DAYS = 366


def read_settings(con) -> LaporSettings:
    """The settings as the connection's snapshot holds them ($PMKS_DUE_DAY first for the due day, as Kelengkapan)."""
    def number(key: str, default: int) -> int:
        try:
            return int(get_setting(con, key) or default)
        except ValueError:
            return default

    count = get_setting(con, COUNT_SETTING) or COUNT_APPROVED
    due = due_day_override()
    return LaporSettings(hari_tempo=number(DUE_SETTING, DEFAULT_DUE_DAY) if due is None else due, hari_kunci=number(LOCK_SETTING, DEFAULT_LOCK_DAYS),
                         hitung=count if count in (COUNT_APPROVED, COUNT_SENT) else COUNT_APPROVED)


def settings(store) -> LaporSettings:
    """The due day, lock days and the count setting."""
    with store.read() as con:
        return read_settings(con)


def save_settings(store, user: User | None, lock_days: int, count: str) -> None:
    """Admin only; audited (`lapor_atur`). Changing `count` publishes or withdraws the web reports it concerns and
    rebuilds their marts, in the same transaction."""
    from lapor.publish import sync_all

    if user is None or not rulebook.may(user, "lapor_atur"):
        raise Forbidden("Anda tidak berhak mengubah pengaturan Lapor Bulanan.")
    if isinstance(lock_days, bool) or not isinstance(lock_days, int) or not 0 <= lock_days <= MAX_LOCK_DAYS:
        raise PMKSError(f"Hari penguncian harus bilangan bulat 0–{MAX_LOCK_DAYS}.")
    if count not in (COUNT_APPROVED, COUNT_SENT):
        raise PMKSError("Pilihan hitungan dasbor harus 'disetujui' (hanya laporan yang disetujui) atau 'dikirim' "
                        "(setiap laporan yang dikirim, ditandai).")
    with store.transaction(bump=("data",)) as con:
        before = read_settings(con)
        set_setting(con, LOCK_SETTING, str(lock_days))
        set_setting(con, COUNT_SETTING, count)
        changed = sync_all(con, user.login, count) if count != before.hitung else 0
        audit(con, user.login, "lapor_atur", LOCK_SETTING, json.dumps({"hari_kunci": lock_days, "hitung": count, "laporan_berubah": changed}))


def closing_day(periode: date, found: LaporSettings) -> date:
    """The last day of entry of month `periode`: the due day of the next month plus the lock days."""
    nxt = (periode.replace(day=1) + timedelta(days=32)).replace(day=1)
    due = nxt.replace(day=min(found.hari_tempo, calendar.monthrange(nxt.year, nxt.month)[1]))
    return due + timedelta(days=found.hari_kunci)
