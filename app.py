"""Dasbor PMKS: the entry file sets up the page, who is signed in, and the navigation of the pages they may open."""

import streamlit as st

from accounts.users import ROLE_LABEL
from dashboard import chrome, queries, session, ui

st.set_page_config(page_title="Dasbor PMKS", page_icon="📊", layout="wide")
PAGES = {
    "ringkasan": st.Page("pages/ringkasan.py", title="Ringkasan", icon=":material/home:", default=True),
    "peta": st.Page("pages/peta.py", url_path="peta", title="Peta", icon=":material/map:"),
    "jelajah": st.Page("pages/jelajah.py", url_path="jelajah", title="Jelajah Data", icon=":material/table_chart:"),
    "profil": st.Page("pages/profil.py", url_path="profil", title="Profil Wilayah", icon=":material/location_on:"),
    "prioritas": st.Page("pages/prioritas.py", url_path="prioritas", title="Prioritas Intervensi", icon=":material/priority_high:"),
    "kelengkapan": st.Page("pages/kelengkapan.py", url_path="kelengkapan", title="Kelengkapan Laporan", icon=":material/fact_check:"),
    "unggah": st.Page("pages/unggah.py", url_path="unggah", title="Unggah Data", icon=":material/upload_file:"),
    "riwayat": st.Page("pages/riwayat.py", url_path="riwayat", title="Riwayat Impor", icon=":material/history:"),
    "pengaturan": st.Page("pages/pengaturan.py", url_path="pengaturan", title="Pengguna & Pengaturan", icon=":material/settings:"),
    "tentang": st.Page("pages/tentang.py", url_path="tentang", title="Tentang Data", icon=":material/info:"),
}
chrome.indonesian_chrome()  # Streamlit's own English words (uploader, tables, select boxes) in Indonesian
session.sync_cookie()  # remember a login across reloads, or forget it after logout
if session.entry() is None:  # nobody may enter (no users and no demo access, no store): a message, no pages
    st.stop()
user = session.current_user()
if user is None:  # nobody is signed in: only the login form, no pages
    session.login_form()
    st.stop()
page = st.navigation([p for name, p in PAGES.items() if name in user.pages()])
with st.sidebar:
    if user.login == "demo":
        st.info("Mode demo tanpa login: basis data demo ini terbuka untuk siapa pun. Admin menambahkan pengguna di "
                "halaman **Pengguna & Pengaturan**; sesudah pengguna pertama ditambahkan, setiap orang harus masuk.",
                icon=":material/lock_open:")
    else:
        scope = f" · {ui.q(queries.area_label, user.kecamatan)}" if user.kecamatan else ""
        st.caption(f"Masuk sebagai **{user.nama}** ({ROLE_LABEL[user.peran]}{scope})")
        st.button("Keluar", key="keluar", on_click=session.logout)
page.run()
