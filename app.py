"""Dasbor PMKS: the entry file sets up the page, who is signed in, and the navigation of the pages they may open."""

import streamlit as st

from accounts.users import ROLE_LABEL
from dashboard import chrome, queries, session, ui

st.set_page_config(page_title="Dasbor PMKS", page_icon="📊", layout="wide")
PAGES = {  # name: (script, url path, title, icon)
    "ringkasan": ("pages/ringkasan.py", "", "Ringkasan", ":material/home:"),
    "peta": ("pages/peta.py", "peta", "Peta", ":material/map:"),
    "jelajah": ("pages/jelajah.py", "jelajah", "Jelajah Data", ":material/table_chart:"),
    "profil": ("pages/profil.py", "profil", "Profil Wilayah", ":material/location_on:"),
    "prioritas": ("pages/prioritas.py", "prioritas", "Prioritas Intervensi", ":material/priority_high:"),
    "kelengkapan": ("pages/kelengkapan.py", "kelengkapan", "Kelengkapan Laporan", ":material/fact_check:"),
    "unggah": ("pages/unggah.py", "unggah", "Unggah Data", ":material/upload_file:"),
    "riwayat": ("pages/riwayat.py", "riwayat", "Riwayat Impor", ":material/history:"),
    "pengaturan": ("pages/pengaturan.py", "pengaturan", "Pengguna & Pengaturan", ":material/settings:"),
    "tentang": ("pages/tentang.py", "tentang", "Tentang Data", ":material/info:"),
}


def _page(name: str, allowed: list[str]) -> st.Page:
    """A page of the navigation. Pages outside the role are registered hidden: typed as a URL they answer with the
    page's own Indonesian refusal (`ui.guard`), not Streamlit's English "Page not found ... Running the app's main page"."""
    script, url_path, title, icon = PAGES[name]
    return st.Page(script, url_path=url_path or None, title=title, icon=icon, default=name == "ringkasan",
                   visibility="visible" if name in allowed else "hidden")


chrome.indonesian_chrome()  # Streamlit's own English words (uploader, tables, select boxes) in Indonesian
session.sync_cookie()  # remember a login across reloads, or forget it after logout
if session.entry() is None:  # nobody may enter (no users and no demo access, no store): a message, no pages
    st.stop()
user = session.current_user()
if user is None:  # nobody is signed in: only the login form, no pages
    session.login_form()
    st.stop()
page = st.navigation([_page(name, user.pages()) for name in PAGES])
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
