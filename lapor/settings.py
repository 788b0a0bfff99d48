"""The settings of Lapor Bulanan in `pengaturan`: lock days after the due day and what the dashboards count."""

from __future__ import annotations

from accounts.users import User
from lapor.model import LaporSettings

LOCK_SETTING, COUNT_SETTING = "lapor_hari_kunci", "lapor_hitung"
DEFAULT_LOCK_DAYS = 20


def settings(store) -> LaporSettings:
    """The due day (`hari_jatuh_tempo`), lock days and the count setting."""
    raise NotImplementedError


def save_settings(store, user: User, lock_days: int, count: str) -> None:
    """Admin only; audited. Changing `count` rebuilds the marts the setting changes (in the same transaction)."""
    raise NotImplementedError
