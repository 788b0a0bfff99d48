"""Riwayat Impor: every import batch (who, when, files, SHA-256) within the user's scope, and the audit log."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import queries
from dashboard.views import Filters, Settings, table
from etl import fmt

JENIS = {"impor": "impor", "demo": "data demo", "rollback": "pembatalan", "penduduk": "penduduk desa"}


@dataclass
class RiwayatView:
    batches: pd.DataFrame  # as shown and exported
    undoable: dict[int, str]  # batch -> label, for the admin's rollback (wholly inside the scope, still active)
    audit: pd.DataFrame | None = None  # admin only


def build(con, scope: str, admin: bool) -> RiwayatView:
    """The batches that touch `scope` ('' = all); the audit log when `admin`."""
    b = queries.import_batches(con, scope)
    batches = pd.DataFrame({
        "Batch": b["id"], "Waktu": [f"{fmt.tanggal(w.date())} {w:%H:%M}" for w in b["waktu"]], "Pengguna": b["pengguna"],
        "Jenis": b["jenis"].map(JENIS).fillna(b["jenis"]), "Status": b["status"], "Berkas": b["berkas"], "Laporan": b["laporan"],
        "Rincian": b["rincian"].fillna(b["keterangan"]).fillna(""),
    })
    active = b[(b["status"] == "aktif") & (b["jenis"] != "rollback") & ~b["di_luar"].astype(bool)]
    undoable = {int(i): f"Batch {int(i)}: {next((t for t in (r, k) if isinstance(t, str) and t), '—')}"
                for i, r, k in zip(active["id"], active["rincian"], active["keterangan"])}
    view = RiwayatView(table(batches, {"Berkas": 0, "Laporan": 0}).astype({"Batch": str}), undoable)
    if admin:
        log = queries.audit_log(con)
        view.audit = table(pd.DataFrame({
            "Waktu": [f"{fmt.tanggal(w.date())} {w:%H:%M:%S}" for w in log["waktu"]], "Pengguna": log["pengguna"],
            "Aksi": log["aksi"], "Objek": log["objek"], "Rincian": log["rincian"].fillna(""),
        }))
    return view


def build_for(con, f: Filters | None, settings: Settings, scope: str = "", admin: bool = False) -> RiwayatView:  # noqa: ARG001
    """`build` in the shape `ui.view` calls (the history does not depend on the shared filters)."""
    return build(con, scope, admin)
