"""Map legends (no Streamlit here): the colour classes as a colour bar and the reference circles of a proportional
circle map; right of the map, or on a phone (a map narrower than NARROW pixels) in a strip under it, so that no label
is cut. Positions are paper fractions of the plot area under the title (`top` pixels)."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from common import fmt

NO_DATA = "#d9d9d9"
NO_DATA_LABEL = "tidak ada data"
CIRCLE_COLOR = "#1f5f8b"
LEGEND = 170  # pixels right of the map for the legend (colour classes or reference circles)
NARROW = 450  # a map (with its legend) narrower than this has its legend under the map
LEGEND_BELOW = 170  # pixels under a phone's map for its legend


def narrow(size: tuple[int, int]) -> bool:
    """Whether a map of this size is laid out for a phone (legend under the map)."""
    return size[0] < NARROW


def legend_x(width: int) -> float:
    """Where the legend strip right of the map starts (paper fraction): the map's right edge."""
    return round(1 - LEGEND / width, 4)


def colorbar(unit: str, n: int, ticktext: list[str], size: tuple[int, int]) -> dict:
    """The legend of class ranges (class 0 = no data): right of the map, or on a phone under it, labels beside the
    bar."""
    common = dict(title=dict(text=unit, side="top"), tickvals=list(range(n)), ticktext=ticktext, xpad=0)
    if narrow(size):
        return common | dict(thickness=14, x=0.02, xanchor="left", y=0.01, yanchor="bottom", lenmode="pixels", len=LEGEND_BELOW - 40)
    return common | dict(thickness=16, len=0.75, x=legend_x(size[0]), xanchor="left")


def circle_size(v: float, top: float, max_size: float = 38) -> float:
    """Diameter in pixels: area proportional to the value, the largest `max_size`, none smaller than 4."""
    return round(max(4.0, max_size * math.sqrt(v / top)), 1)


def circle_references(top: float, decimals: int = 0) -> list[float]:
    """Up to three round values for the circle legend, the largest not above `top` (e.g. 2.000, 1.000, 250)."""
    if top <= 0:
        return []
    out = []
    for target in (top, top / 3, top / 12):
        exponent = math.floor(math.log10(target))
        nice = max(m * 10 ** exponent for m in (1, 2, 2.5, 5) if m * 10 ** exponent <= target)
        nice = round(nice, decimals)
        if nice > 0 and nice not in out:
            out.append(nice)
    return out


def circle_legend(fig: go.Figure, references: list[float], top: float, max_size: float, unit: str, decimals: int,
                  size: tuple[int, int], title_px: int) -> None:
    """Reference circles with their values and grey = no data: right of the map, or on a phone in a row under it."""
    if narrow(size):
        _below(fig, references, top, max_size, unit, decimals, size, title_px)
        return
    width = size[0]
    x = legend_x(width) + (max_size / 2 + 2) / width
    fig.add_annotation(text=f"<b>{unit}</b><br>luas lingkaran<br>sebanding nilai", x=legend_x(width), y=0.95, xref="paper", yref="paper",
                       xanchor="left", yanchor="top", showarrow=False, align="left", font=dict(size=12))
    y = 0.72
    for value in references:
        _circle(fig, value, top, max_size, decimals, x, y)
        y -= 0.12
    fig.add_annotation(text=f"<span style='color:{NO_DATA}'>■</span> {NO_DATA_LABEL}", x=legend_x(width), y=y, xref="paper", yref="paper",
                       xanchor="left", yanchor="middle", showarrow=False, font=dict(size=12))


def _below(fig: go.Figure, references: list[float], top: float, max_size: float, unit: str, decimals: int,
           size: tuple[int, int], title_px: int) -> None:
    width, height = size
    px_y = lambda px: px / (height - title_px)  # noqa: E731 - pixels above the figure's bottom as a paper fraction
    fig.add_annotation(text=f"<b>{unit}</b>: luas lingkaran sebanding nilai", x=0.02, y=px_y(LEGEND_BELOW - 8), xref="paper",
                       yref="paper", xanchor="left", yanchor="top", showarrow=False, align="left", font=dict(size=12))
    x = 8 + max_size / 2
    for value in references:
        _circle(fig, value, top, max_size, decimals, x / width, px_y(LEGEND_BELOW / 2))
        x += max_size + 70
    fig.add_annotation(text=f"<span style='color:{NO_DATA}'>■</span> {NO_DATA_LABEL}", x=0.02, y=px_y(16), xref="paper", yref="paper",
                       xanchor="left", yanchor="middle", showarrow=False, font=dict(size=12))


def _circle(fig: go.Figure, value: float, top: float, max_size: float, decimals: int, x: float, y: float) -> None:
    """One reference circle at paper (x, y) and its value right of it."""
    d = circle_size(value, top, max_size)
    fig.add_shape(type="circle", xref="paper", yref="paper", xsizemode="pixel", ysizemode="pixel", xanchor=x, yanchor=y,
                  x0=-d / 2, x1=d / 2, y0=-d / 2, y1=d / 2, fillcolor=CIRCLE_COLOR, opacity=0.55, line=dict(width=0))
    fig.add_annotation(text=fmt.angka(value, decimals), x=x, y=y, xref="paper", yref="paper", xanchor="left", yanchor="middle",
                       xshift=max_size / 2 + 6, showarrow=False, font=dict(size=12))
