"""Ringkasan: the morning view for leadership (the model is dashboard.views.ringkasan)."""

from datetime import date

import streamlit as st

from dashboard import asal_ui, queries, ui
from dashboard.views import ringkasan

info, f = ui.page_filters("ringkasan")
v = ui.view(ringkasan.build, f, today=date.today(), width=ui.page_width())
st.title(v.title)
st.caption(v.caption)
ui.brief_button(f.kecamatan or info["kode"], f, key="ringkasan_pdf")
if v.empty:
    st.warning(v.empty)
    st.caption(f"{v.due} {v.loaded}")
    st.stop()

st.subheader(v.headline, anchor=False)
st.markdown(f":material/event: {v.due} &nbsp;·&nbsp; :material/update: {v.loaded}")
for col, metric in zip(st.columns(len(v.metrics)), v.metrics):
    col.metric(metric.label, metric.value, help=metric.help)
    col.caption(metric.caption)
if v.release_notice:
    st.caption(v.release_notice)

rate_col, top_col = st.columns([2, 3])
ui.chart(v.reporting_chart, rate_col, key="laju_lapor", name="desa_melapor")
top_col.markdown(v.priority_title)
if v.priority_note:
    top_col.info(v.priority_note, icon=":material/info:")
else:
    ui.list_table(v.priority, top_col, label=v.priority_title)
if v.priority_mixed:
    top_col.warning(v.priority_mixed, icon=":material/warning:")
top_col.page_link("pages/prioritas.py", label="Lihat semua di Prioritas Intervensi", icon=":material/arrow_forward:")

st.markdown(v.top3)
# the detail in tabs, each drawn only while shown: the first screen stays light (issue 13)
indikator, tren, wilayah = st.tabs(["Per indikator", "Tren 12 bulan", "Per wilayah"], key="ringkasan_rinci", on_change="rerun")
if indikator.open:
    ui.chart(v.indikator_chart, indikator, key="bar_ind", name="pmks_per_indikator")
    if v.hidden_note:
        indikator.caption(v.hidden_note)
if tren.open:
    ui.chart(v.trend_chart, tren, key="trend", name="pmks_tren_12_bulan")
    tren.caption(v.trend_note)
if wilayah.open:
    if v.map_note:
        wilayah.info(v.map_note, icon=":material/map:")
    map_col, bar_col = wilayah.columns([3, 2]) if v.map_chart else (None, wilayah.container())
    if map_col is not None:
        ui.chart(v.map_chart, map_col, key="peta_ringkasan", name="peta_pmks_ringkasan")
    ui.chart(v.area_chart, bar_col, key="bar_wil", name="pmks_per_wilayah")
    if v.rate_note:
        wilayah.caption(v.rate_note)

st.subheader("Perlu perhatian")
a, b = st.columns([3, 2])
a.markdown(v.rises_title)
a.caption(v.rises_rule)
if v.rises_note:
    a.info(v.rises_note, icon=":material/trending_flat:")
else:
    ui.list_table(v.rises, a, label=v.rises_title)
b.markdown(v.missing_title)
ui.list_table(v.missing, b, height=420, label=v.missing_title)
# where the headline, a top priority desa, a rise or a desa of the lists comes from
whole = {f.area or info["kode"] or "": f.area_nama or info["nama"] or "Semua wilayah"}
asal_ui.picker(asal_ui.question(f), asal_ui.areas(v.missing, first=asal_ui.areas(v.rises, first={**whole, **v.priority_areas})),
               key="ringkasan_asal", months=[m for m in ui.q(queries.periods) if m <= f.periode][-12:])
