"""Jelajah Data: pivot, ranking and time series for policy staff (model: dashboard.views.jelajah)."""

import streamlit as st

from common import fmt
from dashboard import asal_ui, queries, ui
from dashboard.views import jelajah

info, f = ui.page_filters("jelajah")
st.title("Jelajah Data")
if f.desa:  # one option is no choice
    tingkat = "desa"
    st.caption("Tingkat: desa/kelurahan (satu desa dipilih di panel Filter).")
else:
    tingkat = st.radio("Tingkat", ["kecamatan", "desa"], horizontal=True, key="jelajah_tingkat",
                       format_func=lambda t: "Kecamatan" if t == "kecamatan" else "Desa/kelurahan")
months = ui.q(queries.periods)
start, end = st.select_slider("Rentang waktu tren", options=months, value=(months[max(0, len(months) - 12)], f.periode),
                              format_func=fmt.bulan, key="jelajah_rentang")
v = ui.view(jelajah.build, f, tingkat=tingkat, start=start, end=end)
st.caption(v.caption)
if v.stop:
    st.warning(v.stop)
    st.stop()
st.markdown(v.total)
if v.release_notice:
    st.caption(v.release_notice)
# three views of one selection, each drawn only while shown (issue 13: the first view needs no chart code)
tabel, peringkat, tren = st.tabs(["Tabel", "Peringkat", "Tren"], key="jelajah_tampilan", on_change="rerun")
if tabel.open:
    ui.table(v.table, tabel, hide_index=True)
    if v.rate_note:
        tabel.caption(v.rate_note)
    with tabel:
        ui.download_buttons(v.export, v.name, "pivot")
if peringkat.open:
    ui.chart(v.ranking, peringkat, key="rank", name=f"pmks_peringkat_{end:%Y-%m}")
    if v.rate_note:
        peringkat.caption(v.rate_note)
if tren.open:
    ui.chart(v.trend, tren, key="trend", name=f"pmks_tren_{start:%Y-%m}_{end:%Y-%m}")
    tren.caption(v.trend_note)
    with tren:
        ui.download_buttons(v.series, f"pmks_tren_{start:%Y-%m}_{end:%Y-%m}", "trend")
# where any number above comes from: a row of the table or the ranking, a point of the trend (its month)
asal_ui.picker(asal_ui.question(f), asal_ui.areas(v.export), key="jelajah_asal", months=[m for m in months if start <= m <= end])
