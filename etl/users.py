"""The user store: users, roles and scope, password hashes, session tokens and the sign-in throttle.

Shared by the CLI (`python -m etl user`) and the app, with no Streamlit here. Users live in a TOML file
(PMKS_USERS_FILE, default `pengguna.toml` beside app.py, never committed) with salted scrypt hashes. Without the
file the app runs without login (demo mode) and says so.

    [pengguna.siti]
    nama = "Siti Aminah"
    peran = "analis"            # pimpinan | staf | analis | admin
    kecamatan = "35.23.18"      # optional: sees only this kecamatan
    sandi = "scrypt$16384$8$1$<salt>$<hash>"
    sesi = 3                    # session generation: raising it ends every session of this user

Sessions: a signed token (login, expiry, generation, HMAC keyed by the stored password hash) is kept in the
browser's cookie and in the server's session state, and checked on every run. Signing out raises the user's
generation and a new password changes the key, so both end every session of that user on the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from etl.errors import PMKSError

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
LOGIN_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
KECAMATAN_PATTERN = re.compile(r"\d{2}\.\d{2}\.\d{2}")


class UsersFileError(PMKSError):
    """The users file cannot be used; `short` is what the login page may show (no server paths)."""

    def __init__(self, message: str, short: str):
        super().__init__(message)
        self.short = short


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


def clean_login(login: str) -> str:
    """The login as stored: surrounding spaces dropped; refused unless letters, digits and . _ @ - (max 64)."""
    text = str(login).strip()
    if not LOGIN_PATTERN.fullmatch(text):
        raise PMKSError(f"Nama pengguna '{text}' tidak sah: gunakan huruf, angka, titik, garis bawah, @ atau tanda "
                        "hubung (tanpa spasi, paling banyak 64 karakter), diawali huruf atau angka.")
    return text


def load_users(path: Path | None = None) -> dict[str, dict]:
    """{login: {nama, peran, kecamatan, sandi, sesi}}; {} when there is no file (no login).

    Raises UsersFileError (Indonesian, naming the line) when the file is not valid TOML or an entry is wrong."""
    path = path or users_file()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        line = f"baris {where.group(1)} kolom {where.group(2)}" if where else "suatu baris"
        raise UsersFileError(f"Berkas pengguna {path} tidak dapat dibaca: {line} bukan TOML yang sah. Perbaiki baris "
                             "itu, atau hapus berkasnya lalu tambahkan pengguna lagi.",
                             f"Berkas pengguna rusak ({line}). Hubungi admin aplikasi.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"Berkas pengguna {path} tidak dapat dibaca ({exc.__class__.__name__}).",
                             "Berkas pengguna tidak dapat dibaca. Hubungi admin aplikasi.") from None
    users = data.get("pengguna", {})
    if not isinstance(users, dict):
        raise UsersFileError(f"Berkas pengguna {path}: bagian [pengguna] tidak sah.", "Berkas pengguna rusak. Hubungi admin aplikasi.")
    for login, entry in users.items():
        problem = _entry_problem(entry)
        if problem:
            raise UsersFileError(f"Berkas pengguna {path}, pengguna '{login}' (baris {_line_of(path, login)}): {problem}.",
                                 f"Berkas pengguna rusak (pengguna '{login}'). Hubungi admin aplikasi.")
    return users


def _entry_problem(entry) -> str | None:
    if not isinstance(entry, dict):
        return "bukan tabel [pengguna.NAMA]"
    if entry.get("peran") not in ROLES:
        return f"peran '{entry.get('peran', '')}' tidak dikenal; harus salah satu dari {', '.join(ROLES)}"
    if entry.get("kecamatan") and not KECAMATAN_PATTERN.fullmatch(str(entry["kecamatan"])):
        return f"kode kecamatan '{entry['kecamatan']}' tidak sah (mis. 35.23.18)"
    if not isinstance(entry.get("sesi", 0), int):
        return "sesi harus bilangan bulat"
    return None


def _line_of(path: Path, login: str) -> int | str:
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if line.strip().replace('"', "").replace("'", "") == f"[pengguna.{login}]":
            return number
    return "?"


def authenticate(login: str, password: str, path: Path | None = None) -> User | None:
    entry = load_users(path).get(login.strip())
    if entry is None:
        hash_password(password)  # the same work whether or not the user exists
        return None
    if not check_password(password, entry.get("sandi", "")):
        return None
    return user_of(login.strip(), entry)


def user_of(login: str, entry: dict) -> User:
    return User(login, entry.get("nama", login), entry["peran"], entry.get("kecamatan", ""))


SESSION_HOURS = 8  # a browser stays signed in this long after login, across reloads
COOKIE = "pmks_sesi"


def _mac(entry: dict, payload: str) -> str:
    return hmac.new(entry.get("sandi", "").encode(), payload.encode(), hashlib.sha256).hexdigest()


def session_token(login: str, entry: dict, now: float) -> str:
    """A signed session token: login, expiry and the user's session generation, MAC-ed with the user's stored
    password hash (a server secret). A new password or a raised generation makes it worthless."""
    payload = f"{login}|{int(now) + SESSION_HOURS * 3600}|{int(entry.get('sesi', 0))}"
    return base64.urlsafe_b64encode(f"{payload}|{_mac(entry, payload)}".encode()).decode().rstrip("=")


def login_from_token(token: str | None, users: dict[str, dict], now: float) -> str | None:
    """The login a valid, unexpired, unrevoked token was made for; None for anything else."""
    if not isinstance(token, str) or not token:
        return None
    try:
        login, expiry, generation, mac = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().rsplit("|", 3)
        entry = users.get(login)
        if entry is None or int(expiry) < now or int(generation) != int(entry.get("sesi", 0)):
            return None
    except (ValueError, UnicodeDecodeError):
        return None
    return login if hmac.compare_digest(mac, _mac(entry, f"{login}|{expiry}|{generation}")) else None


def end_sessions(login: str, path: Path | None = None) -> None:
    """End every session of a user on the server (sign-out): its tokens stop being accepted at once."""
    path = path or users_file()
    users = load_users(path)
    if login in users:
        users[login]["sesi"] = int(users[login].get("sesi", 0)) + 1
        write_users(users, path)


MIN_PASSWORD = 8


def check_new_password(password: str) -> None:
    """The password rule of `python -m etl user add` and of the admin page."""
    if len(password) < MIN_PASSWORD:
        raise PMKSError(f"Kata sandi minimal {MIN_PASSWORD} karakter.")


def save_user(login: str, nama: str, peran: str, kecamatan: str, password: str, path: Path | None = None) -> str:
    """Add or replace a user in the TOML file (written with owner-only permissions); returns the stored login.
    Replacing a user ends its sessions."""
    login = clean_login(login)
    if peran not in ROLES:
        raise PMKSError(f"Peran harus salah satu dari {', '.join(ROLES)}.")
    if kecamatan and not KECAMATAN_PATTERN.fullmatch(kecamatan):
        raise PMKSError(f"Kode kecamatan '{kecamatan}' tidak sah (mis. 35.23.18).")
    path = path or users_file()
    users = load_users(path)
    generation = int(users.get(login, {}).get("sesi", 0)) + (1 if login in users else 0)
    users[login] = {"nama": nama.strip() or login, "peran": peran, "kecamatan": kecamatan, "sandi": hash_password(password),
                    "sesi": generation}
    write_users(users, path)
    return login


def write_users(users: dict[str, dict], path: Path | None = None) -> None:
    """Write the users file atomically, readable by its owner only."""
    path = path or users_file()
    lines = ["# Pengguna Dasbor PMKS. Dibuat oleh `python -m etl user`; jangan dimasukkan ke git.", ""]
    for name, entry in sorted(users.items()):
        lines.append(f"[pengguna.{json.dumps(name)}]")
        for key in ("nama", "peran", "kecamatan", "sandi"):
            lines.append(f"{key} = {json.dumps(entry.get(key, ''))}")
        lines.append(f"sesi = {int(entry.get('sesi', 0))}")
        lines.append("")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


class LoginThrottle:
    """Slows password guessing: after FREE failures for one account (or FREE_CLIENT from one client) within WINDOW
    seconds of each other, that account (client) is locked for BASE seconds, doubling with each further failure up
    to CAP. A success clears the account's count. Thread-safe; one per server process. Unknown accounts are
    throttled exactly like known ones, so a lock says nothing about whether an account exists."""

    FREE, FREE_CLIENT, BASE, CAP, WINDOW = 5, 20, 30.0, 3600.0, 900.0

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._fails: dict[str, tuple[int, float, float]] = {}  # key -> (failures, locked until, last failure)

    def wait(self, login: str, client: str | None) -> float:
        """Seconds until this account (and client) may try again; 0 when it may try now."""
        now = self._clock()
        with self._lock:
            return max([0.0] + [self._fails.get(k, (0, 0.0, 0.0))[1] - now for k in self._keys(login, client)])

    def failed(self, login: str, client: str | None) -> float:
        """Record a failure; returns the lock it starts (seconds, 0 if none)."""
        now = self._clock()
        lock = 0.0
        with self._lock:
            for key in self._keys(login, client):
                count, until, last = self._fails.get(key, (0, 0.0, now))
                if until <= now and now - last > self.WINDOW:
                    count = 0  # an old run of failures is forgotten
                count += 1
                free = self.FREE_CLIENT if key.startswith("klien:") else self.FREE
                seconds = 0.0 if count < free else min(self.CAP, self.BASE * 2 ** (count - free))
                self._fails[key] = (count, now + seconds, now)
                lock = max(lock, seconds)
        return lock

    def succeeded(self, login: str) -> None:
        with self._lock:
            self._fails.pop(f"akun:{login.strip().lower()}", None)

    @staticmethod
    def _keys(login: str, client: str | None) -> list[str]:
        keys = [f"akun:{login.strip().lower()}"]
        if client:
            keys.append(f"klien:{client}")
        return keys
