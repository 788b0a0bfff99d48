"""Ringkasan: the morning view for leadership, as a model the page only draws."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go

from common import fmt
from dashboard import charts, maps, queries, release
from dashboard.queries import Selection
from dashboard.queries.reports import RISE_BASELINE, RISE_LOOKBACK
from dashboard.views import Filters, Settings, completeness, mark_estimates, rate_notes, table, trend_chart
from dashboard.views.frozen import Model
from dashboard.views.peta import NO_BOUNDARIES

LIKE_FOR_LIKE = ("Perubahan sebanding: hanya desa yang melapor di kedua bulan, agar naik-turun jumlah desa pelapor "
                 "tidak terbaca sebagai perubahan PMKS.")
RISES_RULE = (f"Dibandingkan dengan median {RISE_BASELINE} laporan sebelumnya yang tidak nol (dalam "
              f"{RISE_LOOKBACK} bulan terakhir); desa tanpa laporan pembanding tidak dicantumkan.")
TOP_PRIORITY = 5
TOP_VILLAGES = 15  # the desa the PDF brief lists
NO_RANK = "Belum ada desa berperingkat: indeks memerlukan laporan bulan ini dan jumlah penduduk desa."
INDICATOR_WRAP = 45  # characters per line of an indicator's name on the bar chart


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    caption: str
    help: str | None = None


@dataclass(frozen=True)
class Facts:
    """The numbers behind the page as queried, before release masking: what the PDF brief draws (`dashboard.brief`),
    so that it shows the very numbers of the page and asks nothing again."""

    area: str  # the filters' area ('' = the whole warehouse)
    periode: date
    sintetis: bool
    total: dict  # jumlah, laporan, desa
    previous: dict | None  # like for like with the month before, with its 'periode'
    indikator: pd.DataFrame
    trend: pd.DataFrame
    map_level: str
    map_values: pd.DataFrame | None  # None: no boundaries in the warehouse
    geometry: pd.DataFrame | None
    villages: pd.DataFrame  # the area's top TOP_VILLAGES desa of the Prioritas ranking
    villages_note: str
    missing: pd.DataFrame


@dataclass
class RingkasanView(Model):
    title: str
    caption: str
    empty: str | None = None  # set when the month has no report in the area: the page says so and stops
    headline: str = ""  # the month in one plain sentence
    due: str = ""  # the next report due and its date
    loaded: str = ""  # when data was last loaded
    metrics: list[Metric] = field(default_factory=list)
    release_notice: str | None = None
    reporting_chart: go.Figure | None = None  # share of desa reporting per month
    priority_title: str = ""
    priority: pd.DataFrame | None = None  # the top desa of the Prioritas ranking, as text
    priority_areas: dict[str, str] = field(default_factory=dict)  # their {code: name}, for "Dari mana angka ini?"
    priority_note: str | None = None  # why no desa is ranked
    priority_mixed: str | None = None  # the ranking compares real and estimated population
    top3: str = ""
    indikator_chart: go.Figure | None = None
    hidden_note: str | None = None
    trend_chart: go.Figure | None = None
    trend_note: str = ""
    map_chart: go.Figure | None = None
    area_chart: go.Figure | None = None
    map_note: str | None = None  # why the kecamatan map is not drawn
    rate_note: str | None = None
    rises_title: str = ""
    rises_rule: str = RISES_RULE
    rises: pd.DataFrame | None = None
    rises_note: str | None = None  # why the list of rises is empty
    missing_title: str = ""
    missing: pd.DataFrame | None = None
    facts: Facts | None = None


def build(con, f: Filters, settings: Settings, today: date | None = None, width: int | None = None) -> RingkasanView:
    """Everything the Ringkasan page shows for these filters; `today` dates the next due report; `width`: the page's
    width in the browser (the map fits its column). The top desa are ranked on the Prioritas page's basis (the whole
    region) whoever asks."""
    periode, sel = f.periode, f.sel
    info = queries.warehouse_info(con)
    view = RingkasanView(title=f"Ringkasan PMKS — {f.area_nama or info['nama']}", caption=f"{fmt.bulan(periode)} · {f.indikator_label}")
    view.due = next_due(today or date.today(), settings.due_day)
    view.loaded = last_loaded(info["dimuat"])
    now = queries.total_for_month(con, periode, sel)
    months = queries.periods(con)
    prev = max((p for p in months if p < periode), default=None)
    if now["laporan"] == 0:
        view.empty = f"Belum ada laporan untuk {fmt.bulan(periode)} di wilayah ini."
        view.facts = _facts(con, f, info, now, prev)
        return view
    year_ago = periode.replace(year=periode.year - 1)
    compared = {label: (other, queries.like_for_like(con, periode, other, sel) if other else None)
                for label, other in (("bulan lalu", prev), ("tahun lalu", year_ago if year_ago in months else None))}
    view.headline = headline(f, now, compared["bulan lalu"][1])
    view.metrics = _metrics(con, now, periode, sel, compared)
    view.release_notice = release.notice(f.rilis)
    indikator = _indicators(view, con, f)
    start = months[max(0, months.index(periode) - 11)]
    raw = queries.trend(con, start, periode, sel)
    view.trend_chart, view.trend_note = trend_chart(raw, f.rilis, "Tren 12 bulan (jiwa)", steady=not f.desa)
    view.reporting_chart = charts.share_line(raw, "laporan", "desa", "Desa melapor tiap bulan")
    together = _priority(view, con, f, info["kode"] or "")  # one basis for everyone: the warehouse's region
    drawn = _areas(view, con, f, info, width)
    _rises(view, con, f)
    missing = queries.not_reported(con, periode, f.area)
    view.missing_title = f"**Belum melapor** {fmt.bulan(periode)}: {fmt.angka(len(missing))} desa/kelurahan"
    view.missing = table(missing[["nama", "kecamatan", "kode"]].rename(columns={"kode": "Kode", "nama": "Desa/Kelurahan", "kecamatan": "Kecamatan"}))
    view.facts = _facts(con, f, info, now, prev, previous=compared["bulan lalu"][1], indikator=indikator, trend=raw,
                        together=together, drawn=drawn, missing=missing)
    return view


def _facts(con, f: Filters, info: dict, now: dict, prev: date | None, *, previous: dict | None = None, indikator=None,
           trend=None, together=None, drawn=None, missing=None) -> Facts:
    """The page's numbers for the brief; what the page did not query (a month without reports) is queried here."""
    from dashboard.views import prioritas

    periode, sel = f.periode, f.sel
    if previous is None and prev is not None:
        previous = queries.like_for_like(con, periode, prev, sel)
    if trend is None:
        months = queries.periods(con)
        start = months[max(0, months.index(periode) - 11)] if periode in months else periode
        trend = queries.trend(con, start, periode, sel)
    if together is None:
        together = prioritas.priorities(con, periode, info["kode"] or "")
    map_level = "desa" if f.kecamatan else "kecamatan"
    if drawn is None and info["batas"]:
        drawn = (queries.map_values(con, periode, periode, Selection(area=f.kecamatan, indikator=f.indikator), map_level, "sum"),
                 queries.map_geometry(con, map_level, f.kecamatan))
    villages = together[together["kode"].str.startswith(f.area) & together["indeks"].notna()].head(TOP_VILLAGES)
    compared = int(together["banding"].sum())
    return Facts(
        area=f.area, periode=periode, sintetis=bool(info["sintetis"]), total=now,
        previous=previous | {"periode": prev} if previous is not None else None,
        indikator=indikator if indikator is not None else queries.by_indikator(con, periode, sel), trend=trend,
        map_level=map_level, map_values=drawn[0] if drawn else None, geometry=drawn[1] if drawn else None,
        villages=villages.reset_index(drop=True),
        villages_note=prioritas.too_few(compared, "desa", periode) if compared and together["indeks"].isna().all() else NO_RANK,
        missing=missing if missing is not None else queries.not_reported(con, periode, f.area),
    )


def headline(f: Filters, now: dict, same: dict | None) -> str:
    """'Oktober 2026: 80.383 PMKS tercatat di 270 dari 328 desa, naik 0,3% dibanding desa yang sama bulan lalu.'"""
    total = release.label(f.rilis) if release.small(now["jumlah"], f.rilis) else fmt.angka(now["jumlah"])
    what = "PMKS" + (f" ({f.indikator_label})" if f.indikator else "")
    text = f"{fmt.bulan(f.periode)}: {total} {what} tercatat di {fmt.angka(now['laporan'])} dari {fmt.angka(now['desa'])} desa"
    if same and same["pembanding"]:
        change = (same["sekarang"] - same["pembanding"]) / same["pembanding"]
        word = "naik" if change > 0 else "turun" if change < 0 else "tetap"
        text += f", {word} {fmt.persen(abs(change))}" if word != "tetap" else ", tidak berubah"
        text += " dibanding desa yang sama bulan lalu"
    return text + "."


def next_due(today: date, due_day: int) -> str:
    """'Laporan November 2026 jatuh tempo 10 Desember 2026 (12 hari lagi).': the report whose due date (day
    `due_day` of the next month) is the first on or after today."""
    def due_of(month: date) -> date:
        nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        return nxt.replace(day=min(due_day, calendar.monthrange(nxt.year, nxt.month)[1]))

    month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)  # last month's report first
    if due_of(month) < today:
        month = today.replace(day=1)
    due = due_of(month)
    days = (due - today).days
    when = "hari ini" if days == 0 else "besok" if days == 1 else f"{fmt.angka(days)} hari lagi"
    return f"Laporan {fmt.bulan(month)} jatuh tempo {fmt.tanggal(due)} ({when})."


def last_loaded(when) -> str:
    """'Data terakhir dimuat 28 November 2026 pukul 14.05' from the newest active import batch."""
    if when is None or pd.isna(when):
        return "Belum ada data yang dimuat."
    when = pd.Timestamp(when).to_pydatetime() if not isinstance(when, datetime) else when
    return f"Data terakhir dimuat {fmt.tanggal(when.date())} pukul {when:%H.%M}."


def _metrics(con, now: dict, periode: date, sel: Selection, compared: dict) -> list[Metric]:
    out = [Metric("Total PMKS (jiwa)", fmt.angka(now["jumlah"]), completeness(now["laporan"], now["desa"]),
                  "Jumlah dari laporan yang sudah masuk.")]
    for label, (other, same) in compared.items():
        if other is None:
            out.append(Metric(f"Dibanding {label}", "–", "Tidak ada data pembanding."))
            continue
        if not same["desa"]:  # no desa reported in both months: nothing to compare like for like
            out.append(Metric(f"Dibanding {label}", "–", f"Tidak ada desa yang melapor di {fmt.bulan(other)} dan "
                              f"{fmt.bulan(periode)} sekaligus, sehingga perubahan tidak dapat dihitung.", LIKE_FOR_LIKE))
            continue
        then = queries.total_for_month(con, other, sel)
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


def _priority(view: RingkasanView, con, f: Filters, root: str) -> pd.DataFrame:
    """The top desa of the Prioritas page's ranking (equal weights, shrunk), within the filtered kecamatan."""
    from dashboard.views import prioritas

    together = prioritas.priorities(con, f.periode, root)
    ranked = together[together["kode"].str.startswith(f.kecamatan) & together["indeks"].notna()].head(TOP_PRIORITY)
    view.priority_title = f"**{TOP_PRIORITY} desa prioritas teratas** {fmt.bulan(f.periode)}"
    if ranked.empty and (compared := int(together["banding"].sum())) and together["indeks"].isna().all():
        view.priority_note = prioritas.too_few(compared, "desa", f.periode)
    elif ranked.empty:
        view.priority_note = NO_RANK
    view.priority_mixed = prioritas.mixed_note(together[together["kode"].str.startswith(f.kecamatan)],
                                               "(ditandai *; lihat Prioritas Intervensi)")
    names = [f"{n} *" if view.priority_mixed and bool(e) else n for n, e in zip(ranked["nama"], ranked["perkiraan"].fillna(False))]
    view.priority_areas = dict(zip(ranked["kode"], ranked["nama"]))
    view.priority = table(pd.DataFrame({
        "Peringkat": ranked["peringkat"].astype("Int64"), "Desa/Kelurahan": names, "Kecamatan": ranked["kecamatan"],
        "Indeks": ranked["indeks"].astype(float),
        "Paling menonjol": [prioritas.label(g) if isinstance(g, str) else None for g in ranked["utama"]],
    }), {"Peringkat": 0, "Indeks": 1})
    return together


def _indicators(view: RingkasanView, con, f: Filters) -> pd.DataFrame:
    raw = queries.by_indikator(con, f.periode, f.sel)
    ind = release.rows(raw, f.rilis)
    top3 = ind.dropna(subset=["jumlah"]).head(3)
    view.top3 = "**Tiga indikator terbesar:** " + "; ".join(f"{r.nama} {fmt.angka(r.jumlah)}" for r in top3.itertuples())
    view.indikator_chart = charts.bar_ranked(ind, "nama", "jumlah", f"PMKS per indikator, {fmt.bulan(f.periode)}",
                                             wrap_at=INDICATOR_WRAP)
    if hidden := [f"{n} ({r})" for n, r in zip(ind["nama"], ind["rilis"]) if r]:
        view.hidden_note = "Tidak digambar (mode rilis publik): " + ", ".join(hidden) + "."
    return raw


def _rises(view: RingkasanView, con, f: Filters) -> None:
    """The sharpest rises against each desa's trustworthy baseline (`queries.sharpest_rises`)."""
    view.rises_title = f"**Kenaikan tertajam** {fmt.bulan(f.periode)}"
    rises = release.rises(queries.sharpest_rises(con, f.periode, f.sel), f.rilis)
    rises = rises.drop(columns="pembanding")
    if rises.empty:
        view.rises_note = (f"Tidak ada desa yang jumlahnya naik pada {fmt.bulan(f.periode)} dibanding median laporannya "
                           "sebelumnya; desa tanpa laporan pembanding tidak dinilai.")
    view.rises = table(rises[[c for c in rises.columns if c != "kode"] + ["kode"]].rename(columns={  # the code last, off the narrow view
        "kode": "Kode", "nama": "Desa/Kelurahan", "kecamatan": "Kecamatan", "sebelumnya": "Median sebelumnya", "sekarang": "Sekarang",
        "kenaikan": "Kenaikan"}), {"Median sebelumnya": 0, "Sekarang": 0, "Kenaikan": 0})


def _areas(view: RingkasanView, con, f: Filters, info: dict, width: int | None = None) -> tuple | None:
    """The kecamatan map (desa within one kecamatan) and the ranked bars beside it."""
    level = "desa" if f.kecamatan else "kecamatan"
    kec_sel = Selection(area=f.kecamatan, indikator=f.indikator)
    wil = release.rows(queries.by_wilayah(con, f.periode, kec_sel, level), f.rilis)
    value = "per_1000" if f.per1000 else "jumlah"
    unit = "per 1.000 penduduk" if f.per1000 else "jiwa"
    # the map's column: 3/5 of the page beside the bars, the whole width where columns stack (a phone)
    column = None if width is None else width if width < maps.NARROW else int((width - 16) * 3 / 5)
    drawn = None
    if info["batas"]:  # the Peta page has the full controls
        geometry = queries.map_geometry(con, level, f.kecamatan)
        drawn = (queries.map_values(con, f.periode, f.periode, kec_sel, level, "sum"), geometry)
        data = release.rows(drawn[0], f.rilis)
        title = f"PMKS ({unit}) per {level}"
        if f.per1000:
            classes = maps.classify(data[value], "quantile", 5, 1)
            view.map_chart = maps.choropleth(data, geometry, value, classes, title, unit, level, 1, size=maps.size((550, 480), column, 560))
        else:
            view.map_chart = maps.circles(data, geometry, value, title, unit, level, size=maps.size((550, 480), column, 560))
    else:
        view.map_note = NO_BOUNDARIES
    shown = mark_estimates(wil) if f.per1000 else wil
    title = ("PMKS per 1.000 penduduk" if f.per1000 else "PMKS (jiwa)") + f" per {level}"
    view.area_chart = charts.bar_ranked(shown, "nama", value, title, decimals=1 if f.per1000 else 0,
                                        source="sumber_penduduk" if f.per1000 else None)
    view.rate_note = rate_notes(wil) if f.per1000 else None
    return drawn
