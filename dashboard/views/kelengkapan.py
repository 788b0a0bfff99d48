"""Kelengkapan Laporan: which desa reported, on time or late, month by month."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import queries
from dashboard.filters import Filters
from dashboard.views import Settings, table
from etl import fmt

STATUS = ["tepat waktu", "terlambat", "semua nol", "belum lapor"]
COLORS = {"tepat waktu": "#1b7837", "terlambat": "#f1a340", "semua nol": "#9ecae1", "belum lapor": "#d9d9d9"}


@dataclass
class KelengkapanView:
    caption: str
    counts: list[tuple[str, str]]  # (status, count) for the month
    rollup: pd.DataFrame  # share of desa reporting, kecamatan x month
    grid: go.Figure
    missing_title: str
    missing: pd.DataFrame
    export: pd.DataFrame  # desa x month status, for download


def build(con, f: Filters, settings: Settings) -> KelengkapanView:
    """The grid is by desa: a single desa filter still shows its kecamatan."""
    info = queries.warehouse_info(con)
    months = queries.periods(con)
    start = months[max(0, months.index(f.periode) - 11)] if f.periode in months else f.periode
    status = queries.report_status(con, start, f.periode, f.kecamatan, settings.due_day)
    now = status[status["periode"] == f.periode]
    counts = now["status"].value_counts()
    missing = now[now["status"] == "belum lapor"][["kode", "kecamatan", "nama"]]  # the code tells twin names apart
    return KelengkapanView(
        caption=f"Batas lapor: tanggal {settings.due_day} bulan berikutnya. {f.area_nama or info['nama']}.",
        counts=[(s.capitalize(), fmt.angka(int(counts.get(s, 0)))) for s in STATUS],
        rollup=_rollup(status),
        grid=_grid(status),
        missing_title=f"Belum melapor {fmt.bulan(f.periode)}",
        missing=table(missing.rename(columns={"kode": "Kode", "kecamatan": "Kecamatan", "nama": "Desa/Kelurahan"})),
        export=table(status.assign(Periode=[fmt.bulan(p) for p in status["periode"]])[["kode", "kecamatan", "nama", "Periode", "status"]]
                     .rename(columns={"kode": "Kode", "kecamatan": "Kecamatan", "nama": "Desa/Kelurahan", "status": "Status"})),
    )


def _rollup(status: pd.DataFrame) -> pd.DataFrame:
    roll = (status.assign(lapor=status["status"] != "belum lapor")
            .groupby(["kecamatan", "periode"], as_index=False)["lapor"].mean())
    wide = roll.pivot(index="kecamatan", columns="periode", values="lapor")
    wide.columns = [fmt.bulan_pendek(c) for c in wide.columns]
    return wide.map(fmt.persen).rename_axis("Kecamatan").reset_index()


def _grid(status: pd.DataFrame) -> go.Figure:
    code = {s: i for i, s in enumerate(STATUS)}
    grid = status.pivot(index=["kecamatan", "nama"], columns="periode", values="status")
    labels = [f"{k} · {d}" for k, d in grid.index]
    colorscale = []
    for i, s in enumerate(STATUS):
        colorscale += [[i / len(STATUS), COLORS[s]], [(i + 1) / len(STATUS), COLORS[s]]]
    fig = go.Figure(go.Heatmap(
        z=grid.map(code.get).to_numpy(), x=[fmt.bulan_pendek(c) for c in grid.columns], y=labels, zmin=-0.5,
        zmax=len(STATUS) - 0.5, colorscale=colorscale, text=grid.to_numpy(), hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        colorbar=dict(tickvals=list(range(len(STATUS))), ticktext=STATUS),
    ))
    fig.update_layout(height=max(400, 14 * len(labels)), margin=dict(l=10, r=10, t=10, b=10), yaxis=dict(autorange="reversed"))
    return fig
