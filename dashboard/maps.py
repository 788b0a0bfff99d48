"""Map builders: DataFrames in, plotly figures out, drawn with no network (no Streamlit here).

`go.Choroplethmap` with `map_style="white-bg"` draws polygons offline; the `carto-*` styles and
`go.Choropleth` (geo) fetch files from the internet and draw nothing without it. A tile basemap can
be switched on with PMKS_MAP_TILES (e.g. 'open-street-map') where the office has internet.

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

from etl import fmt

NO_DATA = "#d9d9d9"
NO_DATA_LABEL = "tidak ada data"
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
CIRCLE_COLOR = "#1f5f8b"


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


def view(geometry: pd.DataFrame, width: int = 940, height: int = 580, legend: int = 170) -> dict:
    """Centre and zoom that fit every area in the part of the map left of the legend (`legend` pixels)."""
    geoms = shapely.from_geojson(geometry["geom_peta"].to_numpy())
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    span_x, span_y = max(x1 - x0, 1e-3), max(y1 - y0, 1e-3)
    mercator = math.cos(math.radians((y0 + y1) / 2))
    usable = width - legend
    # MapLibre zoom z shows the world 512 x 2^z pixels wide
    zoom = min(math.log2(usable * 360 / (512 * span_x)), math.log2(height * 360 * mercator / (512 * span_y))) - 0.1
    degrees_per_pixel = 360 / (512 * 2 ** zoom)
    centre_x = (x0 + x1) / 2 + legend / 2 * degrees_per_pixel  # shift the areas left, clear of the legend
    return {"center": {"lon": round(float(centre_x), 4), "lat": round(float(y0 + y1) / 2, 4)}, "zoom": round(zoom, 2)}


def _style() -> str:
    return os.environ.get("PMKS_MAP_TILES") or "white-bg"


def _hover(df: pd.DataFrame, value_text: list[str], level: str, unit: str) -> tuple[np.ndarray, str]:
    """Compact hover data: name, value, rank, reports received [, kecamatan]."""
    top = int(df["dari"].max()) if "dari" in df and df["dari"].notna().any() else (  # a model's own "of how many"
        int(df["peringkat"].max()) if df["peringkat"].notna().any() else 0)
    rank = ["–" if pd.isna(r) else str(int(r)) for r in df["peringkat"]]
    reports = [f"{int(a)}/{int(b)}" for a, b in zip(df["laporan"], df["desa"])]
    columns = [df["nama"], value_text, rank, reports] + ([df["kecamatan"].fillna("")] if level == "desa" else [])
    source = ""
    if "penduduk" in unit and "sumber_penduduk" in df:  # a rate says which population it stands on
        source = f"<br>Penduduk: %{{customdata[{len(columns)}]}}"
        columns.append([(s + (" (perkiraan)" if bool(e) and "perkiraan" not in s.lower() else "")) if isinstance(s, str) else "tidak ada"
                        for s, e in zip(df["sumber_penduduk"], df["perkiraan"].fillna(False))])
    template = ("<b>%{customdata[0]}</b>" + ("<br>Kec. %{customdata[4]}" if level == "desa" else "")
                + f"<br>Nilai: %{{customdata[1]}} {unit}<br>Peringkat: %{{customdata[2]}} dari {top}"
                + "<br>Laporan diterima: %{customdata[3]} desa" + source + "<extra></extra>")
    return np.column_stack(columns).tolist(), template  # lists, not an object array: orjson serialises them directly


def with_rank(df: pd.DataFrame, value: str) -> pd.DataFrame:
    """Rank by `value` (1 = largest), unless the frame brings its own rank (e.g. among more areas than are drawn)."""
    out = df.copy()
    if "peringkat" not in out:
        out["peringkat"] = out[value].astype(float).rank(ascending=False, method="min")
    return out


def choropleth(df: pd.DataFrame, geometry: pd.DataFrame, value: str, classes: Classes, title: str, unit: str,
               level: str, decimals: int = 0, labels: bool = True, size: tuple[int, int] = (940, 580)) -> go.Figure:
    """A filled map: one colour per class, grey where there is no data, a legend of class ranges."""
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
        colorbar=dict(title=dict(text=unit, side="top"), tickvals=list(range(n)), ticktext=[NO_DATA_LABEL, *classes.labels],
                      thickness=16, len=0.75, x=1.0, xanchor="right", bgcolor="rgba(255,255,255,0.85)"),
    ))
    if labels and level == "kecamatan":
        _add_labels(fig, geometry, df)
    return _layout(fig, geometry, title, size)


def circles(df: pd.DataFrame, geometry: pd.DataFrame, value: str, title: str, unit: str, level: str, decimals: int = 0,
            max_size: float = 38, size: tuple[int, int] = (940, 580)) -> go.Figure:
    """Proportional circles (area proportional to the count) over light boundaries: counts are not densities."""
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
    sizes = [0 if pd.isna(v) or top <= 0 else round(max(4.0, max_size * math.sqrt(v / top)), 1) for v in values]
    fig.add_trace(go.Scattermap(
        lon=points["lon"], lat=points["lat"], mode="markers", hoverinfo="skip", showlegend=False,
        marker=dict(size=sizes, color=CIRCLE_COLOR, opacity=0.55, sizemode="diameter"),
    ))
    if level == "kecamatan":
        _add_labels(fig, geometry, df)
    fig.add_annotation(text=f"Luas lingkaran sebanding dengan {unit}; terbesar {fmt.angka(top, decimals)}", x=0.01, y=0.01,
                       xref="paper", yref="paper", showarrow=False, bgcolor="rgba(255,255,255,0.85)", font=dict(size=12))
    return _layout(fig, geometry, title, size, legend=0)


def _add_labels(fig: go.Figure, geometry: pd.DataFrame, df: pd.DataFrame) -> None:
    points = centroids(geometry).merge(df[["kode", "nama"]], on="kode")
    fig.add_trace(go.Scattermap(
        lon=points["lon"], lat=points["lat"], mode="text", text=points["nama"].tolist(), hoverinfo="skip", showlegend=False,
        textfont=dict(size=11, color="#222222"),
    ))


def _layout(fig: go.Figure, geometry: pd.DataFrame, title: str, size: tuple[int, int], legend: int = 170) -> go.Figure:
    width, height = size
    fig.update_layout(
        title=dict(text=title, x=0.01), map=dict(style=_style(), **view(geometry, width, height - 40, legend)),
        margin=dict(l=0, r=0, t=40, b=0), height=height, separators=",.", font=dict(size=13), clickmode="event+select", template="none",
    )
    return fig

