"""Who is signed in: the login form, the throttle on password guessing, the session cookie and sign-out.

Every run checks the session's signed token against the users file (`etl.users.login_from_token`), so signing out,
a new password or a removed user end a session at once, in every tab and browser, not at the next reload.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import streamlit as st

from etl import users as store

_TOKEN = "_sesi_token"  # session_state key of this session's signed token


@st.cache_data(ttl=5, show_spinner=False)
def _users(path: str, mtime: float | None) -> dict:  # noqa: ARG001 - mtime keys the cache
    return store.load_users(Path(path))


def users() -> dict:
    """The users file (cached while unchanged); a broken file stops the page with a message, never a traceback."""
    path = store.users_file()
    try:
        return _users(str(path), path.stat().st_mtime_ns if path.exists() else None)
    except store.UsersFileError as exc:
        st.error(exc.short, icon=":material/error:")
        st.stop()


@st.cache_resource(show_spinner=False)
def throttle() -> store.LoginThrottle:
    """One sign-in throttle for the whole server process (all sessions)."""
    return store.LoginThrottle()


def current_user() -> store.User | None:
    """The signed-in User, store.DEMO when the deployment has no users, None when a login is needed."""
    known = users()
    if not known:
        return store.DEMO
    if _TOKEN not in st.session_state and not st.session_state.get("_cookie_checked"):
        # A reload starts a new session: the browser's cookie may carry a token. Read it only at the start of a
        # session (the cookies are those of the page load), so that signing out holds.
        st.session_state["_cookie_checked"] = True
        cookie = st.context.cookies.get(store.COOKIE)
        if cookie:
            st.session_state[_TOKEN] = cookie
    login = store.login_from_token(st.session_state.get(_TOKEN), known, time.time())
    if login is None:
        st.session_state.pop(_TOKEN, None)
        st.session_state.pop("pengguna_login", None)
        return None
    st.session_state["pengguna_login"] = login
    return store.user_of(login, known[login])


def user_name() -> str:
    """Who is acting, for the audit: the signed-in user when the deployment has logins, else the server's user."""
    return st.session_state.get("pengguna_login") or os.environ.get("PMKS_USER") or os.environ.get("USER") or "aplikasi"


def client_address() -> str | None:
    """The browser's address for the per-client throttle. Behind a reverse proxy on this machine the proxy's
    X-Forwarded-For (its last entry, the one the proxy added) names the client; elsewhere that header is ignored."""
    address = st.context.ip_address
    if address in ("127.0.0.1", "::1"):
        forwarded = st.context.headers.get("X-Forwarded-For")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return address


def _minutes(seconds: float) -> str:
    return "kurang dari 1 menit" if seconds < 60 else f"{int(seconds // 60) + (1 if seconds % 60 else 0)} menit"


def _login() -> None:
    """The form's callback: throttled, audited; the same message whether or not the account exists."""
    from dashboard.data import audit_action

    login = str(st.session_state.get("masuk_nama", "")).strip()
    password = st.session_state.get("masuk_sandi", "")
    st.session_state["masuk_sandi"] = ""
    client = client_address()
    guard = throttle()
    if (wait := guard.wait(login, client)) > 0:
        st.session_state["masuk_galat"] = f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {_minutes(wait)}."
        return
    try:
        user = store.authenticate(login, password)
    except store.UsersFileError as exc:
        st.session_state["masuk_galat"] = exc.short
        return
    if user is None:
        locked = guard.failed(login, client)
        audit_action("gagal_masuk", login or "-", f'{{"klien": "{client or "-"}"}}')
        if locked:
            audit_action("kunci_masuk", login or "-", f'{{"detik": {int(locked)}, "klien": "{client or "-"}"}}')
            st.session_state["masuk_galat"] = f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {_minutes(locked)}."
        else:
            st.session_state["masuk_galat"] = "Nama pengguna atau kata sandi salah."
        return
    guard.succeeded(login)
    token = store.session_token(user.login, users()[user.login], time.time())
    st.session_state[_TOKEN] = token
    st.session_state["pengguna_login"] = user.login
    st.session_state["_cookie"] = token
    audit_action("masuk", user.login)


def login_form() -> None:
    """Sign in (when the deployment has users); failures and successes go to the audit."""
    st.title("Dasbor PMKS")
    st.caption("Dinas Sosial P3A PMD — masuk dengan akun yang diberikan admin.")
    with st.form("masuk", border=True):
        st.text_input("Nama pengguna", key="masuk_nama")
        st.text_input("Kata sandi", type="password", key="masuk_sandi")
        st.form_submit_button("Masuk", on_click=_login)
    if problem := st.session_state.pop("masuk_galat", None):
        st.error(problem)


def logout() -> None:
    """Sign out: end every session of this user on the server, and forget the browser's cookie."""
    from dashboard.data import audit_action

    login = st.session_state.get("pengguna_login")
    audit_action("keluar", user_name())
    if login:
        try:
            store.end_sessions(login)
        except (store.UsersFileError, OSError):
            pass  # the token below is dropped anyway; the file error is shown on the next run
    st.session_state.pop(_TOKEN, None)
    st.session_state.pop("pengguna_login", None)
    st.session_state["_cookie"] = ""


def sync_cookie() -> None:
    """Write (after login) or clear (after logout) the browser's session cookie; app.py calls this once a run.
    The cookie is `Secure` whenever the page is served over HTTPS."""
    import streamlit.components.v1 as components

    value = st.session_state.pop("_cookie", None)
    if value is None:
        return
    age = store.SESSION_HOURS * 3600 if value else 0
    components.html(
        "<script>const secure = window.parent.location.protocol === 'https:' ? '; Secure' : '';"
        f"window.parent.document.cookie = '{store.COOKIE}={value}; path=/; max-age={age}; SameSite=Strict' + secure;</script>",
        height=0)
