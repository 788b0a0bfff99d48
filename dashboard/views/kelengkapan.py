"""Kelengkapan Laporan: which desa reported, on time or late, month by month.

One grid of all 328 desa of a kabupaten is unreadable (4.400 px, every other label dropped), so the page reads from
the top down: the month's counts, the roll-up per kecamatan for the month (worst first, the kabupaten total last),
the share of desa reporting per kecamatan and month, then the desa x month grid of ONE kecamatan (the sidebar's, or
the one picked on the page) with every desa labelled. The downloads say what they hold and carry codes and kecamatan.

Counts of desa that reported are not PMKS counts (no person can be singled out by them), so public release mode
(`dashboard.release`) masks nothing on this page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from common import fmt
from dashboard import queries
from dashboard.views import Filters, Settings, table
from dashboard.views.frozen import Model

STATUS = ["tepat waktu", "terlambat", "semua nol", "belum lapor"]
LABEL = {s: s.capitalize() for s in STATUS}  # as a user reads a status: 'Tepat waktu'
COLORS = {"tepat waktu": "#1b7837", "terlambat": "#f1a340", "semua nol": "#9ecae1", "belum lapor": "#d9d9d9"}
# the fewer desa reported, the stronger the colour (a colour-blind-safe orange; 50% and below all look alike)
ATTENTION = [[0, "#b35806"], [0.5, "#f1a340"], [0.8, "#fee0b6"], [1, "#f7f7f7"]]
ROW_PX = 24  # one row of a grid: a desa or kecamatan label at the axis font size never overlaps the next
COUNTS = ["Jumlah desa", *LABEL.values()]
SHARES = ["Melapor (%)", "Tepat waktu (%)"]


@dataclass(frozen=True)
class Download:
    frame: pd.DataFrame  # what the file holds, numbers as numbers
    name: str  # file name without extension
    label: str  # what the button says it holds


@dataclass
class KelengkapanView(Model):
    caption: str
    counts: list[tuple[str, str]]  # (status, count) for the month
    rollup_title: str
    rollup_note: str
    rollup: pd.DataFrame  # per kecamatan for the month, worst first, the area's total last (formatted)
    rollup_download: Download
    shares_title: str
    shares: go.Figure  # share of desa reporting, kecamatan x month, same order as the roll-up
    choices: list[tuple[str, str]]  # (kode, label) of the kecamatan to pick, worst first; [] when the sidebar chose one
    kecamatan: str  # the kecamatan whose desa grid is shown
    grid_title: str
    grid: go.Figure  # desa x month of that kecamatan, every desa labelled
    status_download: Download  # every desa x month of the area
    missing_title: str
    missing: pd.DataFrame
    missing_download: Download


def build(con, f: Filters, settings: Settings, kecamatan: str = "") -> KelengkapanView:
    """The area is the sidebar's kecamatan (a single desa filter still shows its kecamatan) or the whole warehouse;
    `kecamatan` is the page's own pick of the desa grid when the sidebar has none (default: the worst kecamatan)."""
    info = queries.warehouse_info(con)
    months = queries.periods(con)
    start = months[max(0, months.index(f.periode) - 11)] if f.periode in months else f.periode
    status = queries.report_status(con, start, f.periode, f.kecamatan, settings.due_day)
    now = status[status["periode"] == f.periode]
    if f.kecamatan:
        area_code, area_name = f.kecamatan, f"Kec. {status['kecamatan'].iloc[0]}" if len(status) else (f.area_nama or "")
    else:
        area_code, area_name = info["kode"] or "", info["nama"] or "Semua wilayah"
    roll = rollup(now, area_code, area_name)
    order = roll[roll["Kode"] != area_code] if len(roll) > 1 else roll
    chosen = f.kecamatan or (kecamatan if kecamatan in set(order["Kode"]) else (order["Kode"].iloc[0] if len(order) else ""))
    mine = status[status["kode_kecamatan"] == chosen]
    month, span = fmt.bulan(f.periode), f"{fmt.bulan_pendek(start)}–{fmt.bulan_pendek(f.periode)}"
    counts = now["status"].value_counts()
    missing = now[now["status"] == "belum lapor"].sort_values(["kecamatan", "nama"])
    missing = missing.rename(columns={"kode": "Kode", "nama": "Desa/Kelurahan", "kecamatan": "Kecamatan"})[["Kode", "Desa/Kelurahan", "Kecamatan"]]
    name = mine["kecamatan"].iloc[0] if len(mine) else ""
    return KelengkapanView(
        caption=f"{area_name}, {month}. Tepat waktu = laporan diterima paling lambat tanggal {settings.due_day} bulan "
                "berikutnya; semua nol = laporan masuk tetapi semua jenis PMKS bernilai nol (perlu dicek).",
        counts=[(LABEL[s], fmt.angka(int(counts.get(s, 0)))) for s in STATUS],
        rollup_title=f"Kelengkapan per kecamatan, {month}" if len(roll) > 1 else f"Kelengkapan {area_name}, {month}",
        rollup_note=f"Diurutkan dari persentase desa melapor terendah (lalu tepat waktu terendah, lalu nama); baris terakhir: "
                    f"jumlah {area_name}." if len(roll) > 1 else "",
        rollup=table(roll.assign(**{c: [fmt.persen(v / 100) for v in roll[c]] for c in SHARES}), {c: 0 for c in COUNTS}),
        rollup_download=Download(roll, f"kelengkapan_per_kecamatan_{f.periode:%Y-%m}",
                                 f"Unduh kelengkapan per kecamatan {month}"),
        shares_title=f"Persentase desa melapor per kecamatan, {span}" if len(roll) > 1 else f"Persentase desa melapor, {area_name}, {span}",
        shares=_shares(status, list(order["Kode"]), area_name if len(roll) > 1 else None),
        choices=[] if f.kecamatan else [(k, f"{n} ({fmt.persen(p / 100)} melapor)") for k, n, p in
                                        zip(order["Kode"], order["Kecamatan"], order["Melapor (%)"])],
        kecamatan=chosen,
        grid_title=f"Status laporan per desa, Kec. {name}, {span}",
        grid=_grid(mine),
        status_download=Download(export(status), f"status_laporan_{start:%Y-%m}_{f.periode:%Y-%m}",
                                 f"Unduh status laporan per desa dan bulan, {area_name}, {span}"),
        missing_title=f"Belum melapor {month} ({fmt.angka(len(missing))} desa/kelurahan)",
        missing=table(missing),
        missing_download=Download(missing.reset_index(drop=True), f"belum_lapor_{f.periode:%Y-%m}",
                                  f"Unduh daftar desa belum melapor {month}"),
    )


def rollup(now: pd.DataFrame, area_code: str, area_name: str) -> pd.DataFrame:
    """One month per kecamatan: desa by status and the shares (in %, one decimal) reporting and reporting on time,
    worst first; with more than one kecamatan, the area's total as the last row."""
    counts = pd.crosstab([now["kode_kecamatan"], now["kecamatan"]], now["status"]).reindex(columns=STATUS, fill_value=0)
    if len(counts) > 1:
        counts.loc[(area_code, area_name), :] = counts.sum()
    df = counts.rename(columns=LABEL).reset_index().rename(columns={"kode_kecamatan": "Kode", "kecamatan": "Kecamatan"})
    df.columns.name = None
    df.insert(2, "Jumlah desa", counts.sum(axis=1).to_numpy())
    df["Melapor (%)"] = ((1 - df["Belum lapor"] / df["Jumlah desa"]) * 100).round(1)
    df["Tepat waktu (%)"] = (df["Tepat waktu"] / df["Jumlah desa"] * 100).round(1)
    df = df.astype({c: "Int64" for c in COUNTS})
    total = df["Kode"] == area_code if len(df) > 1 else pd.Series(False, index=df.index)
    body = df[~total].sort_values(["Melapor (%)", "Tepat waktu (%)", "Kecamatan"])
    return pd.concat([body, df[total]]).reset_index(drop=True)


def export(status: pd.DataFrame) -> pd.DataFrame:
    """Every desa x month of the area for download: Kode, Desa/Kelurahan, Kecamatan, one column per month whose
    header is text Excel keeps as text ('Status Okt 2026', never a bare month it would turn into a date), the
    status in words, and the months without a report."""
    wide = status.pivot(index=["kode", "nama", "kecamatan"], columns="periode", values="status")
    out = wide.map(LABEL.get)
    out.columns = [month_header(p) for p in wide.columns]
    out["Bulan belum lapor"] = (wide == "belum lapor").sum(axis=1).astype("Int64")
    out = out.reset_index().rename(columns={"kode": "Kode", "nama": "Desa/Kelurahan", "kecamatan": "Kecamatan"})
    out.columns.name = None
    return out.sort_values(["Kecamatan", "Desa/Kelurahan", "Kode"]).reset_index(drop=True)


def month_header(periode: date) -> str:
    return f"Status {fmt.bulan_pendek(periode)}"


def _shares(status: pd.DataFrame, order: list[str], total: str | None) -> go.Figure:
    """Kecamatan x month heatmap of the share of desa that reported, '82,3%' in each cell, the split by status in
    the hover; rows in the roll-up's order, the area's total last."""
    frames = [status.assign(baris=status["kecamatan"], urut=status["kode_kecamatan"].map({k: i for i, k in enumerate(order)}))]
    if total:
        frames.append(status.assign(baris=total, urut=len(order)))
    both = pd.concat(frames)
    counts = pd.crosstab([both["urut"], both["baris"], both["periode"]], both["status"]).reindex(columns=STATUS, fill_value=0)
    desa = counts.sum(axis=1)
    counts["share"] = 1 - counts["belum lapor"] / desa
    counts["hover"] = [f"{fmt.persen(1 - row[-1] / n)} desa melapor ({fmt.angka(n - row[-1])} dari {fmt.angka(n)})<br>"
                       + " · ".join(f"{LABEL[s]} {fmt.angka(v)}" for s, v in zip(STATUS, row))
                       for row, n in zip(counts[STATUS].to_numpy(), desa)]
    share = counts["share"].unstack("periode").sort_index()
    hover = counts["hover"].unstack("periode").sort_index()
    rows = [b for _, b in share.index]
    x = [fmt.bulan_pendek(p) for p in share.columns]
    fig = go.Figure(go.Heatmap(
        z=share.to_numpy(), x=x, y=rows, zmin=0.5, zmax=1, colorscale=ATTENTION, xgap=2, ygap=2,
        text=share.map(fmt.persen).to_numpy().tolist(), texttemplate="%{text}", textfont=dict(size=11),
        customdata=hover.to_numpy().tolist(), hovertemplate="<b>%{y}</b>, %{x}<br>%{customdata}<extra></extra>",
        showscale=len(rows) >= 5,  # a scale beside one or two rows has no room; the cells say their share
        colorbar=dict(title="Desa melapor", tickvals=[0.5, 0.75, 1], ticktext=["≤50%", "75%", "100%"], thickness=12),
    ))
    _readable(fig, rows, x, top=50)
    return fig


def _grid(mine: pd.DataFrame) -> go.Figure:
    """Desa x month of one kecamatan, coloured by status, a legend in Indonesian above and every desa labelled
    (a desa name twice in the kecamatan gets its code)."""
    code = {s: i for i, s in enumerate(STATUS)}
    grid = mine.pivot(index=["nama", "kode"], columns="periode", values="status").sort_index()
    received = mine.pivot(index=["nama", "kode"], columns="periode", values="diterima").reindex(grid.index)
    twice = grid.index.get_level_values("nama").duplicated(keep=False)
    rows = [f"{n} ({k})" if t else n for (n, k), t in zip(grid.index, twice)]
    x = [fmt.bulan_pendek(p) for p in grid.columns]
    hover = [[LABEL[s] + (f", diterima {fmt.tanggal(pd.Timestamp(d).date())}" if pd.notna(d) else "") for s, d in zip(srow, drow)]
             for srow, drow in zip(grid.to_numpy(), received.to_numpy())]
    scale = []
    for i, s in enumerate(STATUS):
        scale += [[i / len(STATUS), COLORS[s]], [(i + 1) / len(STATUS), COLORS[s]]]
    fig = go.Figure(go.Heatmap(
        z=grid.map(code.get).to_numpy(), x=x, y=rows, zmin=-0.5, zmax=len(STATUS) - 0.5, colorscale=scale,
        showscale=False, xgap=2, ygap=2, customdata=hover, hovertemplate="<b>%{y}</b>, %{x}<br>%{customdata}<extra></extra>",
    ))
    for s in STATUS:  # the legend: one square per status
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=LABEL[s], hoverinfo="skip",
                                 marker=dict(symbol="square", size=14, color=COLORS[s])))
    _readable(fig, rows, x, top=70)
    above_months = 1 + 28 / (ROW_PX * len(rows) + 10)  # paper units: the legend sits above the month labels
    fig.update_layout(showlegend=True, legend=dict(orientation="h", x=0, y=above_months, yanchor="bottom"))
    return fig


def _readable(fig: go.Figure, rows: list[str], x: list[str], top: int) -> None:
    """Every row label drawn (no automatic thinning), the figure as tall as its rows, the months on top."""
    fig.update_layout(
        height=ROW_PX * len(rows) + 20 + top, margin=dict(l=10, r=10, t=top, b=10), separators=",.", font=dict(size=13),
        plot_bgcolor="white", hoverlabel=dict(bgcolor="white"),
        yaxis=dict(autorange="reversed", tickmode="array", tickvals=rows, ticktext=rows, automargin=True, fixedrange=True),
        xaxis=dict(tickmode="array", tickvals=x, ticktext=x, side="top", fixedrange=True),
    )
