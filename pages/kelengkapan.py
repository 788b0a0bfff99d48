"""Kelengkapan Laporan: which desa reported, on time or late, month by month (model: dashboard.views.kelengkapan)."""

import streamlit as st

from dashboard import ui
from dashboard.views import kelengkapan

info, f = ui.page_filters("kelengkapan")
v = ui.view(kelengkapan.build, f)
st.title("Kelengkapan Laporan")
st.caption(v.caption)
for col, (label, count) in zip(st.columns(len(v.counts)), v.counts):
    col.metric(label, count)

st.subheader("Persentase desa melapor per kecamatan")
ui.table(v.rollup, hide_index=True)

st.subheader("Status per desa dan bulan")
st.plotly_chart(v.grid, key="grid")

st.subheader(v.missing_title)
ui.table(v.missing, hide_index=True)
ui.download_buttons(v.missing, f"belum_lapor_{f.periode:%Y-%m}", "missing")
ui.download_buttons(v.export, "kelengkapan_laporan", "grid")
