"""Tentang Data: definitions, sources, freshness and the synthetic-data notice (model: dashboard.views.tentang)."""

import streamlit as st

from common.config import db_path
from dashboard import navigation, ui
from dashboard.views import tentang

navigation.ensure_app_run()
user = ui.guard("tentang")
st.title("Tentang Data")
if not db_path().exists():
    st.warning("Basis data belum disiapkan. Minta admin aplikasi menyiapkannya.")
    st.stop()
v = ui.view(tentang.build, None)
if v.synthetic:
    st.info("**DATA DEMO SINTETIS** — basis data ini berisi data buatan untuk peragaan, bukan laporan PSM sebenarnya.", icon=":material/science:")
st.markdown(v.sources)
st.subheader(v.population_title)
if v.population is None:
    st.caption("Belum ada data penduduk: laju per 1.000 tidak dihitung.")
else:
    ui.table(v.population, hide_index=True, key="tentang_penduduk")
st.subheader("26 jenis PMKS/PPKS (Permensos No. 08 Tahun 2012)")
ui.list_table(v.indicators, label="26 jenis PMKS/PPKS")  # a plain table: the definitions wrap instead of being cut
st.subheader("Cara membaca angka")
st.markdown(v.reading)
