"""Who is signed in: the login form, the throttle on password guessing, the session cookie and sign-out.

Users and sessions live in the warehouse's store (`accounts.store`). Every run looks the session up (a dictionary
lookup until anyone signs in or out), so signing out, a new password or a removed user end a session at once, in
every tab and browser. Who may open the app fails closed: demo access only when the warehouse says so; no users, or a
store that cannot be read, means a message and no pages.
"""

from __future__ import annotations

import os

import streamlit as st

from accounts import cookies
from accounts import store as accounts
from accounts.users import COOKIE, DEMO, User
from common.config import db_path
from common.errors import PMKSError
from store import open_store

_TOKEN = "_sesi_token"  # session_state key of this session's token


def _store():
    return open_store(db_path())


@st.cache_resource(show_spinner=False)
def throttle():
    """One sign-in throttle for the whole server process (all sessions)."""
    from accounts.users import LoginThrottle

    return LoginThrottle()


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _users(path: str, version: int) -> dict[str, dict]:  # noqa: ARG001 - the version keys the cache
    return {u["login"]: u for u in accounts.list_users(open_store(path))}


def users() -> dict[str, dict]:
    """Every user ({login: {login, nama, peran, kecamatan}}), read again after any change of accounts."""
    store = _store()
    return _users(str(store.path), store.versions()["akun"])


def entry() -> accounts.Gate | None:
    """Whether anyone may enter, and how; None after showing why nobody can (the app then shows no page)."""
    if not db_path().exists():
        st.error("Basis data dasbor belum disiapkan di server. Hubungi admin aplikasi.", icon=":material/error:")
        return None
    try:
        return accounts.who_may_enter(_store(), _server_user())
    except PMKSError as exc:
        st.error(exc.short, icon=":material/error:")
        return None


def current_user() -> User | None:
    """The signed-in User, DEMO when the warehouse is open for demo, None when a sign-in is needed or nobody may
    enter (fails closed)."""
    try:
        gate = accounts.who_may_enter(_store(), _server_user())
    except PMKSError:
        return None
    if gate.demo:
        return DEMO
    if _TOKEN not in st.session_state and not st.session_state.get("_cookie_checked"):
        # A reload starts a new session: the browser's cookie may carry a token. Read it only at the start of a
        # session (the cookies are those of the page load), so that signing out holds.
        st.session_state["_cookie_checked"] = True
        cookie = st.context.cookies.get(COOKIE)
        if cookie:
            st.session_state[_TOKEN] = cookie
    try:
        user = accounts.session_user(_store(), st.session_state.get(_TOKEN))
    except PMKSError:
        return None  # the store cannot answer now (PostgreSQL restarting): keep the token for the next run
    if user is None:
        st.session_state.pop(_TOKEN, None)
        st.session_state.pop("pengguna_login", None)
        return None
    st.session_state["pengguna_login"] = user.login
    return user


def session_token() -> str | None:
    """This browser session's token (None in demo access or before signing in)."""
    return st.session_state.get(_TOKEN)


def _server_user() -> str:
    return os.environ.get("PMKS_USER") or os.environ.get("USER") or "aplikasi"


def user_name() -> str:
    """Who is acting, for the audit: the signed-in user, else (demo access) the server's user."""
    return st.session_state.get("pengguna_login") or _server_user()


def client_address() -> str | None:
    """The browser's address for the per-client throttle. Behind a reverse proxy on this machine the proxy's
    X-Forwarded-For (its last entry, the one the proxy added) names the client; elsewhere that header is ignored."""
    address = st.context.ip_address
    if not isinstance(address, str):  # no address (a local socket, the test harness)
        return None
    if address in ("127.0.0.1", "::1"):
        forwarded = st.context.headers.get("X-Forwarded-For")
        if isinstance(forwarded, str) and forwarded:
            return forwarded.split(",")[-1].strip()
    return address


def _minutes(seconds: float) -> str:
    return "kurang dari 1 menit" if seconds < 60 else f"{int(seconds // 60) + (1 if seconds % 60 else 0)} menit"


def _login() -> None:
    """The form's callback: throttled, audited; the same message whether or not the account exists."""
    login = str(st.session_state.get("masuk_nama", "")).strip()
    password = st.session_state.get("masuk_sandi", "")
    st.session_state["masuk_sandi"] = ""
    client = client_address()
    guard = throttle()
    if (wait := guard.wait(login, client)) > 0:
        st.session_state["masuk_galat"] = f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {_minutes(wait)}."
        return
    store = _store()
    try:
        user = accounts.check_login(store, login, password)
        token = accounts.sign_in(store, user, client) if user is not None else None
        if user is None:
            locked = guard.failed(login, client)
            accounts.record_failure(store, login, client, locked)
            st.session_state["masuk_galat"] = (f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {_minutes(locked)}."
                                               if locked else "Nama pengguna atau kata sandi salah.")
            return
    except PMKSError as exc:
        st.session_state["masuk_galat"] = exc.short
        return
    if token is None:  # removed or changed while signing in
        st.session_state["masuk_galat"] = "Nama pengguna atau kata sandi salah."
        return
    guard.succeeded(login)
    st.session_state[_TOKEN] = token
    st.session_state["pengguna_login"] = user.login
    st.session_state["_cookie"] = cookies.issue_code(token)


def login_form() -> None:
    """Sign in; failures and successes go to the audit."""
    st.title("Dasbor PMKS")
    st.caption("Dinas Sosial P3A PMD — masuk dengan akun yang diberikan admin.")
    with st.form("masuk", border=True):
        st.text_input("Nama pengguna", key="masuk_nama")
        st.text_input("Kata sandi", type="password", key="masuk_sandi")
        st.form_submit_button("Masuk", on_click=_login)
    if problem := st.session_state.pop("masuk_galat", None):
        st.error(problem)


def _new_password() -> None:
    """The first-sign-in form's callback: the one-time password, then the new one twice; audited by the store, which
    ends the other sessions of the user and clears the must-change flag."""
    s = st.session_state
    old, new, repeat = s.get("sandi_lama", ""), s.get("sandi_baru", ""), s.get("sandi_ulang", "")
    for name in ("sandi_lama", "sandi_baru", "sandi_ulang"):
        s[name] = ""
    user = current_user()
    if user is None:
        return
    if new != repeat:
        s["sandi_galat"] = "Kedua kata sandi baru tidak sama; ketik ulang."
        return
    if new == old:
        s["sandi_galat"] = "Kata sandi baru harus berbeda dari kata sandi sekali pakai."
        return
    try:
        accounts.change_own_password(_store(), user, old, new)
    except PMKSError as exc:
        s["sandi_galat"] = exc.short
        return
    s["sandi_pesan"] = "Kata sandi baru tersimpan. Gunakan kata sandi ini setiap kali masuk."


def password_form(user: User) -> None:
    """The first sign-in with a one-time password: a new password before anything else (app.py shows nothing more)."""
    st.title("Ganti kata sandi")
    st.markdown(f"Selamat datang, **{user.nama}**. Anda masuk dengan kata sandi sekali pakai dari admin; pilih kata "
                "sandi baru Anda sendiri (minimal 8 karakter) sebelum melanjutkan.")
    with st.form("ganti_sandi", border=True):
        st.text_input("Kata sandi sekali pakai", type="password", key="sandi_lama")
        st.text_input("Kata sandi baru", type="password", key="sandi_baru")
        st.text_input("Ulangi kata sandi baru", type="password", key="sandi_ulang")
        st.form_submit_button("Simpan kata sandi baru", on_click=_new_password, type="primary")
    if problem := st.session_state.pop("sandi_galat", None):
        st.error(problem)
    st.button("Keluar", key="keluar_sandi", on_click=logout)


def changed_password_notice() -> None:
    """Once, after the new password was saved."""
    if message := st.session_state.pop("sandi_pesan", None):
        st.success(message, icon=":material/check_circle:")


def logout() -> None:
    """Sign out: end this session on the server (every tab of this browser), and clear the browser's cookie."""
    token = st.session_state.get(_TOKEN)
    try:
        accounts.sign_out(_store(), token, user_name())
    except PMKSError:
        pass  # the session state is cleared anyway; a busy store is shown on the next run
    st.session_state.pop(_TOKEN, None)
    st.session_state.pop("pengguna_login", None)
    st.session_state["_cookie"] = ""


def sync_cookie() -> None:
    """After a sign-in or sign-out, let the browser fetch the server route that sets or clears the HttpOnly session
    cookie (an invisible image: no script). app.py calls this once a run."""
    code = st.session_state.pop("_cookie", None)
    if code is None:
        return
    target = f"/sesi/tukar?kode={code}" if code else "/sesi/keluar"
    st.html(f'<img src="{target}" alt="" width="1" height="1" style="position:absolute;opacity:0">')


__all__ = ["COOKIE", "DEMO", "changed_password_notice", "current_user", "entry", "login_form", "logout", "password_form", "sync_cookie", "throttle", "user_name", "users"]
