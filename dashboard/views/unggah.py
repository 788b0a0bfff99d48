"""Unggah Data: what the upload page shows about checked files, as plain frames and sentences. No Streamlit here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from common import fmt
from dashboard.views import table
from dashboard.wording import plain
from etl.cli.reports import LAYOUT, STATUS


def months_offered(today: date, n: int = 25) -> list[date]:
    """The months an analyst may name for a file that does not say its own: this month and the 24 before."""
    index = today.year * 12 + today.month - 1
    return [date((index - i) // 12, (index - i) % 12 + 1, 1) for i in range(n)]


def summary(results) -> pd.DataFrame:
    """One row per file: status, layout, reports, errors and warnings."""
    return table(pd.DataFrame({
        "Berkas": [r.file for r in results],
        "Status": [STATUS[r.status].capitalize() for r in results],
        "Bentuk": [", ".join(sorted({LAYOUT[x] for x in r.layouts})) or "—" for r in results],
        "Laporan desa": [len(r.reports) if r.status == "accepted" else 0 for r in results],
        "Kesalahan": [len(r.errors) for r in results],
        "Peringatan": [len(r.warnings) for r in results],
    }), {})


def issues(result) -> pd.DataFrame:
    """Every issue of a file with its sheet, Excel row and column; a hint that names a server command says in words
    where the app does it (`dashboard.wording.plain`)."""
    return pd.DataFrame({
        "Tingkat": ["kesalahan" if i.severity == "error" else "peringatan" for i in result.issues],
        "Lembar": [i.sheet or "—" for i in result.issues],
        "Baris": [i.row for i in result.issues],
        "Kolom": [i.column or "—" for i in result.issues],
        "Pesan": [plain(i.message) for i in result.issues],
        "Saran": [plain(i.suggestion or "") for i in result.issues],
    })


def tally(result) -> pd.DataFrame:
    """What became of every number of each sheet: read, totals checked, set aside (and why), not read."""
    rows = getattr(result, "tally", None) or []
    return table(pd.DataFrame({
        "Lembar": [t.sheet or "—" for t in rows],
        "Angka dibaca": [t.read for t in rows],
        "Jumlah/total diperiksa": [t.totals for t in rows],
        "Diabaikan": [sum(t.ignored.values()) for t in rows],
        "Alasan diabaikan": [", ".join(f"{k} {fmt.angka(v)}" for k, v in sorted(t.ignored.items())) or "—" for t in rows],
        "Tidak terbaca": [t.unaccounted for t in rows],
        "Tabel": [", ".join(t.tables) or "—" for t in rows],
    }))


def preview(result, labels: dict[str, str]) -> pd.DataFrame:
    """The reports an accepted file would store; `labels` names each desa ('Menilo (Kec. Soko)')."""
    reports = result.reports
    return pd.DataFrame({
        "Desa": [labels.get(k, k) for k in reports["kode_desa"]], "Bulan": [fmt.bulan(p) for p in reports["periode"]],
        "Nilai": reports["values"], "Jumlah jiwa": reports["jumlah"], "Lembar": reports["sheet"],
    })


def changes(result, limit: int = 200) -> str | None:
    """What replacing would change ('Menilo, Fakir Miskin: 12 → 19'), at most `limit` lines."""
    if not result.changes:
        return None
    more = len(result.changes) - limit
    return "\n".join(result.changes[:limit]) + (f"\n… dan {more} lainnya" if more > 0 else "")


@dataclass(frozen=True)
class Plan:
    """What Simpan would store."""

    accepted: int
    reports: int
    replacing: int  # stored reports that would be replaced (needs a second confirmation)
    caption: str


def plan(results) -> Plan:
    accepted = [r for r in results if r.status == "accepted"]
    rejected = len(results) - len(accepted) - sum(r.status == "unchanged" for r in results)
    n_reports = sum(len(r.reports) for r in accepted)
    note = f" Berkas yang ditolak ({rejected}) tidak ikut disimpan." if rejected else ""
    return Plan(len(accepted), n_reports, sum(r.replaces for r in accepted),
                f"Akan disimpan: {len(accepted)} berkas, {fmt.angka(n_reports)} laporan desa.{note}")
