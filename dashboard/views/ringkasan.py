"""Ringkasan: the morning view for leadership, as a model the page only draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, maps, queries, release
from dashboard.filters import Filters
from dashboard.queries import Selection
from dashboard.views import Settings, completeness, mark_estimates, rate_notes, table
from etl import fmt

LIKE_FOR_LIKE = ("Perubahan sebanding: hanya desa yang melapor di kedua bulan, agar naik-turun jumlah desa pelapor "
                 "tidak terbaca sebagai perubahan PMKS.")


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    caption: str
    help: str | None = None


@dataclass
class RingkasanView:
    title: str
    caption: str
    empty: str | None = None  # set when the month has no report in the area: the page says so and stops
    metrics: list[Metric] = field(default_factory=list)
    release_notice: str | None = None
    top3: str = ""
    indikator_chart: go.Figure | None = None
    hidden_note: str | None = None
    trend_chart: go.Figure | None = None
    trend_note: str = ""
    map_chart: go.Figure | None = None
    area_chart: go.Figure | None = None
    rate_note: str | None = None
    rises_title: str = ""
    rises: pd.DataFrame | None = None
    missing_title: str = ""
    missing: pd.DataFrame | None = None


def build(con, f: Filters, settings: Settings) -> RingkasanView:  # noqa: ARG001 - every model takes the settings
    """Everything the Ringkasan page shows for these filters."""
    periode, sel = f.periode, f.sel
    info = queries.warehouse_info(con)
    view = RingkasanView(title=f"Ringkasan PMKS — {f.area_nama or info['nama']}", caption=f"{fmt.bulan(periode)} · {f.indikator_label}")
    now = queries.total_for_month(con, periode, sel)
    if now["laporan"] == 0:
        view.empty = f"Belum ada laporan untuk {fmt.bulan(periode)} di wilayah ini."
        return view
    months = queries.periods(con)
    prev = max((p for p in months if p < periode), default=None)
    view.metrics = _metrics(con, now, periode, sel, prev, months)
    view.release_notice = release.notice(f.rilis)
    _indicators(view, con, f)
    start = months[max(0, months.index(periode) - 11)]
    tr = release.trend(queries.trend(con, start, periode, sel), f.rilis)
    view.trend_chart = charts.line_trend(tr, "jumlah", "Tren 12 bulan (jiwa)")
    view.trend_note = "Jumlah laporan per bulan: " + ", ".join(f"{fmt.bulan_pendek(p)} {fmt.angka(n)}" for p, n in zip(tr["periode"], tr["laporan"]))
    _areas(view, con, f, info)
    view.rises_title = f"**Kenaikan tertajam** dari {fmt.bulan(prev) if prev else '–'}"
    if prev:
        rises = release.rises(queries.sharpest_rises(con, periode, prev, sel), f.rilis)
        view.rises = table(rises.drop(columns="kode").rename(columns={
            "nama": "Desa/Kelurahan", "kecamatan": "Kecamatan", "sebelumnya": "Sebelumnya", "sekarang": "Sekarang", "kenaikan": "Kenaikan"}),
            {"Sebelumnya": 0, "Sekarang": 0, "Kenaikan": 0})
    missing = queries.not_reported(con, periode, f.area)
    view.missing_title = f"**Belum melapor** {fmt.bulan(periode)}: {fmt.angka(len(missing))} desa/kelurahan"
    view.missing = table(missing.rename(columns={"nama": "Desa/Kelurahan", "kecamatan": "Kecamatan"}).drop(columns="kode"))
    return view


def _metrics(con, now: dict, periode: date, sel: Selection, prev: date | None, months: list[date]) -> list[Metric]:
    year_ago = periode.replace(year=periode.year - 1)
    out = [Metric("Total PMKS (jiwa)", fmt.angka(now["jumlah"]), completeness(now["laporan"], now["desa"]),
                  "Jumlah dari laporan yang sudah masuk.")]
    for other, label in ((prev, "bulan lalu"), (year_ago if year_ago in months else None, "tahun lalu")):
        if other is None:
            out.append(Metric(f"Dibanding {label}", "–", "Tidak ada data pembanding."))
            continue
        then = queries.total_for_month(con, other, sel)
        same = queries.like_for_like(con, periode, other, sel)
        delta = same["sekarang"] - same["pembanding"]
        sign = "+" if delta >= 0 else ""
        share = f" ({sign}{fmt.persen(delta / same['pembanding'])})" if same["pembanding"] else ""
        out.append(Metric(
            f"Dibanding {label}", f"{sign}{fmt.angka(delta)}{share}",
            f"Sebanding pada {fmt.angka(same['desa'])} desa yang melapor {fmt.bulan(other)} dan {fmt.bulan(periode)}. "
            f"Total {fmt.bulan(other)}: {fmt.angka(then['jumlah'])} ({completeness(then['laporan'], then['desa'])}).",
            LIKE_FOR_LIKE))
    out.append(Metric("Laporan diterima", f"{fmt.angka(now['laporan'])}/{fmt.angka(now['desa'])}",
                      f"{fmt.persen(now['laporan'] / now['desa'])} desa/kelurahan sudah melapor"))
    return out


def _indicators(view: RingkasanView, con, f: Filters) -> None:
    ind = release.rows(queries.by_indikator(con, f.periode, f.sel), f.rilis)
    top3 = ind.dropna(subset=["jumlah"]).head(3)
    view.top3 = "**Tiga indikator terbesar:** " + "; ".join(f"{r.nama} {fmt.angka(r.jumlah)}" for r in top3.itertuples())
    view.indikator_chart = charts.bar_ranked(ind, "nama", "jumlah", f"PMKS per indikator, {fmt.bulan(f.periode)}")
    if hidden := [f"{n} ({r})" for n, r in zip(ind["nama"], ind["rilis"]) if r]:
        view.hidden_note = "Tidak digambar (mode rilis publik): " + ", ".join(hidden) + "."


def _areas(view: RingkasanView, con, f: Filters, info: dict) -> None:
    """The kecamatan map (desa within one kecamatan) and the ranked bars beside it."""
    level = "desa" if f.kecamatan else "kecamatan"
    kec_sel = Selection(area=f.kecamatan, indikator=f.indikator)
    wil = release.rows(queries.by_wilayah(con, f.periode, kec_sel, level), f.rilis)
    value = "per_1000" if f.per1000 else "jumlah"
    unit = "per 1.000 penduduk" if f.per1000 else "jiwa"
    if info["batas"]:  # the Peta page has the full controls
        geometry = queries.map_geometry(con, level, f.kecamatan)
        data = release.rows(queries.map_values(con, f.periode, f.periode, kec_sel, level, "sum"), f.rilis)
        title = f"PMKS ({unit}) per {level}"
        if f.per1000:
            classes = maps.classify(data[value], "quantile", 5, 1)
            view.map_chart = maps.choropleth(data, geometry, value, classes, title, unit, level, 1, size=(550, 480))
        else:
            view.map_chart = maps.circles(data, geometry, value, title, unit, level, size=(550, 480))
    shown = mark_estimates(wil) if f.per1000 else wil
    title = ("PMKS per 1.000 penduduk" if f.per1000 else "PMKS (jiwa)") + f" per {level}"
    view.area_chart = charts.bar_ranked(shown, "nama", value, title, decimals=1 if f.per1000 else 0,
                                        source="sumber_penduduk" if f.per1000 else None)
    view.rate_note = rate_notes(wil) if f.per1000 else None
