"""Profil Wilayah: one kecamatan or desa, every indicator with trend, rank and the kabupaten median (the model is
dashboard.views.profil)."""

import streamlit as st

from dashboard import queries, ui
from dashboard.views import profil

info, f = ui.page_filters("profil")
st.title("Profil Wilayah")
scope = ui.current_user().kecamatan
kecamatan = ui.q(queries.kecamatan_list)
options, default = profil.area_options(kecamatan[kecamatan["kode"].str.startswith(scope)], ui.q(queries.desa_list, scope), f)
kode = st.selectbox("Cari kecamatan atau desa/kelurahan", list(options), index=list(options).index(default),
                    format_func=options.get, key="profil_wilayah")
v = ui.view(profil.build, f, kode=kode)
st.header(v.header)
st.caption(v.caption)
left, right = st.columns([1, 3])
with left:
    ui.print_button("Cetak A4")
with right:
    ui.brief_button(v.brief_kode, f.periode, f.rilis, key="profil_pdf")
st.caption(v.population)
if v.warning:
    st.warning(v.warning)
if v.release_notice:
    st.caption(v.release_notice)
# A static table (not the scrolling grid), so that the browser prints every row.
st.markdown(ui.html_table(v.table), unsafe_allow_html=True)
st.plotly_chart(v.trend_chart, key="profil_trend")
st.markdown(v.history)
