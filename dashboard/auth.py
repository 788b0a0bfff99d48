"""Users, roles and scope: who may see which pages and which kecamatan. No Streamlit here.

Users live in a TOML file (PMKS_USERS_FILE, default `pengguna.toml` beside app.py, never committed) with
salted scrypt hashes; `python -m etl user add` writes it. Without the file the app runs without login
(demo mode) and says so.

    [pengguna.siti]
    nama = "Siti Aminah"
    peran = "analis"            # pimpinan | staf | analis | admin
    kecamatan = "35.23.18"      # optional: sees only this kecamatan
    sandi = "scrypt$16384$8$1$<salt>$<hash>"
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROLES = ("pimpinan", "staf", "analis", "admin")
ROLE_LABEL = {"pimpinan": "Pimpinan", "staf": "Staf kebijakan", "analis": "Analis data", "admin": "Admin"}
# Pages each role may open (file stems under pages/); each role has everything of the roles before it.
PAGES = {
    "pimpinan": ["ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "tentang"],
    "staf": [],
    "analis": ["unggah", "riwayat"],
    "admin": ["pengaturan"],
}
EXPORTS = {"staf", "analis", "admin"}
N, R, P = 2**14, 8, 1  # scrypt cost: about 50 ms and 16 MB per check


@dataclass(frozen=True)
class User:
    login: str
    nama: str
    peran: str
    kecamatan: str = ""  # '' = the whole warehouse

    def pages(self) -> list[str]:
        allowed = []
        for role in ROLES[: ROLES.index(self.peran) + 1]:
            allowed += PAGES[role]
        return allowed

    @property
    def can_export(self) -> bool:
        return self.peran in EXPORTS


DEMO = User("demo", "Mode demo (tanpa login)", "admin", "")


def users_file() -> Path:
    return Path(os.environ.get("PMKS_USERS_FILE") or REPO / "pengguna.toml")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def load_users(path: Path | None = None) -> dict[str, dict]:
    """{login: {nama, peran, kecamatan, sandi}}; {} when there is no file (no login)."""
    path = path or users_file()
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    users = data.get("pengguna", {})
    for login, entry in users.items():
        if entry.get("peran") not in ROLES:
            raise ValueError(f"pengguna '{login}': peran harus salah satu dari {', '.join(ROLES)}")
    return users


def authenticate(login: str, password: str, path: Path | None = None) -> User | None:
    entry = load_users(path).get(login.strip())
    if entry is None:
        hash_password(password)  # the same work whether or not the user exists
        return None
    if not check_password(password, entry.get("sandi", "")):
        return None
    return User(login.strip(), entry.get("nama", login), entry["peran"], entry.get("kecamatan", ""))


SESSION_HOURS = 8  # a browser stays signed in this long after login, across reloads
COOKIE = "pmks_sesi"


def session_token(login: str, entry: dict, now: float) -> str:
    """A signed 'stay signed in' token: login and expiry, MAC-ed with the user's stored password hash (a server
    secret), so that changing the password or removing the user ends every session at once."""
    expiry = int(now) + SESSION_HOURS * 3600
    payload = f"{login}|{expiry}"
    mac = hmac.new(entry.get("sandi", "").encode(), payload.encode(), hashlib.sha256).hexdigest()
    return base64.urlsafe_b64encode(f"{payload}|{mac}".encode()).decode().rstrip("=")


def login_from_token(token: str | None, users: dict[str, dict], now: float) -> str | None:
    """The login a valid, unexpired token was made for; None for anything else."""
    if not isinstance(token, str) or not token:
        return None
    try:
        login, expiry, mac = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().rsplit("|", 2)
        entry = users.get(login)
        if entry is None or int(expiry) < now:
            return None
    except (ValueError, UnicodeDecodeError):
        return None
    expected = hmac.new(entry.get("sandi", "").encode(), f"{login}|{expiry}".encode(), hashlib.sha256).hexdigest()
    return login if hmac.compare_digest(mac, expected) else None


def save_user(login: str, nama: str, peran: str, kecamatan: str, password: str, path: Path | None = None) -> None:
    """Add or replace a user in the TOML file (written with owner-only permissions)."""
    if peran not in ROLES:
        raise ValueError(f"peran harus salah satu dari {', '.join(ROLES)}")
    path = path or users_file()
    users = load_users(path)
    users[login] = {"nama": nama, "peran": peran, "kecamatan": kecamatan, "sandi": hash_password(password)}
    write_users(users, path)


def write_users(users: dict[str, dict], path: Path | None = None) -> None:
    """Write the users file atomically, readable by its owner only."""
    path = path or users_file()
    lines = ["# Pengguna Dasbor PMKS. Dibuat oleh `python -m etl user`; jangan dimasukkan ke git.", ""]
    for name, entry in sorted(users.items()):
        lines.append(f"[pengguna.{json.dumps(name)}]")
        for key in ("nama", "peran", "kecamatan", "sandi"):
            lines.append(f"{key} = {json.dumps(entry.get(key, ''))}")
        lines.append("")
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
