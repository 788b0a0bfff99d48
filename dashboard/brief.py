"""The leadership brief: one A4 page per kecamatan or for the kabupaten, as a PDF made on the server.

Map, headline figures with completeness, top indicators, the 12-month trend, the top priority villages, the
villages that have not reported, date and data source. Drawn in greys with hatching for missing data, so it reads
the same when printed in black and white. Charts are drawn by matplotlib, the page is laid out by fpdf2 with the
DejaVu Sans font that ships with matplotlib (full Unicode, embedded, so the text can be searched and copied).
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from fpdf import FPDF  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from common import fmt
from common.areas import level_of  # noqa: E402
from dashboard import (  # noqa: E402
    maps,
    queries,
    release,  # noqa: E402
)
from dashboard.views import Filters, prioritas, profil, ringkasan  # noqa: E402

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
GREYS = {3: ["#e0e0e0", "#969696", "#252525"], 4: ["#eeeeee", "#bdbdbd", "#737373", "#252525"],
         5: ["#f0f0f0", "#cccccc", "#969696", "#5a5a5a", "#1a1a1a"]}
TOP_INDICATORS, MISSING_LISTED = 8, 24
TOP_VILLAGES = ringkasan.TOP_VILLAGES  # the desa the brief lists, chosen by the Ringkasan model
MAP_W, MAP_H = 5.0, 4.6  # inches: the map figure, legend included


@dataclass
class BriefData:
    kode: str
    nama: str            # 'Kecamatan Palang' / 'Kabupaten Tuban'
    kabupaten: str
    periode: date
    sintetis: bool
    total: dict          # jumlah, laporan, desa
    penduduk: float | None
    perkiraan: bool
    previous: dict | None  # like-for-like with the month before
    indikator: pd.DataFrame
    trend: pd.DataFrame
    map_values: pd.DataFrame
    geometry: pd.DataFrame
    map_level: str
    villages: pd.DataFrame
    missing: pd.DataFrame
    sources: list[str]
    villages_note: str = "Belum ada desa berperingkat: indeks memerlukan laporan bulan ini dan jumlah penduduk desa."


def collect(con, kode: str, periode: date) -> BriefData:
    """Everything the brief of area `kode` (a kecamatan or kabupaten code) shows: the Ringkasan and Profil models of
    that area and month, built here on `con` (the app takes them from its model cache: `brief_filters`)."""
    from dashboard.views import Settings, profil, ringkasan

    filters = brief_filters(kode, periode)
    return from_models(ringkasan.build(con, filters, Settings()), profil.build(con, filters, Settings()))


def brief_filters(kode: str, periode: date, base: Filters | None = None) -> Filters:
    """The question the brief answers: every indicator of a kecamatan (or of the whole warehouse) in one month, in
    counts; the rest of `base` (a page's filters) is kept so that the page's own model is reused when it is the same."""
    kecamatan = kode if level_of(kode) == "kecamatan" else ""
    base = base or Filters(periode=periode)
    same_area = base.kecamatan == kecamatan and not base.desa
    return dataclasses.replace(base, periode=periode, kecamatan=kecamatan, desa="", indikator=(), indikator_label="Semua indikator",
                               area_nama=base.area_nama if same_area else None)


def from_models(page: ringkasan.RingkasanView, area: profil.ProfilView) -> BriefData:
    """The brief's content from the Ringkasan model (the numbers, as queried) and the Profil model (who the area is):
    the very numbers of the pages, nothing asked again."""
    facts, who = page.facts, area.facts
    if facts is None or who is None:
        raise ValueError("the models were built without their facts")
    return BriefData(
        kode=who.kode, nama=who.nama, kabupaten=who.kabupaten, periode=facts.periode, sintetis=facts.sintetis,
        total=dict(facts.total), penduduk=who.penduduk, perkiraan=who.perkiraan, previous=facts.previous,
        indikator=facts.indikator, trend=facts.trend,
        map_values=facts.map_values if facts.map_values is not None else pd.DataFrame(columns=["kode", "jumlah", "per_1000"]),
        geometry=facts.geometry if facts.geometry is not None else pd.DataFrame(columns=["kode", "nama", "geom"]),
        map_level=facts.map_level, villages=facts.villages, missing=facts.missing, sources=list(who.sources),
        villages_note=facts.villages_note,
    )


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=200, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def map_png(data: BriefData, public: int | None) -> bytes | None:
    """PMKS per 1.000 penduduk per area in grey classes; hatched = no report or hidden."""
    if data.geometry.empty:
        return None
    values = data.map_values.set_index("kode").reindex(data.geometry["kode"])
    rate = values["per_1000"].astype("Float64").astype(float)
    if public:  # a rate resting on 1..threshold-1 people points at them
        small = (values["jumlah"].astype(float) > 0) & (values["jumlah"].astype(float) < public)
        rate = rate.where(~small.to_numpy(), np.nan)
    classes = maps.classify(rate, "quantile", 5, 1)
    k = len(classes.bounds)
    colours = GREYS.get(k, GREYS[5])[:k] if k >= 3 else GREYS[3][:k]
    cls = classes.assign(pd.Series(rate.to_numpy()))
    geoms = shapely.from_geojson(data.geometry["geom_peta"].to_numpy())
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"cls": cls}, geometry=geoms, crs="EPSG:4326")
    fig, ax = plt.subplots(figsize=(MAP_W, MAP_H))
    for c in range(1, k + 1):
        part = frame[frame["cls"] == c]
        if not part.empty:
            part.plot(ax=ax, color=colours[c - 1], edgecolor="#000000", linewidth=0.3)
    empty = frame[frame["cls"] == 0]
    if not empty.empty:
        empty.plot(ax=ax, facecolor="white", edgecolor="#000000", linewidth=0.3, hatch="////")
    if data.map_level == "desa":  # the kecamatan's own border, heavier than the desa lines
        gpd.GeoSeries([shapely.union_all(geoms, grid_size=1e-4)]).boundary.plot(ax=ax, color="#000000", linewidth=0.9)
    names = data.map_values.set_index("kode")["nama"]  # kecamatan names, or the desa names of a kecamatan brief
    for code, point in zip(data.geometry["kode"], shapely.point_on_surface(geoms)):
        ax.annotate(names.get(code, ""), (point.x, point.y), fontsize=5 if data.map_level == "kecamatan" else 4.5, ha="center",
                    va="center", bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))
    handles = [Patch(facecolor=colours[i], edgecolor="black", label=classes.labels[i]) for i in range(k)]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="////",
                         label="tidak ada laporan" + (" / disembunyikan" if public else "")))
    ax.legend(handles=handles, title="PMKS per 1.000 penduduk", fontsize=6, title_fontsize=6.5, loc="lower left",
              bbox_to_anchor=(1.0, 0.0), frameon=False)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return _png(fig)


def trend_png(data: BriefData, public: int | None = None) -> bytes:
    return _png(trend_figure(data, public))


def trend_figure(data: BriefData, public: int | None = None):
    """The 12-month total as a line over the reports received per month (grey bars, right axis), with the
    like-for-like line over the desa that reported every month (dashed), masked for public release."""
    tr = release.trend(data.trend, public, parts=("sebanding",))
    fig, ax = plt.subplots(figsize=(4.2, 2.2))
    x = np.arange(len(tr))
    bars = ax.twinx()  # reports behind the lines
    bars.bar(x, tr["laporan"], color="#d9d9d9", width=0.6, label="Laporan diterima (kanan)")
    bars.set_ylim(0, max(1, int(tr["laporan"].max() or 0)) * 1.15)
    bars.tick_params(axis="y", labelsize=5.5, colors="#737373")
    bars.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4, integer=True))
    bars.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt.angka(v)))
    ax.set_zorder(bars.get_zorder() + 1)
    ax.patch.set_visible(False)
    total = tr["jumlah"].astype("Float64").astype(float)
    ax.plot(x, total, color="black", marker="o", markersize=3, linewidth=1.2, label="Total PMKS")
    steady = queries.always_reporting(data.trend)
    if steady and "sebanding" in tr:
        ax.plot(x, tr["sebanding"].astype("Float64").astype(float), color="black", linestyle="--", marker="s", markersize=2.2,
                linewidth=1, label=f"Desa yang selalu melapor ({fmt.angka(steady)} desa)")
    ax.set_xticks(x, [fmt.bulan_pendek(p).replace(" 20", " '") for p in tr["periode"]], fontsize=6, rotation=45, ha="right")
    ax.tick_params(axis="y", labelsize=6)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt.angka(v)))
    ax.set_ylim(bottom=0)
    ax.set_title("Tren 12 bulan, semua indikator (jiwa)", fontsize=7.5, loc="left")
    ax.grid(axis="y", color="#cccccc", linewidth=0.5)
    handles = ax.get_legend_handles_labels()[0] + bars.get_legend_handles_labels()[0]
    ax.legend(handles=handles, fontsize=5.5, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=3, frameon=False)
    for side in ("top",):
        ax.spines[side].set_visible(False)
        bars.spines[side].set_visible(False)
    return fig


# --- the page --------------------------------------------------------------------------------------------

class _Page(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(12, 10, 12)
        self.set_auto_page_break(False)

    def footer(self):
        self.set_y(-11)
        self.set_font("DejaVu", "", 6.5)
        self.multi_cell(0, 3, self.footer_text, align="L")


A4Page = _Page  # an A4 page with the DejaVu fonts and a footer, for other printable documents (accounts.bulk)


def render(data: BriefData, public: int | None = None, today: date | None = None) -> bytes:
    """The PDF bytes of the brief; `public` = the release threshold when small counts must be hidden.

    Long because it lays out one A4 page from top to bottom: each block's position depends on the one above it."""
    today = today or date.today()
    source = f"Sumber: laporan PSM yang diimpor ke Dasbor PMKS (Dinsos P3A PMD {data.kabupaten})"
    if data.sources:
        source += "; penduduk: " + "; ".join(dict.fromkeys(data.sources))
    footer = f"Dibuat {fmt.tanggal(today)}. {source}."
    if data.sintetis:
        footer = "DATA DEMO SINTETIS, bukan data PMKS sebenarnya. " + footer
    pdf = _Page(footer)
    pdf.set_title(f"Ringkasan PMKS {data.nama} {fmt.bulan(data.periode)}")
    pdf.set_author("Dasbor PMKS")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 7, f"Ringkasan PMKS — {data.nama}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, f"{fmt.bulan(data.periode)} · Dinas Sosial P3A PMD {data.kabupaten}", new_x="LMARGIN", new_y="NEXT")
    if data.sintetis:
        pdf.set_font("DejaVu", "B", 8.5)
        pdf.cell(0, 5, "DATA DEMO SINTETIS — angka dibuat acak untuk peragaan, bukan data PMKS sebenarnya.", border=1,
                 new_x="LMARGIN", new_y="NEXT", align="C")
    if public:
        pdf.set_font("DejaVu", "", 7.5)
        pdf.cell(0, 4.5, f"Mode rilis publik: jumlah 1–{public - 1} ditulis <{public}; x = disembunyikan agar nilai kecil tidak dapat dihitung.",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)

    # headline figures
    t = data.total
    rate = t["jumlah"] / data.penduduk * 1000 if data.penduduk else None
    boxes = [
        ("Total PMKS", release.label(public) if release.small(t["jumlah"], public) else f"{fmt.angka(t['jumlah'])} jiwa"),
        ("Per 1.000 penduduk", fmt.angka(rate, 1) + (" *" if data.perkiraan else "") if rate is not None else "–"),
        ("Laporan masuk (desa)", f"{fmt.angka(t['laporan'])}/{fmt.angka(t['desa'])} ({fmt.persen(t['laporan'] / t['desa'] if t['desa'] else 0)})"),
    ]
    if data.previous and data.previous["pembanding"]:
        d = data.previous["sekarang"] - data.previous["pembanding"]
        boxes.append((f"Dibanding {fmt.bulan(data.previous['periode'])}",
                      f"{'+' if d >= 0 else ''}{fmt.angka(d)} ({'+' if d >= 0 else ''}{fmt.persen(d / data.previous['pembanding'])})"))
    box_w = width / len(boxes)
    y0 = pdf.get_y()
    for i, (label, value) in enumerate(boxes):
        pdf.set_xy(pdf.l_margin + i * box_w, y0)
        pdf.set_font("DejaVu", "", 7)
        pdf.cell(box_w - 2, 4, label, border="LTR")
        pdf.set_xy(pdf.l_margin + i * box_w, y0 + 4)
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.cell(box_w - 2, 6, _clip(pdf, value, box_w - 2), border="LBR")
    pdf.set_xy(pdf.l_margin, y0 + 11)
    pdf.set_font("DejaVu", "", 6.5)
    notes = "Perubahan sebanding: hanya desa yang melapor di kedua bulan."
    if data.perkiraan:
        notes += " * penduduk perkiraan."
    pdf.cell(0, 3.5, notes, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)

    # map (left) and indicators + trend (right)
    top = pdf.get_y()
    png = map_png(data, public)
    if png:
        pdf.image(io.BytesIO(png), x=pdf.l_margin, y=top, w=width * 0.56)
    else:
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(width * 0.5, 4, "Peta belum tersedia: batas wilayah desa belum diimpor (admin dapat mengimpornya di halaman Pengguna & Pengaturan).")
    right = pdf.l_margin + width * 0.57
    pdf.set_xy(right, top)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, "Indikator terbesar", new_x="LEFT", new_y="NEXT")
    ind = data.indikator.head(TOP_INDICATORS)
    shown = [fmt.angka(v) for v in ind["jumlah"]]
    if public:
        labels = release.series_labels(data.indikator.set_index("nama")["jumlah"], public)
        shown = [str(labels[n]) if isinstance(labels[n], str) else fmt.angka(labels[n]) for n in ind["nama"]]
    pdf.set_font("DejaVu", "", 7.5)
    col_w = width * 0.43
    for name, value in zip(ind["nama"], shown):
        pdf.set_x(right)
        pdf.cell(col_w * 0.78, 4.2, _clip(pdf, name, col_w * 0.78), border="B")
        pdf.cell(col_w * 0.22, 4.2, value, border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.image(io.BytesIO(trend_png(data, public)), x=right, w=col_w)
    trend_end = pdf.get_y()
    pdf.set_y(max(trend_end, top + width * 0.56 * MAP_H / MAP_W * 0.92) + 2)

    # priority villages
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, f"Desa/kelurahan prioritas ({len(data.villages)} teratas; peringkat dan kuintil se-{data.kabupaten}, K1 = 20% teratas)",
             new_x="LMARGIN", new_y="NEXT")
    if data.villages.empty:
        pdf.set_font("DejaVu", "", 7.5)
        pdf.multi_cell(0, 3.6, data.villages_note, new_x="LMARGIN", new_y="NEXT")
    else:
        _village_table(pdf, data, public, width)
    pdf.ln(1.5)

    # completeness
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, f"Kelengkapan: {fmt.angka(t['laporan'])} dari {fmt.angka(t['desa'])} desa/kelurahan melapor untuk {fmt.bulan(data.periode)}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    if data.missing.empty:
        pdf.cell(0, 4, "Semua desa/kelurahan sudah melapor.", new_x="LMARGIN", new_y="NEXT")
    else:
        names = [f"{n} ({k})" if data.map_level == "kecamatan" else n for n, k in zip(data.missing["nama"], data.missing["kecamatan"])]
        more = len(names) - MISSING_LISTED
        text = "Belum melapor: " + ", ".join(names[:MISSING_LISTED]) + (f", dan {fmt.angka(more)} lainnya." if more > 0 else ".")
        pdf.multi_cell(0, 3.6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 6.5)
    pdf.multi_cell(0, 3.2, "Metode indeks: laju PMKS per 1.000 penduduk per kelompok, disusutkan ke laju kecamatan (Bayes empiris, "
                   "Marshall 1991), diskalakan 0–100 dan dirata-rata dengan bobot sama. Angka hanya dari laporan yang sudah "
                   "masuk; desa yang belum melapor tidak dihitung sebagai nol.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _village_table(pdf: FPDF, data: BriefData, public: int | None, width: float) -> None:
    """The top priority villages: rank, name, kecamatan, index, quintile (the Prioritas page's K1-K5, over the
    kabupaten) and the group that lifts each most."""
    groups = [c.split(":", 1)[1] for c in data.villages.columns if c.startswith("susut:")]
    heads = ["Peringkat", "Desa/Kelurahan", "Kecamatan", "Indeks", "Kuintil", "Kelompok paling menonjol", "Laporan"]
    widths = [0.09, 0.22, 0.17, 0.08, 0.08, 0.27, 0.09]
    pdf.set_font("DejaVu", "B", 7)
    for h, w in zip(heads, widths):
        pdf.cell(width * w, 4.5, h, border="B")
    pdf.ln()
    pdf.set_font("DejaVu", "", 7)
    shrunk = data.villages[[f"susut:{g}" for g in groups]].astype(float)
    shrunk.columns = groups
    for i, row in enumerate(data.villages.itertuples(index=False)):
        g = row.utama
        rate = prioritas.group_rate(shrunk[g].iloc[i], data.villages[f"jumlah:{g}"].iloc[i], public)
        rate = rate if isinstance(rate, str) else f"{fmt.angka(rate, 1)}/1.000"
        values = [str(row.peringkat), row.nama, row.kecamatan, fmt.angka(row.indeks, 1), f"K{int(row.kuintil)}",
                  f"{g[:1].upper()}{g[1:]} ({rate})", "ya" if row.laporan else "belum"]
        for v, w in zip(values, widths):
            pdf.cell(width * w, 4.2, _clip(pdf, str(v), width * w), border="B")
        pdf.ln()


def _clip(pdf: FPDF, text: str, width: float) -> str:
    """Shorten text with '…' to fit a cell."""
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "…") > width - 1:
        text = text[:-1]
    return text + "…"


def build(con, kode: str, periode: date, public: int | None = None, today: date | None = None) -> bytes:
    """The brief for a kecamatan or kabupaten code and month, as PDF bytes."""
    return render(collect(con, kode, periode), public, today)


def file_name(kode: str, periode: date) -> str:
    return f"ringkasan_pmks_{kode.replace('.', '')}_{periode:%Y-%m}.pdf"
