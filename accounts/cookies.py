"""The session cookie, set by the server (HttpOnly: no script in the page can read it).

Signing in happens over Streamlit's websocket, which cannot set a cookie. So the app hands the browser a one-time
code in an invisible image (`/sesi/tukar?kode=...`, served by server.py), and that answer sets the cookie; signing
out loads `/sesi/keluar`, whose answer clears it. Codes live in this process for two minutes and work once (behind
several app processes, nginx sends a browser to the same process: see README).
"""

from __future__ import annotations

import secrets
import threading
import time

from accounts.users import COOKIE, SESSION_HOURS

CODE_SECONDS = 120
_CODES: dict[str, tuple[str, float]] = {}
_LOCK = threading.Lock()


def issue_code(token: str, clock=time.monotonic) -> str:
    """A one-time code the browser exchanges for a cookie holding `token`."""
    code = secrets.token_urlsafe(24)
    now = clock()
    with _LOCK:
        for old in [c for c, (_, born) in _CODES.items() if now - born > CODE_SECONDS]:
            del _CODES[old]
        _CODES[code] = (token, now)
    return code


def redeem(code: str, clock=time.monotonic) -> str | None:
    """The token of a fresh, unused code (the code is spent); None for anything else."""
    with _LOCK:
        found = _CODES.pop(code, None)
    if found is None or clock() - found[1] > CODE_SECONDS:
        return None
    return found[0]


def set_cookie_header(token: str, secure: bool) -> str:
    return (f"{COOKIE}={token}; Path=/; Max-Age={SESSION_HOURS * 3600}; HttpOnly; SameSite=Lax"
            + ("; Secure" if secure else ""))


def clear_cookie_header(secure: bool) -> str:
    return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")


def cookie_of(headers) -> str | None:
    """The session cookie of raw ASGI headers [(name, value), ...]."""
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == COOKIE:
                    return val
    return None
