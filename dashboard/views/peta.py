"""Peta: where PMKS are, by kecamatan or desa, drawn offline; rates as a choropleth, counts as circles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from common import fmt
from dashboard import maps, queries, release
from dashboard.queries import Selection
from dashboard.views import Filters, Settings, completeness, rate_notes, table
from dashboard.views.frozen import Model

CAMERA_NOTE = "Tombol kamera di pojok kanan atas peta menyimpan gambar PNG (dicatat di audit)."
NO_BOUNDARIES = ("Batas wilayah desa belum dipasang, sehingga peta belum dapat digambar. Admin memasangnya di halaman "
                 "**Pengguna & Pengaturan**: batas bawaan aplikasi (tanpa internet) atau berkas GIS kantor.")


@dataclass(frozen=True)
class MapChoice:
    """What the Peta page's own controls say (the shared filters come separately)."""

    level: str = "kecamatan"  # kecamatan | desa (desa whenever a kecamatan is chosen)
    mode: str = "sebaran"  # sebaran | perubahan
    span: str = "bulan"  # bulan | rata | jumlah
    start: date | None = None  # the range, when span is not 'bulan'
    end: date | None = None
    style: str = "otomatis"  # otomatis | koroplet | lingkaran
    method: str = "quantile"
    k: int = 5
    stable: bool = False  # classes from the latest 12 months
    other: date | None = None  # the month a change map compares with
    width: int | None = None  # the page's width in the browser (pixels; None: not known)


@dataclass
class PetaView(Model):
    title: str
    stop: str | None = None  # no boundaries, or no month to compare with
    figure: go.Figure | None = None
    codes: list[str] = field(default_factory=list)  # the map's features in order (a click names one)
    notes: list[str] = field(default_factory=list)
    release_notice: str | None = None
    table: pd.DataFrame | None = None  # as shown
    export: pd.DataFrame | None = None  # numbers, for CSV/XLSX
    name: str = ""


def heading(f: Filters, region: str) -> str:
    """The page's heading: shown above the map's controls, before the model is built."""
    return f"Peta PMKS — {f.area_nama or region}"


def uses_circles(f: Filters, mode: str, style: str) -> bool:
    """Counts are drawn as proportional circles (chosen, or automatic for counts); a change map is always coloured."""
    return mode == "sebaran" and (style == "lingkaran" or (style == "otomatis" and not f.per1000))


def compare_default(months: list[date], periode: date) -> date | None:
    """The month a change map compares with by default: a year before, else the month before."""
    year_ago = periode.replace(year=periode.year - 1)
    earlier = [m for m in months if m < periode]
    return year_ago if year_ago in months else (earlier[-1] if earlier else None)


def build(con, f: Filters, settings: Settings, choice: MapChoice = MapChoice()) -> PetaView:  # noqa: ARG001, B008
    info = queries.warehouse_info(con)
    level = "desa" if f.kecamatan else choice.level
    names = dict(zip(*queries.kecamatan_list(con)[["kode", "nama"]].to_numpy().T))
    where = f"Kec. {names[f.kecamatan]}" if f.kecamatan in names else info["nama"]
    v = PetaView(title=heading(f, info["nama"]), name=f"peta_pmks_{level}_{f.periode:%Y-%m}")
    if not info["batas"]:
        v.stop = NO_BOUNDARIES
        return v
    months = queries.periods(con)
    start, end = (choice.start or f.periode, choice.end or f.periode) if choice.span != "bulan" else (f.periode, f.periode)
    value, unit = ("per_1000", "per 1.000 penduduk") if f.per1000 else ("jumlah", "jiwa")
    decimals = 1 if f.per1000 or choice.span == "rata" else 0
    area = Selection(area=f.kecamatan, indikator=f.indikator)
    data = release.rows(queries.map_values(con, start, end, area, level, "mean" if choice.span == "rata" else "sum"), f.rilis)
    geometry = queries.map_geometry(con, level, f.kecamatan)
    size = maps.size((940, 580), choice.width, 640)
    if choice.mode == "perubahan":
        other = choice.other or compare_default(months, f.periode)
        if other is None:
            v.stop = "Belum ada bulan sebelumnya untuk dibandingkan."
            return v
        data = _change(con, area, level, value, f, other)
        classes = maps.classify(data[value], k=choice.k, decimals=decimals, diverging=True)
        v.figure = maps.choropleth(data, geometry, value, classes, f"Perubahan PMKS ({unit}), {fmt.bulan(other)} → "
                                   f"{fmt.bulan(f.periode)} — {where}", f"perubahan {unit}", level, decimals, size=size)
        v.notes.append("Biru: turun, merah: naik; abu-abu: salah satu bulan tidak ada laporan" + (" atau penduduk" if f.per1000 else "") + ".")
    else:
        label = fmt.bulan(f.periode) if choice.span == "bulan" else \
            f"{'rata-rata' if choice.span == 'rata' else 'jumlah'} {fmt.bulan(start)} – {fmt.bulan(end)}"
        title = f"PMKS ({unit}), {label} — {where}"
        if uses_circles(f, choice.mode, choice.style):
            v.figure = maps.circles(data, geometry, value, title, unit, level, decimals, size=size)
        else:
            pool = data[value]
            if choice.stable and choice.span == "bulan":  # classes from the latest 12 months, whichever month is shown
                pool = [x for m in months[-12:] for x in queries.map_values(con, m, m, area, level, "sum")[value].dropna()]
            v.figure = maps.choropleth(data, geometry, value, maps.classify(pool, choice.method, choice.k, decimals), title, unit, level,
                                       decimals, size=size)
    v.codes = geometry["kode"].tolist()
    received = int(data["laporan"].sum()) if choice.span == "bulan" else int(queries.total_for_month(con, f.periode, area)["laporan"])
    hint = " Klik kecamatan di peta (atau pilih kecamatan di samping) untuk melihat desanya." if level == "kecamatan" else ""
    v.notes.insert(0, f"{completeness(received, int(data['desa'].sum()))} pada {fmt.bulan(f.periode)}.{hint}")
    if f.per1000 and (note := rate_notes(data)):
        v.notes.append(note)
    v.release_notice = release.notice(f.rilis)
    _table(v, data, value, unit, level, decimals, choice.mode, bool(f.rilis))
    return v


def _change(con, area: Selection, level: str, value: str, f: Filters, other: date) -> pd.DataFrame:
    before = release.rows(queries.map_values(con, other, other, area, level, "sum"), f.rilis).set_index("kode")
    now = release.rows(queries.map_values(con, f.periode, f.periode, area, level, "sum"), f.rilis).set_index("kode")
    data = now.copy()
    data[value] = now[value] - before[value]
    return data.reset_index()


def _table(v: PetaView, data: pd.DataFrame, value: str, unit: str, level: str, decimals: int, mode: str, public: bool) -> None:
    """The table behind the map: every desa with its kecamatan and code; numbers for export, text for the page."""
    shown = maps.with_rank(data, value)
    column = f"Nilai ({unit})" if mode == "sebaran" else f"Perubahan ({unit})"
    values = shown[value].astype("Float64").round(decimals)
    values = values.astype("Int64") if decimals == 0 else values  # counts export whole, never 395,0
    out = pd.DataFrame({
        "Kode": shown["kode"], "Wilayah": shown["nama"], "Kecamatan": shown["kecamatan"] if level == "desa" else shown["nama"],
        column: [r or x for r, x in zip(shown["rilis"], values)] if public else values,
        "Peringkat": shown["peringkat"].astype("Int64"),
        "Desa melapor": shown["laporan"].astype("Int64"), "Jumlah desa": shown["desa"].astype("Int64"),  # '1/1' is a date to Excel
        "Penduduk": shown["penduduk"].astype("Float64").round().astype("Int64"),
        "Penduduk perkiraan": ["ya" if e is True or e == 1 else "tidak" for e in shown["perkiraan"]],
        "Sumber penduduk": shown["sumber_penduduk"] if "sumber_penduduk" in shown else None,
    })
    if public:  # population beside a rate would give the hidden count back
        out = out.drop(columns=["Penduduk"])
    v.export = out.sort_values("Peringkat", na_position="last").reset_index(drop=True)
    v.table = table(v.export, {column: decimals, "Peringkat": 0, "Desa melapor": 0, "Jumlah desa": 0, "Penduduk": 0})
