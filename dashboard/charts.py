"""Chart builders: a DataFrame in, a plotly figure out. No Streamlit here."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from common import fmt

COLOR = "#1f5f8b"
STEADY_COLOR = "#c45a00"
REPORTS_COLOR = "#d5dde5"
# The title sits under the mode bar's row (MODEBAR pixels: the camera of roles that may export), so that no button
# covers it at any window size.
MODEBAR = 36  # the title (Streamlit's chart theme: bold 16 px) starts below it
LAYOUT = dict(margin=dict(l=10, r=10, t=MODEBAR + 30, b=10), separators=",.", font=dict(size=13), height=380)


def _title(text: str) -> dict:
    """A chart's title, left-aligned under the mode bar's row."""
    return dict(text=text, x=0.01, xanchor="left", xref="container", y=1, yref="container", yanchor="top", pad=dict(t=MODEBAR))
REPORTS_LABEL = "Laporan diterima (sumbu kanan)"


def _hover_values(values: pd.Series, decimals: int) -> list[str]:
    return [fmt.angka(v, decimals) for v in values]


def _floats(values: pd.Series) -> list:
    """Numbers for plotly, None where missing (a gap in a line)."""
    return [None if pd.isna(v) else float(v) for v in values]


def _whole_step(top: float, ticks: int = 5) -> int:
    """A whole tick step (1, 2, 5, 10, 20, 50, ...) giving at most about `ticks` ticks up to `top`: reports are
    counted whole."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if top / (factor * magnitude) <= ticks:
                return factor * magnitude
        magnitude *= 10


def wrap(label: str, width: int) -> str:
    """A long label on several lines (plotly breaks lines at '<br>'), never cut short."""
    return "<br>".join(textwrap.wrap(str(label), width)) or str(label)


def bar_ranked(df: pd.DataFrame, label: str, value: str, title: str, decimals: int = 0, top: int = 30,
               source: str | None = None, wrap_at: int | None = None) -> go.Figure:
    """Horizontal bars, largest on top, values in Indonesian format; `source` names a column (the population a
    rate stands on) shown in the hover; `wrap_at` breaks long labels into lines of that many characters (whole
    labels, never cut) and gives each bar the height of its lines."""
    data = df.dropna(subset=[value]).sort_values(value, ascending=False).head(top).iloc[::-1]
    text = _hover_values(data[value], decimals)
    extra = source is not None and source in data
    labels = [wrap(v, wrap_at) for v in data[label]] if wrap_at else list(data[label])
    fig = go.Figure(go.Bar(
        x=data[value], y=labels, orientation="h", marker_color=COLOR, text=text, textposition="auto", textangle=0,
        customdata=data[source].fillna("–") if extra else None,
        hovertemplate="%{y}: %{text}" + ("<br>Penduduk: %{customdata}" if extra else "") + "<extra></extra>",
    ))
    lines = max((v.count("<br>") + 1 for v in labels), default=1)
    per_bar = (14 + 12 * lines) * len(data) if wrap_at else 22 * len(data)  # rows tall enough for a wrapped name
    fig.update_layout(title=_title(title), **{**LAYOUT, "height": max(300, per_bar + 80)})
    fig.update_xaxes(tickformat=",d" if decimals == 0 else ",.1f")
    if wrap_at:
        fig.update_yaxes(automargin=True, tickfont=dict(size=12))
    return fig


def line_trend(df: pd.DataFrame, value: str, title: str, decimals: int = 0, height: int | None = None,
               reports: str | None = "laporan", steady: str | None = None, steady_label: str = "") -> go.Figure:
    """Monthly line with months written as 'Okt 2026'. With `reports` (a column of reports received per month) the
    reports are drawn as bars behind the line on their own axis (right), so a dip made by fewer reports is seen as
    such; with `steady` a second line, the like-for-like total over the desa that reported every month.

    The line is the first trace; the bars sit on the primary y axis and the lines on an overlaying one, because
    plotly draws an overlaying axis above the primary one."""
    labels = [fmt.bulan_pendek(p) for p in df["periode"]]
    months = [fmt.bulan(p) for p in df["periode"]]
    with_reports = reports is not None and reports in df
    on = "y2" if with_reports else "y"
    silent = [bool(n == 0) for n in df[reports]] if with_reports else [False] * len(df)

    def hover(col: str) -> list[str]:  # a month without any report says so; a hidden month shows '–'
        return ["tidak ada laporan" if s else t for s, t in zip(silent, _hover_values(df[col], decimals))]

    traces = [go.Scatter(
        x=labels, y=_floats(df[value]), mode="lines+markers", line=dict(color=COLOR, width=2), yaxis=on, name="Total PMKS",
        text=hover(value), customdata=months, hovertemplate="%{customdata}: %{text}<extra>Total PMKS</extra>",
    )]
    if steady is not None and steady in df:
        traces.append(go.Scatter(
            x=labels, y=_floats(df[steady]), mode="lines+markers", line=dict(color=STEADY_COLOR, width=2, dash="dash"), yaxis=on,
            name=steady_label, text=hover(steady), customdata=months,
            hovertemplate="%{customdata}: %{text}<extra>" + steady_label + "</extra>",
        ))
    if with_reports:
        traces.append(go.Bar(
            x=labels, y=_floats(df[reports]), marker_color=REPORTS_COLOR, name=REPORTS_LABEL, yaxis="y",
            text=_hover_values(df[reports], 0), customdata=months, textposition="none",
            hovertemplate="%{customdata}: %{text} laporan<extra></extra>",
        ))
    fig = go.Figure(traces)
    fig.update_layout(title=_title(title), **LAYOUT)
    fig.update_layout(height=height or LAYOUT["height"], showlegend=len(traces) > 1,
                      legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, font=dict(size=11)))
    number = dict(rangemode="tozero", tickformat=",d" if decimals == 0 else ",.1f")
    if with_reports:
        top = 1.6 * max(1, float(pd.to_numeric(df[reports]).max() or 0))  # the bars stay in the lower part, behind the lines
        fig.update_layout(
            yaxis=dict(side="right", showgrid=False, range=[0, top], dtick=_whole_step(top), tickformat=",d",
                       title=dict(text="Laporan diterima", font=dict(size=11)), tickfont=dict(color="#7a8894")),
            yaxis2=dict(overlaying="y", side="left", tickmode="auto", showgrid=True, **number),
        )
    else:
        fig.update_yaxes(**number)
    return fig


def share_line(df: pd.DataFrame, part: str, whole: str, title: str, height: int = 220) -> go.Figure:
    """A small monthly line of a share in percent (e.g. desa that reported out of all desa), 0–100%."""
    share = [100 * p / w if w else None for p, w in zip(df[part], df[whole])]
    text = [f"{fmt.persen(s / 100)} ({fmt.angka(p)} dari {fmt.angka(w)} desa)" if s is not None else "–"
            for s, p, w in zip(share, df[part], df[whole])]
    fig = go.Figure(go.Scatter(
        x=[fmt.bulan_pendek(p) for p in df["periode"]], y=share, mode="lines+markers", line=dict(color=COLOR, width=2),
        fill="tozeroy", fillcolor="rgba(31,95,139,0.12)", text=text, customdata=[fmt.bulan(p) for p in df["periode"]],
        hovertemplate="%{customdata}: %{text}<extra></extra>",
    ))
    fig.update_layout(title=_title(title), **{**LAYOUT, "height": height, "margin": dict(l=10, r=24, t=MODEBAR + 30, b=10)})
    fig.update_yaxes(range=[0, 105], ticksuffix="%", tickformat=",d")
    fig.update_xaxes(dtick=3 if len(df) > 6 else 1)  # plotly turns the labels where a narrow column would overlap them
    return fig
