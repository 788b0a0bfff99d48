"""Profil Wilayah: the kecamatan or desa chosen in the sidebar (else the kabupaten), every indicator with trend, rank
and the kabupaten median (the model is dashboard.views.profil)."""

import streamlit as st

from dashboard import asal_ui, queries, ui
from dashboard.views import profil

info, f = ui.page_filters("profil")
st.title("Profil Wilayah")
v = ui.view(profil.build, f)
st.header(v.header)
st.caption(v.caption)
if v.prompt:
    st.info(v.prompt, icon=":material/location_on:")
left, right = st.columns([1, 3])
with left:
    ui.print_button("Cetak A4")
with right:
    ui.brief_button(v.brief_kode, f, key="profil_pdf")
st.caption(v.population)
if v.warning:
    st.warning(v.warning)
if v.release_notice:
    st.caption(v.release_notice)
# A static table (not the scrolling grid), so that the browser prints every row.
st.markdown(ui.html_table(v.table), unsafe_allow_html=True)
ui.chart(v.trend_chart, key="profil_trend", name="profil_tren")
months = [m for m in ui.q(queries.periods) if m <= f.periode][-12:]  # a row of the table, or a point of the trend
asal_ui.picker(asal_ui.question(f), {f.area or info["kode"] or "": v.header}, key="profil_asal", months=months)
st.markdown(v.history)
