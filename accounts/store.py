"""Users and sessions kept in the warehouse's store (tables `pengguna` and `sesi`, migration 0011).

Every change is one transaction with its audit row: adding, changing and removing users, signing in (a new session),
failing to sign in, signing out (that session ends), a new password or a removed user (every session of the user
ends). The rules that need the whole table (the first user is an admin; the last admin stays) are checked inside the
transaction, so two admins acting at once cannot break them. The browser holds a random token; the store holds its
SHA-256, when it expires and when it ended.

Who may open the app is decided here and fails closed: demo access (everyone is the demo admin) only when the
warehouse says so (`akses_demo` = 1, set by `python -m etl demo`), otherwise a signed-in user, and with no users at
all nobody but a message.
"""

from __future__ import annotations

import json
import os
import re
import threading
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from accounts.users import DEMO, ROLES, SESSION_HOURS, User, check_new_password, check_password, check_role, clean_login, hash_password, new_token, token_key
from common.errors import PMKSError
from store.schema import audit, get_setting, set_setting

DEMO_SETTING = "akses_demo"
TOML_SETTING = "pengguna_toml_diimpor"


class NoAccess(PMKSError):
    """Nobody may sign in (no users, no demo access, an unreadable store); the message says what the admin does."""


@dataclass(frozen=True)
class Gate:
    """What the start of every run needs: whether the warehouse opens without sign-in, and whether it has users."""

    demo: bool
    users: int


def legacy_file() -> Path:
    """`pengguna.toml` of earlier releases (PMKS_USERS_FILE, default beside app.py), imported once into the store."""
    from common.config import REPO_ROOT

    return Path(os.environ.get("PMKS_USERS_FILE") or REPO_ROOT / "pengguna.toml")


# --- reading ---------------------------------------------------------------------------------------


_GATES: dict[tuple, Gate] = {}


def gate(store) -> Gate:
    """Remembered per version of the accounts (a run costs a dictionary lookup)."""
    key = (str(store.path), store.versions()["akun"])
    found = _GATES.get(key)
    if found is None:
        with store.read() as con:
            found = Gate(demo=_demo(con), users=con.execute("select count(*) from pengguna").fetchone()[0])
        if len(_GATES) > 64:
            _GATES.clear()
        _GATES[key] = found
    return found


def _demo(con) -> bool:
    return get_setting(con, DEMO_SETTING) == "1"


def list_users(store) -> list[dict]:
    """Every user (login, nama, peran, kecamatan), by login; no password hashes."""
    with store.read() as con:
        rows = con.execute("""select login, nama, peran, kecamatan, coalesce(desa, ''), coalesce(telepon, ''),
                              coalesce(ganti_sandi, false) from pengguna order by login""").fetchall()
    return [dict(zip(("login", "nama", "peran", "kecamatan", "desa", "telepon", "ganti_sandi"), r)) for r in rows]


_SESSIONS: dict[tuple, tuple[User | None, datetime | None]] = {}
_SESSIONS_LOCK = threading.Lock()


def session_user(store, token: str | None, now: datetime | None = None) -> User | None:
    """The user of a live session (not ended, not expired, user still there), or None. Remembered per version of
    the accounts, so a run costs a dictionary lookup until someone signs in or out anywhere."""
    if not isinstance(token, str) or not token:
        return None
    now = now or datetime.now()
    key = (str(store.path), store.versions()["akun"], token_key(token))
    with _SESSIONS_LOCK:
        found = _SESSIONS.get(key)
    if found is None:
        with store.read() as con:
            row = con.execute(f"""
                select {_USER_COLUMNS}, s.kedaluwarsa from sesi s join pengguna u on u.login = s.login
                where s.id = ? and s.berakhir is null""", [key[2]]).fetchone()
        found = (_user(row), row[-1]) if row else (None, None)
        with _SESSIONS_LOCK:
            if len(_SESSIONS) > 4096:
                _SESSIONS.clear()
            _SESSIONS[key] = found
    user, expires = found
    return user if user is not None and expires is not None and expires > now else None


def check_login(store, login: str, password: str) -> User | None:
    """The user whose login and password these are, else None (the same work whether or not the account exists)."""
    with store.read() as con:
        row = con.execute(f"select {_USER_COLUMNS}, u.sandi from pengguna u where u.login = ?", [login.strip()]).fetchone()
    if row is None:
        hash_password(password)
        return None
    return _user(row) if check_password(password, row[-1]) else None


# the columns of a User, in its order (a psm's desa and the must-change flag: migration 0025)
_USER_COLUMNS = "u.login, u.nama, u.peran, u.kecamatan, coalesce(u.desa, ''), coalesce(u.ganti_sandi, false)"


def _user(row) -> User:
    return User(row[0], row[1], row[2], row[3], row[4], bool(row[5]))


# --- writing ---------------------------------------------------------------------------------------


def sign_in(store, user: User, client: str | None, now: datetime | None = None) -> str | None:
    """Open a session for a user whose password was just checked; returns the browser's token, or None when the user
    was removed or changed in the meantime. Audited (`masuk`)."""
    now = now or datetime.now()
    token, key = new_token()
    with store.transaction(bump=("akun",)) as con:
        row = con.execute("select peran, kecamatan, coalesce(desa, '') from pengguna where login = ?", [user.login]).fetchone()
        if row is None or tuple(row) != (user.peran, user.kecamatan, user.desa):
            return None
        con.execute("delete from sesi where kedaluwarsa < ?", [now - timedelta(days=30)])  # keep the table small
        con.execute("insert into sesi (id, login, dibuat, kedaluwarsa, klien) values (?, ?, ?, ?, ?)",
                    [key, user.login, now, now + timedelta(hours=SESSION_HOURS), client or "-"])
        audit(con, user.login, "masuk", user.login, json.dumps({"klien": client or "-"}))
    return token


def record_failure(store, login: str, client: str | None, locked_seconds: float) -> None:
    """Audit a failed sign-in (`gagal_masuk`) and the lock it started (`kunci_masuk`), in one transaction."""
    with store.transaction(bump=()) as con:
        audit(con, login or "-", "gagal_masuk", login or "-", json.dumps({"klien": client or "-"}))
        if locked_seconds:
            audit(con, login or "-", "kunci_masuk", login or "-", json.dumps({"detik": int(locked_seconds), "klien": client or "-"}))


def sign_out(store, token: str | None, actor: str) -> bool:
    """End this session on the server (every tab of the browser); audited (`keluar`). False when it had ended."""
    if not token:
        return False
    with store.transaction(bump=("akun",)) as con:
        ended = con.execute("update sesi set berakhir = ? where id = ? and berakhir is null returning id",
                            [datetime.now(), token_key(token)]).fetchall()
        audit(con, actor, "keluar", actor, None)
    return bool(ended)


def _end_sessions(con, login: str) -> None:
    con.execute("update sesi set berakhir = ? where login = ? and berakhir is null", [datetime.now(), login])


def save_user(store, login: str, nama: str, peran: str, kecamatan: str, password: str, actor: str, *, desa: str = "",
              telepon: str = "", must_change: bool = False) -> tuple[str, bool]:
    """Add a user, or change one (a new password ends every session of it); returns (stored login, existed).

    Refused (PMKSError, Indonesian) when the login, role or scope is invalid, when the first user would not be an
    admin, or when the change would leave no admin. The first user of a demo warehouse ends demo access: from then on
    everyone signs in. Audited (`pengguna_tambah` / `pengguna_ubah`)."""
    login = clean_login(login)
    if peran == "psm" and desa and not kecamatan:
        kecamatan = desa.rsplit(".", 1)[0]
    check_role(peran, kecamatan, desa)
    digest = hash_password(password)  # slow on purpose: outside the transaction
    now = datetime.now()
    with store.transaction(bump=("akun",)) as con:
        admins = {r[0] for r in con.execute("select login from pengguna where peran = 'admin'").fetchall()}
        existed = con.execute("select count(*) from pengguna where login = ?", [login]).fetchone()[0] > 0
        count = con.execute("select count(*) from pengguna").fetchone()[0]
        if not count and peran != "admin":
            raise PMKSError("Pengguna pertama harus admin: begitu ada pengguna, setiap orang harus masuk, dan harus ada "
                            "yang dapat mengatur pengguna.")
        if desa and not con.execute("select count(*) from wilayah where kode = ? and tingkat = 'desa'", [desa]).fetchone()[0]:
            raise PMKSError(f"Desa dengan kode '{desa}' tidak ada di daftar wilayah.")
        if admins == {login} and peran != "admin":
            raise PMKSError(f"{login} adalah satu-satunya admin; tambahkan admin lain dulu sebelum mengubah perannya.")
        con.execute("""
            insert into pengguna (login, nama, peran, kecamatan, sandi, dibuat, diubah, desa, ganti_sandi, telepon)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (login) do update set nama = excluded.nama, peran = excluded.peran, kecamatan = excluded.kecamatan,
                sandi = excluded.sandi, diubah = excluded.diubah, desa = excluded.desa, ganti_sandi = excluded.ganti_sandi,
                telepon = excluded.telepon""",
                    [login, nama.strip() or login, peran, kecamatan or "", digest, now, now, desa, must_change, telepon.strip()])
        if existed:
            _end_sessions(con, login)
        audit(con, actor, "pengguna_ubah" if existed else "pengguna_tambah", login,
              json.dumps({"peran": peran, "kecamatan": kecamatan or "", "desa": desa}))
        if not count and _demo(con):
            set_setting(con, DEMO_SETTING, "0")
            audit(con, actor, "akses_demo", "0", json.dumps({"sebab": "pengguna pertama"}))
    return login, existed


def change_own_password(store, user: User, old: str, new: str) -> User:
    """The user sets a new password (the one-time password's first sign-in, or any time): the old one must match, the
    new one follow the rule and differ from it. Clears the must-change flag; keeps this session and ends no other
    tab of it. Audited (`sandi_ganti`). Returns the user as now signed in."""
    check_new_password(new)
    if new == old:
        raise PMKSError("Kata sandi baru harus berbeda dari kata sandi lama.")
    with store.read() as con:
        row = con.execute("select sandi from pengguna where login = ?", [user.login]).fetchone()
    if row is None or not check_password(old, row[0]):
        raise PMKSError("Kata sandi lama tidak cocok.")
    digest = hash_password(new)
    with store.transaction(bump=("akun",)) as con:
        con.execute("update pengguna set sandi = ?, ganti_sandi = false, diubah = ? where login = ?", [digest, datetime.now(), user.login])
        audit(con, user.login, "sandi_ganti", user.login, None)
    return User(user.login, user.nama, user.peran, user.kecamatan, user.desa, False)


def remove_user(store, login: str, actor: str) -> None:
    """Remove a user and end every session of it; never the last admin. Audited (`pengguna_hapus`)."""
    with store.transaction(bump=("akun",)) as con:
        row = con.execute("select peran from pengguna where login = ?", [login]).fetchone()
        if row is None:
            raise PMKSError(f"Pengguna {login} tidak ada.")
        admins = {r[0] for r in con.execute("select login from pengguna where peran = 'admin'").fetchall()}
        if admins == {login}:
            raise PMKSError(f"{login} adalah satu-satunya admin dan tidak dapat dihapus; tambahkan admin lain dulu.")
        con.execute("delete from pengguna where login = ?", [login])
        _end_sessions(con, login)
        audit(con, actor, "pengguna_hapus", login, None)


def set_demo_access(store, on: bool, actor: str) -> None:
    """Open the app without sign-in (a demo warehouse) or close it; audited (`akses_demo`)."""
    with store.transaction(bump=("akun",)) as con:
        set_setting(con, DEMO_SETTING, "1" if on else "0")
        audit(con, actor, "akses_demo", "1" if on else "0", None)


# --- the users file of earlier releases ------------------------------------------------------------


def import_legacy_file(store, actor: str, path: Path | None = None) -> int:
    """Move the users of `pengguna.toml` into the store, once (its SHA-256 is remembered); returns how many.

    Raises NoAccess (Indonesian, naming the line) when the file is not valid TOML or an entry is wrong: the app then
    opens for nobody until it is mended or removed."""
    import hashlib

    path = path or legacy_file()
    try:
        stat = path.stat()
    except OSError:
        return 0
    seen = (str(store.path), str(path), stat.st_mtime_ns, stat.st_size)
    if seen in _IMPORTED:
        return 0
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NoAccess(f"Berkas pengguna {path} tidak dapat dibaca ({exc.__class__.__name__}).",
                       short="Berkas pengguna lama tidak dapat dibaca. Hubungi admin aplikasi.") from None
    digest = hashlib.sha256(raw).hexdigest()
    with store.read() as con:
        if get_setting(con, TOML_SETTING) == digest:
            _IMPORTED.add(seen)
            return 0
    entries = _read_toml(path, raw)
    now = datetime.now()
    with store.transaction(bump=("akun",)) as con:
        if get_setting(con, TOML_SETTING) == digest:
            return 0
        known = {r[0] for r in con.execute("select login from pengguna").fetchall()}
        added = 0
        for login, entry in entries.items():
            if login in known:
                continue  # the store wins over the old file
            con.execute("insert into pengguna (login, nama, peran, kecamatan, sandi, dibuat, diubah) values (?, ?, ?, ?, ?, ?, ?)",
                        [login, entry.get("nama", login), entry["peran"], entry.get("kecamatan", ""), entry.get("sandi", ""), now, now])
            added += 1
        set_setting(con, TOML_SETTING, digest)
        if added and _demo(con):
            set_setting(con, DEMO_SETTING, "0")
        audit(con, actor, "pengguna_impor", path.name, json.dumps({"pengguna": added}))
    _IMPORTED.add(seen)
    return added


_IMPORTED: set[tuple] = set()  # (warehouse, file, mtime, size) already imported or checked


def _read_toml(path: Path, raw: bytes) -> dict[str, dict]:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        line = f"baris {where.group(1)} kolom {where.group(2)}" if where else "suatu baris"
        raise NoAccess(f"Berkas pengguna {path} tidak dapat dibaca: {line} bukan TOML yang sah. Perbaiki baris itu, atau "
                       "hapus berkasnya lalu tambahkan pengguna dengan: python -m etl user add",
                       short=f"Berkas pengguna lama rusak ({line}). Hubungi admin aplikasi.") from None
    except UnicodeDecodeError:
        raise NoAccess(f"Berkas pengguna {path} bukan teks UTF-8.", short="Berkas pengguna lama rusak. Hubungi admin aplikasi.") from None
    users = data.get("pengguna", {})
    if not isinstance(users, dict):
        raise NoAccess(f"Berkas pengguna {path}: bagian [pengguna] tidak sah.", short="Berkas pengguna lama rusak. Hubungi admin aplikasi.")
    for login, entry in users.items():
        problem = _entry_problem(entry)
        if problem:
            raise NoAccess(f"Berkas pengguna {path}, pengguna '{login}' (baris {_line_of(raw, login)}): {problem}.",
                           short=f"Berkas pengguna lama rusak (pengguna '{login}'). Hubungi admin aplikasi.")
    return users


def _entry_problem(entry) -> str | None:
    from accounts.users import KECAMATAN_PATTERN

    if not isinstance(entry, dict):
        return "bukan tabel [pengguna.NAMA]"
    if entry.get("peran") not in ROLES:
        return f"peran '{entry.get('peran', '')}' tidak dikenal; harus salah satu dari {', '.join(ROLES)}"
    if entry.get("kecamatan") and not KECAMATAN_PATTERN.fullmatch(str(entry["kecamatan"])):
        return f"kode kecamatan '{entry['kecamatan']}' tidak sah (mis. 35.23.18)"
    return None


def _line_of(raw: bytes, login: str) -> int | str:
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if line.strip().replace('"', "").replace("'", "") == f"[pengguna.{login}]":
            return number
    return "?"


def who_may_enter(store, actor: str) -> Gate:
    """The gate of every run, after moving an old users file in; raises NoAccess (fails closed) when nobody may enter:
    no users and no demo access, or a store or users file that cannot be read."""
    try:
        import_legacy_file(store, actor)
        found = gate(store)
    except NoAccess:
        raise
    except duckdb.CatalogException:
        raise NoAccess("Basis data belum memiliki tabel pengguna. Jalankan: python -m etl init",
                       short="Basis data dasbor belum diperbarui di server. Hubungi admin aplikasi.") from None
    if not found.demo and not found.users:
        raise NoAccess("Belum ada pengguna dan akses demo tidak menyala. Tambahkan admin pertama dengan: "
                       "python -m etl user add NAMA --role admin",
                       short="Belum ada akun pengguna untuk dasbor ini. Admin server perlu menambahkan admin pertama.")
    return found


__all__ = ["DEMO", "Gate", "NoAccess", "change_own_password", "check_login", "gate", "import_legacy_file", "list_users", "record_failure",
           "remove_user", "save_user", "session_user", "set_demo_access", "sign_in", "sign_out", "who_may_enter"]
