"""Chart builders: a DataFrame in, a plotly figure out. No Streamlit here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl import fmt

COLOR = "#1f5f8b"
LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), separators=",.", font=dict(size=13), height=380)


def _hover_values(values: pd.Series, decimals: int) -> list[str]:
    return [fmt.angka(v, decimals) for v in values]


def bar_ranked(df: pd.DataFrame, label: str, value: str, title: str, decimals: int = 0, top: int = 30,
               source: str | None = None) -> go.Figure:
    """Horizontal bars, largest on top, values in Indonesian format; `source` names a column (the population a
    rate stands on) shown in the hover."""
    data = df.dropna(subset=[value]).sort_values(value, ascending=False).head(top).iloc[::-1]
    text = _hover_values(data[value], decimals)
    extra = source is not None and source in data
    fig = go.Figure(go.Bar(
        x=data[value], y=data[label], orientation="h", marker_color=COLOR, text=text, textposition="auto",
        customdata=data[source].fillna("–") if extra else None,
        hovertemplate="%{y}: %{text}" + ("<br>Penduduk: %{customdata}" if extra else "") + "<extra></extra>",
    ))
    fig.update_layout(title=title, **{**LAYOUT, "height": max(300, 22 * len(data) + 80)})
    fig.update_xaxes(tickformat=",d" if decimals == 0 else ",.1f")
    return fig


def line_trend(df: pd.DataFrame, value: str, title: str, decimals: int = 0, height: int | None = None) -> go.Figure:
    """Monthly line with months written as 'Okt 2026'."""
    labels = [fmt.bulan_pendek(p) for p in df["periode"]]
    fig = go.Figure(go.Scatter(
        x=labels, y=df[value], mode="lines+markers", line=dict(color=COLOR, width=2),
        text=_hover_values(df[value], decimals), customdata=[fmt.bulan(p) for p in df["periode"]],
        hovertemplate="%{customdata}: %{text}<extra></extra>",
    ))
    fig.update_layout(title=title, **LAYOUT)
    if height:
        fig.update_layout(height=height)
    fig.update_yaxes(rangemode="tozero", tickformat=",d" if decimals == 0 else ",.1f")
    return fig
