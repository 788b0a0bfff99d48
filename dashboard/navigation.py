"""The app's pages and the one navigation that runs them, with only public Streamlit API (issue 24).

`app.py` calls `navigate(allowed)` once per run and runs the page inside `running(page)`, which notes the page this
run draws (`current()`; the filters carry their values over a page switch with it). Streamlit also runs a file of
`pages/` by itself, without app.py, when a fresh server's first visitor opens a sub-page URL (its legacy `pages/`
mode, because app.py sits beside a `pages/` folder); a page notices that app.py did not start its run
(`ensure_app_run`), registers the navigation (which ends that mode) and reruns through app.py.
"""

from __future__ import annotations

import contextlib
import threading

import streamlit as st

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
    "asal": ("pages/asal.py", "asal", "Asal Angka", ":material/manage_search:"),
    "lapor": ("pages/lapor_bulanan.py", "lapor", "Lapor Bulanan", ":material/edit_note:"),
    "verifikasi": ("pages/verifikasi.py", "verifikasi", "Verifikasi Laporan", ":material/rule:"),
}
_RUN = threading.local()  # the page app.py is running in this thread's script run, if any


def _page(name: str, allowed) -> st.Page:
    """A page of the navigation. Pages outside the role are registered hidden: typed as a URL they answer with the
    page's own Indonesian refusal (`ui.guard`), not Streamlit's English "Page not found ... Running the app's main page"."""
    script, url_path, title, icon = PAGES[name]
    return st.Page(script, url_path=url_path or None, title=title, icon=icon, default=name == "ringkasan",
                   visibility="visible" if name in allowed else "hidden")


def navigate(allowed) -> st.Page:
    """Register every page (those outside `allowed` hidden) and return the one the URL asks for. A role without
    Ringkasan (a PSM) opening the app's main page goes to its first page instead (Lapor Bulanan)."""
    page = st.navigation([_page(name, allowed) for name in PAGES])
    allowed = list(allowed)
    if allowed and "ringkasan" not in allowed and page.url_path == "":
        st.switch_page(PAGES["lapor" if "lapor" in allowed else allowed[0]][0])
    return page


@contextlib.contextmanager
def running(page: st.Page):
    """Run `page` as app.py's page of this run."""
    _RUN.page, _RUN.memo = page.url_path, {}
    try:
        yield
    finally:
        _RUN.page, _RUN.memo = None, None


def run_memo() -> dict:
    """A dictionary that lives for this script run (values looked up once per run); a fresh one outside a page."""
    memo = getattr(_RUN, "memo", None)
    return memo if memo is not None else {}


def current() -> str | None:
    """The url path of the page this run draws ('' for Ringkasan), None outside app.py's navigation."""
    return getattr(_RUN, "page", None)


def ensure_app_run() -> None:
    """Called by every page first: when Streamlit ran the page without app.py (its legacy `pages/` mode on a fresh
    server), register the navigation, which ends that mode for the whole server, and run again through app.py."""
    if current() is None:
        navigate(())
        st.rerun()
