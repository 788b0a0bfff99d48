"""The rules of accounts, with no I/O: roles, the user record, password hashing and the password and login rules,
and the throttle on password guessing. What a role may see and do is `accounts.rulebook`; storage `accounts.store`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass

from common.errors import PMKSError

ROLES = ("pimpinan", "staf", "analis", "admin")  # the linear hierarchy: each has everything of the ones before
FIELD_ROLES = ("psm", "verifikator")  # issue 25: outside the hierarchy, scoped to a desa / a kecamatan
ALL_ROLES = ROLES + FIELD_ROLES
ROLE_LABEL = {"pimpinan": "Pimpinan", "staf": "Staf kebijakan", "analis": "Analis data", "admin": "Admin",
              "psm": "PSM (desa)", "verifikator": "Verifikator (kecamatan)"}
N, R, P = 2**14, 8, 1  # scrypt cost: about 50 ms and 16 MB per check
LOGIN_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
KECAMATAN_PATTERN = re.compile(r"\d{2}\.\d{2}\.\d{2}")
DESA_PATTERN = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
SESSION_HOURS = 8  # a browser stays signed in this long after login, across reloads
COOKIE = "pmks_sesi"
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    login: str
    nama: str
    peran: str
    kecamatan: str = ""  # '' = the whole warehouse
    desa: str = ""  # a psm's desa ('' = not scoped to a desa); its kecamatan is `kecamatan`
    ganti_sandi: bool = False  # must choose a new password before anything else (one-time password)

    def pages(self) -> list[str]:
        """The pages this user may open (the rulebook's answer)."""
        from accounts import rulebook

        return list(rulebook.pages(self))

    @property
    def can_export(self) -> bool:
        """Whether files may leave the office through this user (the rulebook's answer)."""
        from accounts import rulebook

        return rulebook.may(self, "unduh")


DEMO = User("demo", "Mode demo (tanpa login)", "admin", "")


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


def check_role(peran: str, kecamatan: str, desa: str = "") -> None:
    """The role and scope rules of `python -m etl user add` and of the admin page: a psm has one desa (inside its
    kecamatan), a verifikator one kecamatan; other roles no desa."""
    if peran not in ALL_ROLES:
        raise PMKSError(f"Peran harus salah satu dari {', '.join(ALL_ROLES)}.")
    if kecamatan and not KECAMATAN_PATTERN.fullmatch(kecamatan):
        raise PMKSError(f"Kode kecamatan '{kecamatan}' tidak sah (mis. 35.23.18).")
    if desa and not DESA_PATTERN.fullmatch(desa):
        raise PMKSError(f"Kode desa '{desa}' tidak sah (mis. 35.23.18.2001).")
    if peran == "psm" and not (desa and kecamatan and desa.startswith(kecamatan + ".")):
        raise PMKSError("Peran psm memerlukan satu desa (kode desa, mis. 35.23.18.2001).")
    if peran == "verifikator" and not kecamatan:
        raise PMKSError("Peran verifikator memerlukan satu kecamatan (mis. 35.23.18).")
    if desa and peran != "psm":
        raise PMKSError("Hanya peran psm yang dibatasi pada satu desa.")


def check_new_password(password: str) -> None:
    """The password rule of `python -m etl user add` and of the admin page."""
    if len(password) < MIN_PASSWORD:
        raise PMKSError(f"Kata sandi minimal {MIN_PASSWORD} karakter.")


def new_token() -> tuple[str, str]:
    """A session token for the browser and the key it is stored under (its SHA-256: a copy of the warehouse holds no
    live session)."""
    token = secrets.token_urlsafe(32)
    return token, token_key(token)


def token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginThrottle:
    """Slows password guessing: after FREE failures for one account (or FREE_CLIENT from one client) within WINDOW
    seconds of each other, that account (client) is locked for BASE seconds, doubling with each further failure up
    to CAP. A success clears the account's count. Thread-safe; one per server process. Unknown accounts are
    throttled exactly like known ones, so a lock says nothing about whether an account exists. A client without an
    address (some proxies, a local socket) is counted under one shared key, never not at all."""

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
        return [f"akun:{login.strip().lower()}", f"klien:{client or '-'}"]
