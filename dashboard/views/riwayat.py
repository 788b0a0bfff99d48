"""Riwayat Impor: every import batch (who, when, files, SHA-256) within the user's scope, and the audit log."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from common import fmt
from dashboard import queries
from dashboard.views import Filters, Settings, table
from dashboard.views.frozen import Model

JENIS = {"impor": "impor", "demo": "data demo", "rollback": "pembatalan", "penduduk": "penduduk desa"}
# what each audited action is, in words (the code stays in the database and the export's column `Kode aksi`)
AKSI = {
    "init": "basis data disiapkan", "demo": "data demo dibuat", "batas_wilayah": "batas wilayah dipasang",
    "impor": "laporan diimpor", "ganti_laporan": "laporan diganti", "unggah": "laporan diunggah", "rollback": "batch dibatalkan",
    "impor_penduduk": "penduduk desa diimpor", "penduduk": "penduduk dimuat", "indikator": "indikator diatur",
    "alias": "alias disimpan", "pengaturan": "pengaturan diubah", "unduh": "unduhan", "masuk": "masuk", "keluar": "keluar",
    "gagal_masuk": "gagal masuk", "kunci_masuk": "akun dikunci sementara", "pengguna_tambah": "pengguna ditambahkan",
    "pengguna_ubah": "pengguna diubah", "pengguna_hapus": "pengguna dihapus",
}
KEYS = {
    "desa": "desa", "kecamatan": "kecamatan", "batch": "batch", "sumber": "sumber", "acuan": "keadaan", "perubahan": "perubahan",
    "berkas": "berkas", "laporan": "laporan", "dihapus": "dicabut", "dipulihkan": "dipulihkan", "rilis_publik": "mode rilis publik",
    "klien": "alamat", "detik": "dikunci (detik)", "peran": "peran",
}


def details(text) -> str:
    """An audit row's details as words ('desa 328; kecamatan 20'), never raw JSON; '' when there are none."""
    import json

    if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
        return ""
    try:
        value = json.loads(text)
    except ValueError:
        return str(text)
    if not isinstance(value, dict):
        return _word(value)
    parts = []
    for key, item in value.items():
        if item in ("", [], None):
            continue
        shown = f"{fmt.angka(len(item))} ({'; '.join(map(str, item[:3]))}{' …' if len(item) > 3 else ''})" if isinstance(item, list) else _word(item)
        parts.append(f"{KEYS.get(key, key.replace('_', ' '))} {shown}")
    return "; ".join(parts)


def _word(value) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, (int, float)):
        return fmt.angka(value)
    return str(value)


@dataclass
class RiwayatView(Model):
    batches: pd.DataFrame  # as shown and exported
    undoable: dict[int, str]  # batch -> label, for the admin's rollback (wholly inside the scope, still active, not from Lapor Bulanan)
    audit: pd.DataFrame | None = None  # admin only


def build(con, area: str, audit: bool) -> RiwayatView:
    """The batches that touch `area` ('' = all); the audit log when `audit`."""
    b = queries.import_batches(con, area)
    batches = pd.DataFrame({
        "Batch": b["id"], "Waktu": [f"{fmt.tanggal(w.date())} {w:%H:%M}" for w in b["waktu"]], "Pengguna": b["pengguna"],
        "Jenis": b["jenis"].map(JENIS).fillna(b["jenis"]), "Status": b["status"], "Berkas": b["berkas"], "Laporan": b["laporan"],
        "Rincian": b["rincian"].fillna(b["keterangan"]).fillna(""),
    })
    active = b[(b["status"] == "aktif") & ~b["jenis"].isin(["rollback", "web"]) & ~b["di_luar"].astype(bool)]
    undoable = {int(i): f"Batch {int(i)}: {next((t for t in (r, k) if isinstance(t, str) and t), '—')}"
                for i, r, k in zip(active["id"], active["rincian"], active["keterangan"])}
    view = RiwayatView(table(batches, {"Berkas": 0, "Laporan": 0}).astype({"Batch": str}), undoable)
    if audit:
        log = queries.audit_log(con)
        view.audit = table(pd.DataFrame({
            "Waktu": [f"{fmt.tanggal(w.date())} {w:%H:%M:%S}" for w in log["waktu"]], "Pengguna": log["pengguna"],
            "Aksi": [AKSI.get(a, a.replace("_", " ")) for a in log["aksi"]], "Objek": log["objek"],
            "Rincian": [details(r) for r in log["rincian"]],
        }))
    return view


def build_for(con, f: Filters | None, settings: Settings) -> RiwayatView:  # noqa: ARG001
    """`build` in the shape `ui.view` calls (the history does not depend on the shared filters): the batches of the
    user's area, the audit log when the user may read it."""
    return build(con, settings.area, "audit" in settings.rights)
