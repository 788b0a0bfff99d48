"""Opening the warehouse and applying numbered migrations.

DuckDB allows one writing process at a time, and while it writes no other process may open the
file at all. Writers therefore hold their connection only for the length of one transaction, and
both readers and writers retry for a while when the file is locked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb

from etl.errors import PMKSError, SystemProblem

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
LOCK_WAIT_SECONDS = float(os.environ.get("PMKS_LOCK_WAIT", "30"))


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def connect(path: str | Path, *, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, retrying while another process holds its lock.

    Raises PMKSError with an Indonesian message when the file is missing (read-only) or stays locked.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise PMKSError(f"Basis data {path} belum ada. Jalankan dulu: python -m etl init")
    if not read_only and not path.parent.exists():
        raise PMKSError(f"Folder {path.parent} tidak ada; basis data {path.name} tidak dapat dibuat.")
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            if not read_only:
                _private(path)
            return con
        except duckdb.IOException as exc:
            if _is_lock_error(exc) and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            if _is_lock_error(exc):
                raise SystemProblem(
                    f"Basis data {path} sedang dipakai proses lain (terkunci lebih dari {wait:.0f} detik). "
                    "Coba lagi sebentar lagi."
                ) from exc
            raise _io_problem(path, exc) from exc
        except duckdb.Error as exc:
            raise _io_problem(path, exc) from exc
        except OSError as exc:
            raise _io_problem(path, exc) from exc


def _private(path: Path) -> None:
    """The warehouse holds data about vulnerable people: readable by its owner and group only."""
    for p in (path, Path(f"{path}.wal")):
        try:
            if p.exists() and p.stat().st_mode & 0o007:
                os.chmod(p, p.stat().st_mode & ~0o007)
        except PermissionError:
            pass  # not our file to change; the administrator set its permissions


def _io_problem(path: Path, exc: BaseException) -> PMKSError:
    """An Indonesian message, naming the file and what to do, for DuckDB's or the system's (English) I/O error."""
    text = str(exc)
    where = "Periksa --db atau variabel PMKS_DB"
    if "No space left" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        return SystemProblem(f"Disk penuh: basis data {path} tidak dapat ditulis. Kosongkan ruang disk lalu coba lagi.")
    if "not a valid DuckDB database" in text:
        return PMKSError(f"Berkas {path} bukan basis data DuckDB (isinya berkas lain). {where}; untuk basis data baru "
                         "sebutkan nama berkas yang belum ada lalu jalankan: python -m etl init")
    if "Is a directory" in text or path.is_dir():
        return PMKSError(f"{path} adalah folder, bukan berkas basis data. {where}, mis. {path / 'pmks.duckdb'}.")
    if any(m in text for m in ("Permission denied", "Operation not permitted", "Read-only file system")) or \
            getattr(exc, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS):
        return SystemProblem(f"Tidak ada izin untuk membuka atau menulis basis data {path} (atau folder {path.parent}). "
                             "Minta administrator memberi izin tulis pada berkas dan foldernya, atau pakai --db/PMKS_DB di folder lain.")
    return SystemProblem(f"Basis data {path} tidak dapat dibuka atau ditulis (kesalahan sistem berkas). {where}, "
                         "pastikan disk dan foldernya dapat ditulis, lalu coba lagi.")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection, path: str | Path = "") -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: all of it is written, or none of it."""
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except duckdb.IOException as exc:
        con.execute("rollback")
        raise _io_problem(Path(path), exc) from exc
    except OSError as exc:
        con.execute("rollback")
        raise _io_problem(Path(path), exc) from exc
    except BaseException:
        con.execute("rollback")
        raise


def available_migrations() -> list[tuple[str, str]]:
    """(name, sql) of every migration file, in order."""
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))]


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    con.execute("create table if not exists _migrations (name varchar primary key, applied_at timestamp not null)")
    return [r[0] for r in con.execute("select name from _migrations order by name").fetchall()]


def migrate(con: duckdb.DuckDBPyConnection, migrations: list[tuple[str, str]] | None = None) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return the names applied."""
    done = set(applied_migrations(con))
    applied = []
    for name, sql in migrations if migrations is not None else available_migrations():
        if name in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("insert into _migrations values (?, ?)", [name, datetime.now()])
        applied.append(name)
    return applied


def get_setting(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    row = con.execute("select nilai from pengaturan where kunci = ?", [key]).fetchone()
    return row[0] if row else default


def set_setting(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert or replace into pengaturan values (?, ?)", [key, value])


def audit(con: duckdb.DuckDBPyConnection, user: str, action: str, obj: str | None, details: str | None = None) -> None:
    """Record who did what, when; `details` is a JSON document."""
    con.execute(
        "insert into audit (waktu, pengguna, aksi, objek, rincian) values (?, ?, ?, ?, ?)",
        [datetime.now(), user, action, obj, details],
    )
