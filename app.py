"""Dasbor PMKS: the entry file sets up the page, who is signed in, and the navigation of the pages they may open."""

import streamlit as st

from accounts.users import ROLE_LABEL
from dashboard import chrome, navigation, queries, session, ui

st.set_page_config(page_title="Dasbor PMKS", page_icon="📊", layout="wide")
chrome.indonesian_chrome()  # Streamlit's own English words (uploader, tables, select boxes) in Indonesian
session.sync_cookie()  # remember a login across reloads, or forget it after logout
if session.entry() is None:  # nobody may enter (no users and no demo access, no store): a message, no pages
    st.stop()
user = session.current_user()
if user is None:  # nobody is signed in: only the login form, no pages
    session.login_form()
    st.stop()
if user.ganti_sandi:  # a one-time password: a new one before anything else (issue 25)
    session.password_form(user)
    st.stop()
session.changed_password_notice()
page = navigation.navigate(user.pages())
with st.sidebar:
    if user.login == "demo":
        st.info("Mode demo tanpa login: basis data demo ini terbuka untuk siapa pun. Admin menambahkan pengguna di "
                "halaman **Pengguna & Pengaturan**; sesudah pengguna pertama ditambahkan, setiap orang harus masuk.",
                icon=":material/lock_open:")
    else:
        where = user.desa or user.kecamatan  # a psm's desa, else a scoped user's kecamatan
        scope = f" · {ui.q(queries.area_label, where)}" if where else ""
        st.caption(f"Masuk sebagai **{user.nama}** ({ROLE_LABEL[user.peran]}{scope})")
        st.button("Keluar", key="keluar", on_click=session.logout)
with navigation.running(page):
    page.run()
