"""What the dashboards say about the reports made in the app (issue 25): Kelengkapan's section of web-report statuses
next to the imported ones, and, when the setting counts every sent report, the notice on every data page that its
numbers hold reports not yet approved by Dinsos."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import lapor
from common import fmt
from dashboard import data, lapor_view

ORDER = ("belum", "draf", "dikirim", "dikembalikan", "diverifikasi", "disetujui")
SHORT = {"belum": "Belum diisi", "draf": "Draf", "dikirim": "Dikirim", "dikembalikan": "Dikembalikan",
         "diverifikasi": "Diverifikasi", "disetujui": "Disetujui"}
IMPORTED = "Diimpor dari berkas"


@st.cache_data(ttl=data.CACHE_TTL, max_entries=200, show_spinner=False)
def _statuses(path: str, token: int, periode: date, area: str) -> dict[str, tuple[str, str]]:  # noqa: ARG001
    """{kode_desa: (status, when changed)} of the month's web reports in the area, cached until the warehouse changes."""
    from store import open_store

    found = lapor.statuses(open_store(path), periode, area)
    return {k: (s.status, "–" if s.diubah is None else f"{fmt.tanggal(s.diubah.date())} {s.diubah:%H:%M}") for k, s in found.items()}


def statuses(periode: date, area: str) -> dict[str, tuple[str, str]]:
    from common.config import db_path

    return _statuses(str(db_path()), data.db_token(), periode, area)


@st.cache_data(ttl=data.CACHE_TTL, max_entries=20, show_spinner=False)
def _counts_sent(path: str, token: int) -> bool:  # noqa: ARG001 - the token keys the cache
    from store import open_store

    return lapor.settings(open_store(path)).hitung == lapor.COUNT_SENT


def unapproved_notice(periode: date, area: str) -> None:
    """When the dashboards count every sent web report: say how many of this month's are not yet approved. Looked up
    once per version of the warehouse (every data page calls this)."""
    from common.config import db_path

    if not _counts_sent(str(db_path()), data.db_token()):
        return
    waiting = sum(1 for s, _ in statuses(periode, area).values() if s in ("dikirim", "diverifikasi"))
    if waiting:
        st.caption(f"⚠ Angka {fmt.bulan(periode)} termasuk {fmt.angka(waiting)} laporan PSM dari aplikasi yang belum "
                   "disetujui Dinsos (pengaturan: setiap laporan yang dikirim dihitung).")


def counts(found: dict[str, tuple[str, str]], reported: set[str]) -> list[tuple[str, str]]:
    """(label, count) per web status, and the desa whose report came from a file (reported, no web report)."""
    by = pd.Series([s for s, _ in found.values()], dtype=object).value_counts()
    out = [(SHORT[s], fmt.angka(int(by.get(s, 0)))) for s in ORDER[1:]]
    return out + [(IMPORTED, fmt.angka(len(reported - set(found))))]


def desa_table(found: dict[str, tuple[str, str]], desa: pd.DataFrame, reported: set[str]) -> pd.DataFrame:
    """One row per desa of `desa` (kode, nama): the app's status, or imported, or nothing yet."""
    def status(kode: str) -> str:
        if kode in found:
            return lapor_view.STATUS_LABEL[found[kode][0]]
        return IMPORTED if kode in reported else "Belum ada laporan"

    return pd.DataFrame({"Desa/Kelurahan": desa["nama"].tolist(), "Status laporan": [status(k) for k in desa["kode"]],
                         "Diubah": [found[k][1] if k in found else "–" for k in desa["kode"]]})
