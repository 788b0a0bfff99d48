"""Pengguna & Pengaturan: the users, and how far the desa population figures reach (the denominators of every rate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from accounts.users import ROLE_LABEL
from common import fmt
from dashboard import queries
from dashboard.views import Settings, table
from dashboard.views.frozen import Model


@dataclass
class PengaturanView(Model):
    users: pd.DataFrame
    coverage_headline: str
    coverage: pd.DataFrame


def build(con, f, settings: Settings, users: tuple = (), today: date | None = None) -> PengaturanView:  # noqa: ARG001
    """`users`: ((login, nama, peran, kecamatan[, desa of a psm]), ...) from the store."""
    names = {kode: f"Kec. {nama}" for kode, nama in queries.kecamatan_list(con)[["kode", "nama"]].itertuples(index=False)}
    people = pd.DataFrame({
        "Nama pengguna": [u[0] for u in users], "Nama": [u[1] for u in users], "Peran": [ROLE_LABEL[u[2]] for u in users],
        "Kecamatan": [names.get(u[3], f"{u[3]} (tidak dikenal)") if u[3] else "semua" for u in users],
    })
    desa = [u[4] if len(u) > 4 else "" for u in users]
    if any(desa):  # PSM accounts (issue 25): their desa
        desa_names = dict(queries.desa_list(con)[["kode", "nama"]].itertuples(index=False))
        people["Desa (PSM)"] = [desa_names.get(d, d) if d else "–" for d in desa]
    month = (queries.periods(con) or [(today or date.today()).replace(day=1)])[-1]
    cov = queries.population_coverage(con, month, settings.area)
    totals = cov[["angka nyata", "perkiraan", "tidak ada"]].sum()
    headline = (f"Untuk laporan {fmt.bulan(month)}: **{fmt.angka(int(totals['angka nyata']))}** desa dengan angka penduduk nyata, "
                f"**{fmt.angka(int(totals['perkiraan']))}** perkiraan, **{fmt.angka(int(totals['tidak ada']))}** tanpa angka "
                "(laju per 1.000 dan indeks prioritas desa itu tidak dihitung).")
    coverage = table(cov.rename(columns={
        "kecamatan": "Kecamatan", "angka nyata": "Angka nyata", "perkiraan": "Perkiraan", "tidak ada": "Tidak ada",
        "sumber": "Sumber dan keadaan", "jumlah_desa_nyata": "Jumlah desa (nyata)", "angka_kecamatan": "Angka kecamatan",
        "sumber_kecamatan": "Sumber angka kecamatan"}),
        {"Angka nyata": 0, "Perkiraan": 0, "Tidak ada": 0, "Jumlah desa (nyata)": 0, "Angka kecamatan": 0})
    return PengaturanView(table(people), headline, coverage)
