"""The web-report statuses for Kelengkapan."""

from __future__ import annotations

from datetime import date

from lapor.model import Status


def statuses(store, periode: date, area: str = "") -> dict[str, Status]:
    """kode_desa → Status of every desa-month of `periode` under `area` (a code prefix) that has a web report."""
    raise NotImplementedError
