"""Map builders: DataFrames in, plotly figures out, drawn with no network (no Streamlit here).

`go.Choroplethmap` draws polygons offline on the app's own MapLibre style (a white background, `peta-gaya.json`)
whose label glyphs the app serves too (dashboard.glyphs, server.py): plotly's "white-bg" would fetch its fonts
from the internet, and the `carto-*` styles and `go.Choropleth` (geo) fetch files and draw nothing without it.
A tile basemap can be switched on with PMKS_MAP_TILES (e.g. 'open-street-map') where the office has internet.

Each map is fitted to the pixels it is drawn in (`view`), left of a legend strip (colour classes or reference
circles) that never covers an area; desa maps carry kecamatan borders, and one kecamatan's desa their names.

Classes follow DHIS2 and ColorBrewer practice: quantile, equal interval or natural breaks (mapclassify),
3-7 classes, a colour-blind-safe sequential palette (YlOrRd), a diverging one (RdBu) centred on zero for
change maps, and grey for areas without data. One trace carries every polygon; its colour bar is the
legend, with class ranges in Indonesian number format.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from common import fmt
from dashboard import glyphs
from dashboard.legend import (  # noqa: F401 - circle_references, circle_size: part of this module's interface
    CIRCLE_COLOR,
    LEGEND,
    LEGEND_BELOW,
    NARROW,
    NO_DATA,
    NO_DATA_LABEL,
    circle_legend,
    circle_references,
    circle_size,
    colorbar,
    legend_x,
    narrow,
)

# ColorBrewer YlOrRd and RdBu (colour-blind safe), by number of classes
SEQUENTIAL = {
    3: ["#ffeda0", "#feb24c", "#f03b20"],
    4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
    5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
    7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
}
DIVERGING = {
    3: ["#67a9cf", "#f7f7f7", "#ef8a62"],
    4: ["#0571b0", "#92c5de", "#f4a582", "#ca0020"],
    5: ["#0571b0", "#92c5de", "#f7f7f7", "#f4a582", "#ca0020"],
    6: ["#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b"],
    7: ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"],
}
METHODS = {"quantile": "Kuantil", "equal": "Interval sama", "natural": "Jeda alami (Jenks)"}


@dataclass
class Classes:
    """Upper bounds of each class (the first class starts at `low`), labels and colours; class 0 = no data."""

    low: float
    bounds: list[float]
    labels: list[str]
    colors: list[str]

    def assign(self, values: pd.Series) -> np.ndarray:
        """Class number per value: 1..k, 0 for missing."""
        v = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
        out = np.searchsorted(np.asarray(self.bounds[:-1]), v, side="left") + 1
        out = np.minimum(out, len(self.bounds))
        return np.where(np.isnan(v), 0, out)


def classify(values, method: str = "quantile", k: int = 5, decimals: int = 0, diverging: bool = False) -> Classes:
    """Class breaks of the non-missing values (pool several months' values for classes that stay put)."""
    y = pd.to_numeric(pd.Series(values), errors="coerce").dropna().astype(float).to_numpy()
    k = max(3, min(7, int(k)))
    if y.size == 0:
        return Classes(0.0, [], [], [])
    if diverging:
        return _diverging(y, k, decimals)
    unique = np.unique(y)
    k_eff = min(k, unique.size)
    if k_eff <= 1:
        bounds = [float(unique[0])]
    elif method == "equal":
        bounds = list(mapclassify.EqualInterval(y, k=k_eff).bins)
    elif method == "natural":
        import warnings

        with warnings.catch_warnings():  # without numba mapclassify says it runs its pure-Python version
            warnings.simplefilter("ignore")
            if y.size > 200:  # Fisher-Jenks is quadratic (pure Python without numba): classify a sample of 200 values
                np.random.seed(0)  # FisherJenksSampled samples at random; the same data gives the same map
                bounds = list(mapclassify.FisherJenksSampled(y, k=k_eff, pct=200 / y.size).bins)
            else:
                bounds = list(mapclassify.FisherJenks(y, k=k_eff).bins)
    else:
        bounds = list(mapclassify.Quantiles(y, k=k_eff).bins)
    bounds = sorted({float(b) for b in bounds})
    bounds[-1] = max(bounds[-1], float(y.max()))
    colors = _spread(SEQUENTIAL[max(3, k)], len(bounds)) if len(bounds) < 3 else SEQUENTIAL[len(bounds)]
    return Classes(float(y.min()), bounds, _labels(float(y.min()), bounds, decimals), colors)


def _spread(palette: list[str], n: int) -> list[str]:
    return [palette[round(i * (len(palette) - 1) / max(1, n - 1))] for i in range(n)] if n > 1 else [palette[len(palette) // 2]]


def _diverging(y: np.ndarray, k: int, decimals: int) -> Classes:
    """Symmetric classes around zero; with an odd k the middle class holds the values near 'no change'."""
    top = float(np.abs(y).max()) or 1.0
    half = k // 2
    if k % 2:
        middle = top / k
        edges = [middle + i * (top - middle) / half for i in range(half + 1)]  # e0 = middle ... e_half = top
        bounds = [-e for e in reversed(edges[:-1])] + edges
    else:
        edges = [i * top / half for i in range(half + 1)]  # 0 ... top
        bounds = [-e for e in reversed(edges[1:-1])] + edges
    step = 10 ** (-decimals)
    bounds = sorted({round(b / step) * step for b in bounds})
    bounds[-1] = max(bounds[-1], float(y.max()))
    low = -top
    palette = DIVERGING.get(len(bounds)) or _spread(DIVERGING[7], len(bounds))
    return Classes(low, bounds, _labels(low, bounds, decimals), palette)


def _labels(low: float, bounds: list[float], decimals: int) -> list[str]:
    labels, start = [], low
    for b in bounds:
        labels.append(fmt.angka(start, decimals) if math.isclose(start, b) else f"{fmt.angka(start, decimals)} – {fmt.angka(b, decimals)}")
        start = b
    return labels


def feature_collection(geometry: pd.DataFrame) -> dict:
    """GeoJSON of the prepared map geometry (kode, geom_peta). A feature's id is its row number in `geometry`
    (the trace's `locations` use the same numbers; `geometry.kode` maps them back), and features carry no
    'type' or properties: plotly needs neither, and the Tuban desa map stays under 200 KB."""
    return {"type": "FeatureCollection", "features": [
        {"id": i, "geometry": json.loads(geom)} for i, geom in enumerate(geometry["geom_peta"])
    ]}


def locations(df: pd.DataFrame, geometry: pd.DataFrame) -> list[int]:
    """Feature ids of the rows of `df` (by kode)."""
    position = {k: i for i, k in enumerate(geometry["kode"])}
    return [position[k] for k in df["kode"]]


def centroids(geometry: pd.DataFrame) -> pd.DataFrame:
    """A point inside each area (for labels and circles)."""
    geoms = shapely.from_geojson(geometry["geom_peta"].to_numpy())
    points = shapely.point_on_surface(geoms)
    return pd.DataFrame({"kode": geometry["kode"].to_numpy(), "lon": shapely.get_x(points).round(3), "lat": shapely.get_y(points).round(3)})


PAD = 14  # pixels kept clear around the areas
# The title (wrapped) sits under the mode bar's row; on a phone the legend is under the map (dashboard.legend).
MODEBAR, TITLE_LINE = 36, 22  # Streamlit's chart theme sets titles in bold 16 px


def size(wide: tuple[int, int], width: int | None, phone_height: int) -> tuple[int, int]:
    """The size a map is laid out for: `wide`, or the `width` it really gets in the browser when that is narrower
    (under NARROW pixels the phone layout, `phone_height` high, legend under the map). None: not known, `wide`."""
    if width is None or width >= wide[0]:
        return wide
    return (width, phone_height) if narrow((width, 0)) else (width, wide[1])


def _top(title: str, size: tuple[int, int]) -> int:
    """Pixels above the map: the mode bar's row and the (wrapped) title."""
    return MODEBAR + TITLE_LINE * len(_wrap(title, size[0])) + 10


def _wrap(title: str, width: int) -> list[str]:
    """The title's lines for a map `width` pixels wide (about 8 px per character of bold 16 px text; 7,2 measured)."""
    limit, lines = max(20, int((width - 2 * MODEBAR) / 8)), [""]  # clear of the mode bar's camera too
    for word in title.split(" "):
        if lines[-1] and len(lines[-1]) + 1 + len(word) > limit:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return lines


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def view(geometry: pd.DataFrame, width: int = 770, height: int = 540, pad: int = PAD) -> dict:
    """Centre and zoom at which every area fits a map `width` x `height` pixels with `pad` pixels to spare."""
    geoms = shapely.from_geojson(geometry["geom_peta"].to_numpy())
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    span_x = max(x1 - x0, 1e-3)
    m0, m1 = _mercator_y(y0), _mercator_y(y1)
    span_y = max(m1 - m0, 1e-5)
    # MapLibre zoom z shows the world 512 x 2^z pixels wide (360 degrees, 2 pi of Mercator y)
    zoom = min(math.log2((width - 2 * pad) * 360 / (512 * span_x)), math.log2((height - 2 * pad) * 2 * math.pi / (512 * span_y)))
    zoom = math.floor(zoom * 100) / 100  # round down: never closer than the fit
    centre_lat = math.degrees(2 * math.atan(math.exp((m0 + m1) / 2)) - math.pi / 2)
    return {"center": {"lon": round(float(x0 + x1) / 2, 5), "lat": round(centre_lat, 5)}, "zoom": zoom}


def outline(geometry: pd.DataFrame) -> go.Scattermap | None:
    """Kecamatan borders (no fill) over a desa map: the desa dissolved by kecamatan code. With several kecamatan only
    the borders between them (the outer edge is the edge of the colour anyway), thinned to a pixel or two at
    kabupaten zoom, as float32 arrays with NaN gaps: the Tuban desa map stays within its payload budget."""
    codes = geometry["kode"].astype(str)
    if codes.empty or codes.str.len().max() <= 8:
        return None
    geoms = shapely.from_geojson(geometry["geom_peta"].to_numpy())
    kecamatan = [_solid(shapely.union_all(group.to_numpy(), grid_size=1e-4)) for _, group in pd.Series(list(geoms)).groupby(codes.str[:8].to_numpy())]
    borders = shapely.union_all(shapely.boundary(kecamatan), grid_size=1e-4)
    if len(kecamatan) > 1:
        borders = shapely.difference(borders, shapely.boundary(shapely.union_all(kecamatan, grid_size=1e-4)), grid_size=1e-4)
        borders = shapely.simplify(shapely.line_merge(borders), 0.002)  # a pixel or two at kabupaten zoom
    parts = [shapely.get_coordinates(line) for line in shapely.get_parts(shapely.line_merge(borders)) if not line.is_empty]
    xy = np.concatenate([np.vstack([p, [np.nan, np.nan]]) for p in parts]) if parts else np.empty((0, 2))
    return go.Scattermap(lon=xy[:, 0].astype(np.float32), lat=xy[:, 1].astype(np.float32), mode="lines",
                         line=dict(width=1.6, color="#333333"), hoverinfo="skip", showlegend=False, name="batas kecamatan")


def _solid(area: shapely.Geometry, min_hole: float = 5e-6) -> shapely.Geometry:
    """An area without the slivers left between its desa (holes under about 6 ha; real enclaves stay)."""
    parts = [shapely.Polygon(p.exterior, [r for r in p.interiors if shapely.Polygon(r).area >= min_hole])
             for p in shapely.get_parts(area) if p.geom_type == "Polygon"]
    return shapely.union_all(parts) if parts else area


def _style() -> str | dict:
    """A tile basemap named in PMKS_MAP_TILES, else a white background whose label glyphs the app serves itself."""
    return os.environ.get("PMKS_MAP_TILES") or glyphs.STYLE_URL


def _hover(df: pd.DataFrame, value_text: list[str], level: str, unit: str) -> tuple[list, str]:
    """Compact hover data: name, value, rank, reports received [, kecamatan]."""
    top = int(df["dari"].max()) if "dari" in df and df["dari"].notna().any() else (  # a model's own "of how many"
        int(df["peringkat"].max()) if df["peringkat"].notna().any() else 0)
    rank = ["–" if pd.isna(r) else str(int(r)) for r in df["peringkat"]]
    reports = [f"{int(a)}/{int(b)}" for a, b in zip(df["laporan"], df["desa"])]
    columns = [df["nama"], value_text, rank, reports] + ([df["kecamatan"].fillna("")] if level == "desa" else [])
    source = ""
    if "penduduk" in unit and "sumber_penduduk" in df:  # a rate says which population it stands on
        sources = [(s + (" (perkiraan)" if bool(e) and "perkiraan" not in s.lower() else "")) if isinstance(s, str) else "tidak ada"
                   for s, e in zip(df["sumber_penduduk"], df["perkiraan"].fillna(False))]
        if len(set(sources)) == 1:  # one source for every area: said once in the template, not 328 times in the data
            source = "<br>Penduduk: " + sources[0]
        else:
            source = f"<br>Penduduk: %{{customdata[{len(columns)}]}}"
            columns.append(sources)
    template = ("<b>%{customdata[0]}</b>" + ("<br>Kec. %{customdata[4]}" if level == "desa" else "")
                + f"<br>Nilai: %{{customdata[1]}} {unit}<br>Peringkat: %{{customdata[2]}} dari {top}"
                + "<br>Laporan diterima: %{customdata[3]} desa" + source + "<extra></extra>")
    columns[2] = [r if r == "–" else int(r) for r in rank]  # ranks as numbers: shorter in the figure than text
    return [list(row) for row in zip(*columns)], template  # lists, not an object array: orjson serialises them directly


def with_rank(df: pd.DataFrame, value: str) -> pd.DataFrame:
    """Rank by `value` (1 = largest), unless the frame brings its own rank (e.g. among more areas than are drawn)."""
    out = df.copy()
    if "peringkat" not in out:
        out["peringkat"] = out[value].astype(float).rank(ascending=False, method="min")
    return out


def choropleth(df: pd.DataFrame, geometry: pd.DataFrame, value: str, classes: Classes, title: str, unit: str,
               level: str, decimals: int = 0, labels: bool = True, size: tuple[int, int] = (940, 580)) -> go.Figure:
    """A filled map: one colour per class, grey where there is no data, a legend of class ranges right of the map."""
    df = with_rank(df.set_index("kode").reindex(geometry["kode"]).reset_index(), value)
    klass = classes.assign(df[value])
    colors = [NO_DATA, *classes.colors]
    n = len(colors)
    scale = []
    for i, c in enumerate(colors):
        scale += [[i / n, c], [(i + 1) / n, c]]
    text = [NO_DATA_LABEL if pd.isna(v) else fmt.angka(v, decimals) for v in df[value]]
    custom, template = _hover(df, text, level, unit)
    fig = go.Figure(go.Choroplethmap(
        geojson=feature_collection(geometry), locations=locations(df, geometry), z=klass, zmin=-0.5, zmax=n - 0.5,
        colorscale=scale, marker=dict(line=dict(width=0.6, color="#ffffff"), opacity=0.9),
        customdata=custom, hovertemplate=template,
        colorbar=colorbar(unit, n, [NO_DATA_LABEL, *classes.labels], size),
    ))
    _overlays(fig, geometry, df, level, labels)
    return _layout(fig, geometry, title, size)


def circles(df: pd.DataFrame, geometry: pd.DataFrame, value: str, title: str, unit: str, level: str, decimals: int = 0,
            max_size: float = 38, size: tuple[int, int] = (940, 580)) -> go.Figure:
    """Proportional circles (area proportional to the count) over light boundaries: counts are not densities.
    The legend right of the map shows reference circles with their values."""
    df = with_rank(df.set_index("kode").reindex(geometry["kode"]).reset_index(), value)
    text = [NO_DATA_LABEL if pd.isna(v) else fmt.angka(v, decimals) for v in df[value]]
    custom, template = _hover(df, text, level, unit)
    fig = go.Figure(go.Choroplethmap(
        geojson=feature_collection(geometry), locations=locations(df, geometry), z=[1 if pd.notna(v) else 0 for v in df[value]],
        zmin=0, zmax=1, colorscale=[[0, NO_DATA], [0.5, NO_DATA], [0.5, "#f2f2f2"], [1, "#f2f2f2"]], showscale=False,
        marker=dict(line=dict(width=0.6, color="#9e9e9e")), customdata=custom, hovertemplate=template,
    ))
    points = centroids(geometry).merge(df[["kode", value]], on="kode")
    values = points[value].astype(float)
    top = float(values.max()) if values.notna().any() else 0.0
    sizes = [0 if pd.isna(v) or top <= 0 else circle_size(v, top, max_size) for v in values]
    fig.add_trace(go.Scattermap(
        lon=points["lon"].astype(np.float32), lat=points["lat"].astype(np.float32), mode="markers", hoverinfo="skip", showlegend=False,
        marker=dict(size=sizes, color=CIRCLE_COLOR, opacity=0.55, sizemode="diameter"),
    ))
    _overlays(fig, geometry, df, level, True)
    circle_legend(fig, circle_references(top, decimals), top, max_size, unit, decimals, size, _top(title, size))
    return _layout(fig, geometry, title, size)


def _overlays(fig: go.Figure, geometry: pd.DataFrame, df: pd.DataFrame, level: str, labels: bool) -> None:
    """Kecamatan borders over desa; names of the kecamatan, or of the desa when one kecamatan is shown (last trace)."""
    border = outline(geometry) if level == "desa" else None
    if border is not None:
        fig.add_trace(border)
    one_kecamatan = level == "desa" and geometry["kode"].astype(str).str[:8].nunique() == 1
    if labels and (level == "kecamatan" or one_kecamatan):
        _add_labels(fig, geometry, df, 11 if level == "kecamatan" else 10)


def _add_labels(fig: go.Figure, geometry: pd.DataFrame, df: pd.DataFrame, size: int = 11) -> None:
    points = centroids(geometry).merge(df[["kode", "nama"]], on="kode")
    fig.add_trace(go.Scattermap(
        lon=points["lon"], lat=points["lat"], mode="text", text=points["nama"].tolist(), hoverinfo="skip", showlegend=False,
        textfont=dict(size=size, color="#222222"),
    ))


def _layout(fig: go.Figure, geometry: pd.DataFrame, title: str, size: tuple[int, int]) -> go.Figure:
    """The title under the mode bar's row (the camera never covers it), wrapped to the map's width; the map left of
    the legend strip (on a phone: above it), centred and zoomed so every area fits with room to spare."""
    width, height = size
    top = _top(title, size)
    phone = narrow(size)
    fig.update_layout(
        title=dict(text="<br>".join(_wrap(title, width)), x=0.01, xanchor="left", xref="container", y=1, yref="container",
                   yanchor="top", pad=dict(t=MODEBAR)),
        margin=dict(l=0, r=0, t=top, b=0), height=height, separators=",.", font=dict(size=13),
        map=dict(style=_style(), domain=dict(x=[0, 1], y=[LEGEND_BELOW / (height - top), 1]) if phone else dict(x=[0, legend_x(width)], y=[0, 1]),
                 **(view(geometry, width, height - top - LEGEND_BELOW) if phone else view(geometry, width - LEGEND, height - top))),
        clickmode="event+select", template="none",
    )
    return fig
