"""Jelajah Data: pivot, ranking and time series for policy staff, every table downloadable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from common import fmt
from dashboard import charts, queries, release
from dashboard.views import Filters, Settings, completeness, rate_notes, table, trend_chart
from dashboard.views.frozen import Model

RATE, POP, EST, SOURCE = "Per 1.000 penduduk", "Penduduk", "Penduduk perkiraan", "Sumber penduduk"


@dataclass
class JelajahView(Model):
    caption: str
    levels: list[str]  # the levels the page offers (only 'desa' when one desa is chosen)
    stop: str | None = None  # a message instead of the table (no report, or too large to release)
    total: str = ""
    release_notice: str | None = None
    table: pd.DataFrame | None = None  # as shown: Indonesian text, sorted
    export: pd.DataFrame | None = None  # the same rows with numbers, for CSV/XLSX
    rate_note: str | None = None
    ranking: go.Figure | None = None
    trend: go.Figure | None = None
    trend_note: str = ""  # how to read the trend (bars, like-for-like line)
    series: pd.DataFrame | None = None  # the trend for download, with the like-for-like total beside it
    name: str = ""


def build(con, f: Filters, settings: Settings, tingkat: str = "kecamatan", start: date | None = None,  # noqa: ARG001
          end: date | None = None) -> JelajahView:
    """The pivot of one month at one level, its ranking, and the monthly series from `start` to `end`."""
    info = queries.warehouse_info(con)
    tingkat = "desa" if f.desa else tingkat
    v = JelajahView(caption=f"{f.area_nama or info['nama']} · {fmt.bulan(f.periode)} · {f.indikator_label}",
                    levels=["desa"] if f.desa else ["kecamatan", "desa"], name=f"pmks_{tingkat}_{f.periode:%Y-%m}")
    wide = queries.pivot_wide(con, f.periode, f.sel, tingkat)
    if wide.empty:
        v.stop = "Tidak ada laporan untuk pilihan ini — bukan berarti nol PMKS."
        return v
    label = "Kecamatan" if tingkat == "kecamatan" else "Desa/Kelurahan"
    order = [c for c in wide.columns if c not in ("kode", "nama")]
    wil = queries.by_wilayah(con, f.periode, f.sel, tingkat).set_index("kode")
    kecamatan = dict(zip(*queries.desa_list(con, f.kecamatan)[["kode", "kecamatan"]].to_numpy().T)) if tingkat == "desa" else {}
    numbers = _numbers(wide, wil, order, label, kecamatan, f.per1000)
    if f.rilis and len(numbers) > release.MAX_ROWS:
        v.stop = (f"Tabel {fmt.angka(len(numbers))} baris terlalu besar untuk disiapkan sebagai rilis publik di sini. "
                  "Pilih satu kabupaten atau kecamatan di samping, atau tingkat kecamatan.")
        return v
    total = queries.total_for_month(con, f.periode, f.sel)
    v.total = f"**Total {fmt.angka(total['jumlah'])} jiwa**, {completeness(total['laporan'], total['desa'])}."
    v.release_notice = release.notice(f.rilis)
    keys = ["Kode", label] + (["Kecamatan"] if tingkat == "desa" else []) + ["Desa melapor", "Jumlah desa"]
    if f.rilis:  # small counts hidden, with complementary cells so that no row or column total gives them away
        cells = release.table(numbers[order].fillna(0), f.rilis)
        released = numbers[keys].copy()
        released.loc["Total"] = ["", "Total"] + [""] * (len(keys) - 4) + [int(numbers[k].sum()) for k in keys[-2:]]
        v.export = pd.concat([released, cells], axis=1).reset_index(drop=True)
        v.table = table(v.export, {c: 0 for c in [*order, "Total", "Desa melapor", "Jumlah desa"]})
    else:
        v.export = numbers
        v.table = table(numbers, {**{c: 0 for c in [*order, "Total", "Desa melapor", "Jumlah desa"]}, POP: 0, RATE: 1})
        v.rate_note = rate_notes(wil) if f.per1000 else None
    v.ranking = _ranking(v.export if f.rilis else numbers, label, f.per1000 and not f.rilis)
    _trend(v, con, f, start or f.periode, end or f.periode)
    return v


def _numbers(wide, wil, order, label, kecamatan: dict, per1000) -> pd.DataFrame:
    """The pivot with totals, reports received and (per 1.000) population and rate, sorted largest first."""
    out = wide.rename(columns={"kode": "Kode", "nama": label})
    out[order] = out[order].astype("Int64")
    out["Total"] = out[order].sum(axis=1).astype("Int64")
    if kecamatan:  # desa level: 11 desa names occur twice in Tuban, the kecamatan tells them apart
        out.insert(2, "Kecamatan", [kecamatan.get(c, "") for c in out["Kode"]])
    w = wil.reindex(out["Kode"])
    at = 3 if kecamatan else 2  # two whole numbers: '1/1' would be a date to Excel
    out.insert(at, "Desa melapor", w["laporan"].astype("Int64").to_numpy())
    out.insert(at + 1, "Jumlah desa", w["desa"].astype("Int64").to_numpy())
    if per1000:  # rates only where population is known; estimated population said in its own column
        out[POP] = w["penduduk"].astype("Float64").round().astype("Int64").to_numpy()
        out[RATE] = (out["Total"] / out[POP] * 1000).astype("Float64").round(1)
        out[EST] = ["ya" if e is True or e == 1 else ("tidak" if pd.notna(p) else "–") for e, p in zip(w["perkiraan"], w["penduduk"])]
        out[SOURCE] = w["sumber_penduduk"].to_numpy() if "sumber_penduduk" in w else None
    return out.sort_values(RATE if per1000 else "Total", ascending=False, na_position="last").reset_index(drop=True)


def _ranking(numbers: pd.DataFrame, label: str, per1000: bool) -> go.Figure:
    """Largest first; in release mode from the released table, so hidden totals are not drawn."""
    if per1000:
        ranked = numbers[numbers[RATE].notna()]
        ranked = ranked.assign(**{label: [f"{n} *" if e == "ya" else n for n, e in zip(ranked[label], ranked[EST])]})
        return charts.bar_ranked(ranked, label, RATE, f"Peringkat {label.lower()} menurut PMKS per 1.000 penduduk", decimals=1,
                                 source=SOURCE)
    ranked = numbers[numbers[label] != "Total"]
    ranked = ranked.assign(Total=pd.to_numeric(ranked["Total"], errors="coerce"))[[label, "Total"]]
    return charts.bar_ranked(ranked, label, "Total", f"Peringkat {label.lower()} menurut jumlah PMKS")


def _trend(v: JelajahView, con, f: Filters, start: date, end: date) -> None:
    raw = queries.trend(con, start, end, f.sel)
    tr = release.trend(raw, f.rilis, parts=("sebanding",))
    v.trend, v.trend_note = trend_chart(raw, f.rilis, "Tren bulanan pilihan ini (jiwa)", steady=not f.desa)
    series = pd.DataFrame({"Periode": [fmt.bulan(p) for p in tr["periode"]], "Jumlah": tr["jumlah"].astype("Int64"),
                           "Desa melapor": tr["laporan"].astype("Int64")})
    if f.rilis:  # hidden months say so in the export
        series["Jumlah"] = release.trend_labels(raw["jumlah"].astype("Int64"), f.rilis)  # whole numbers beside '<3'
    steady = queries.always_reporting(raw)
    if steady and not f.desa:  # the like-for-like line of the chart
        series[f"Jumlah di {fmt.angka(steady)} desa yang selalu melapor"] = release.part_labels(tr["sebanding"], raw["sebanding"])
    v.series = series
