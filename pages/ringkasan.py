"""Ringkasan: the morning view for leadership (the model is dashboard.views.ringkasan)."""

import streamlit as st

from dashboard import ui
from dashboard.views import ringkasan

info, f = ui.page_filters("ringkasan")
v = ui.view(ringkasan.build, f)
st.title(v.title)
st.caption(v.caption)
ui.brief_button(f.kecamatan or info["kode"], f.periode, f.rilis, key="ringkasan_pdf")
if v.empty:
    st.warning(v.empty)
    st.stop()

for col, metric in zip(st.columns(len(v.metrics)), v.metrics):
    col.metric(metric.label, metric.value, help=metric.help)
    col.caption(metric.caption)
if v.release_notice:
    st.caption(v.release_notice)
st.markdown(v.top3)

left, right = st.columns(2)
left.plotly_chart(v.indikator_chart, key="bar_ind")
if v.hidden_note:
    left.caption(v.hidden_note)
right.plotly_chart(v.trend_chart, key="trend")
right.caption(v.trend_note)

map_col, bar_col = st.columns([3, 2]) if v.map_chart else (None, st.container())
if map_col is not None:
    map_col.plotly_chart(v.map_chart, key="peta_ringkasan", config={"displaylogo": False})
bar_col.plotly_chart(v.area_chart, key="bar_wil")
if v.rate_note:
    st.caption(v.rate_note)

st.subheader("Perlu perhatian")
a, b = st.columns(2)
a.markdown(v.rises_title)
if v.rises is not None:
    ui.table(v.rises, a)
b.markdown(v.missing_title)
ui.table(v.missing, b)
