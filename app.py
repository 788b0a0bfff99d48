"""Dasbor PMKS: the entry file sets up the page and the navigation. Nothing else."""

import streamlit as st

st.set_page_config(page_title="Dasbor PMKS", page_icon="📊", layout="wide")
page = st.navigation([
    st.Page("pages/ringkasan.py", title="Ringkasan", icon=":material/home:", default=True),
    st.Page("pages/peta.py", url_path="peta", title="Peta", icon=":material/map:"),
    st.Page("pages/jelajah.py", url_path="jelajah", title="Jelajah Data", icon=":material/table_chart:"),
    st.Page("pages/profil.py", url_path="profil", title="Profil Wilayah", icon=":material/location_on:"),
    st.Page("pages/kelengkapan.py", url_path="kelengkapan", title="Kelengkapan Laporan", icon=":material/fact_check:"),
    st.Page("pages/unggah.py", url_path="unggah", title="Unggah Data", icon=":material/upload_file:"),
    st.Page("pages/riwayat.py", url_path="riwayat", title="Riwayat Impor", icon=":material/history:"),
    st.Page("pages/tentang.py", url_path="tentang", title="Tentang Data", icon=":material/info:"),
])
page.run()
