"""Dasbor PMKS: the entry file sets up the page and the navigation. Nothing else."""

import streamlit as st

st.set_page_config(page_title="Dasbor PMKS", page_icon="📊", layout="wide")
page = st.navigation([
    st.Page("pages/ringkasan.py", title="Ringkasan", icon="🏠", default=True),
    st.Page("pages/tentang.py", title="Tentang Data", icon="ℹ️"),
])
page.run()
