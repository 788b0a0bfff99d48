"""The embedded store: one DuckDB file on this machine, shared by the app's threads and any number of processes
(the app server, `python -m etl` commands, tests).

How it holds (issue 21):
- **One instance per process.** A process keeps one DuckDB instance open and gives every read and write its own
  cursor; DuckDB refuses a read-only and a read-write instance of one file in one process, so there is never a
  second one. Reads run in a snapshot transaction, so a page never sees half of another session's write.
- **One writer at a time.** Write transactions of the process take turns (a mutex); DuckDB's optimistic
  concurrency would otherwise abort one of two transactions touching the same rows.
- **Processes take turns on the file** through two `flock` files beside it: `<file>.gate` (a process that wants
  the file holds it while it waits, so that newcomers queue behind it) and `<file>.lock` (shared while a process
  reads, exclusive while it may write). A process that holds the file notices within `WATCH_SECONDS` that another
  one waits at the gate, finishes what it is doing and closes its instance. The kernel drops the locks of a killed
  process, and DuckDB's write-ahead log keeps a killed write all or nothing.
- **Versions.** Every write bumps counters in the `_versi` table inside its own transaction: `data` (what pages
  show), `akun` (users and sessions), `audit`. Caches key on them. While this process holds the file nobody else
  can write, so the counters are remembered until this process commits or closes its instance.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from common.errors import PMKSError, SystemProblem
from store.locks import Busy, FairLock, ReadWriteLock, acquire_file, someone_holds

WATCH_SECONDS = 0.02
VERSION_KEYS = ("data", "akun", "audit")


def default_wait() -> float:
    return float(os.environ.get("PMKS_LOCK_WAIT", "30"))


class EmbeddedStore:
    """The DuckDB warehouse file at `path`; get it with `store.open_store()` (one per file and process)."""

    backend = "duckdb"
    migrations_dir = Path(__file__).parent / "migrations"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._gate = Path(f"{self.path}.gate")
        self._lockfile = Path(f"{self.path}.lock")
        self._life = ReadWriteLock()  # shared: using the instance; exclusive: opening or closing it
        self._writer = FairLock()  # one write transaction of this process at a time, in the order they asked
        self._cursor_lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._mode: str | None = None  # 'ro' | 'rw'
        self._fd: int | None = None  # the descriptor holding <file>.lock
        self._versions: dict[str, int] | None = None
        self._generation = 0  # raised by every commit, open and close: a memo of versions read before is void
        self._in_write = threading.local()
        self._has_versions = False  # whether the warehouse has the _versi table (migration 0011); once true, stays
        self._watcher: threading.Thread | None = None
        self._closed = threading.Event()

    # --- reading and writing -------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self, wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor in one snapshot transaction: everything read in the block belongs to one committed state."""
        deadline = time.monotonic() + (default_wait() if wait is None else wait)
        if not self.path.exists() and self._con is None:
            raise PMKSError(f"Basis data {self.path} belum ada. Jalankan dulu: python -m etl init",
                            short="Basis data dasbor belum disiapkan di server. Hubungi admin aplikasi.")
        self._hold("ro", deadline)
        try:
            cur = self._cursor()
            try:
                cur.execute("begin transaction")
                yield cur
            finally:
                with contextlib.suppress(duckdb.Error):
                    cur.execute("rollback")
                cur.close()
        finally:
            self._life.release_shared()

    @contextlib.contextmanager
    def transaction(self, bump: tuple[str, ...] = ("data",), wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor in one write transaction, after every other writer of any process: all of the block is
        committed, or none of it. `bump` names the version counters the write changes ('data': what pages show;
        'akun': users, sessions, demo access); 'audit' is raised by every write."""
        deadline = time.monotonic() + (default_wait() if wait is None else wait)
        if not self.path.parent.is_dir():
            raise PMKSError(f"Folder {self.path.parent} tidak ada; basis data {self.path.name} tidak dapat dibuat.",
                            short="Folder basis data tidak ada di server. Hubungi admin aplikasi.")
        if getattr(self._in_write, "active", False):
            raise RuntimeError("a write transaction inside another one (the outer one would wait for itself)")
        if not self._writer.acquire(max(0.0, deadline - time.monotonic())):
            raise _busy(self.path)
        self._in_write.active = True
        try:
            self._hold("rw", deadline)
            try:
                cur = self._cursor()
                try:
                    cur.execute("begin transaction")
                    try:
                        yield cur
                        self._bump(cur, bump)
                        cur.execute("commit")
                    except BaseException:
                        with contextlib.suppress(duckdb.Error):
                            cur.execute("rollback")
                        raise
                finally:
                    cur.close()
                    self._forget_versions()
            except duckdb.IOException as exc:
                raise _io_problem(self.path, exc) from exc
            except OSError as exc:
                raise _io_problem(self.path, exc) from exc
            finally:
                self._life.release_shared()
        finally:
            self._in_write.active = False
            self._writer.release()

    def exists(self) -> bool:
        return self.path.exists()

    def analytics(self, wait: float | None = None):
        """What the pages' SQL (dashboard.queries, DuckDB's dialect) reads: here the file itself, one snapshot."""
        return self.read(wait)

    def prepare_analytics(self) -> None:
        """Nothing to prepare: the pages read the file itself."""

    def analytics_versions(self) -> dict[str, int]:
        """The counters of the state `analytics()` shows: the file's own."""
        return self.versions()

    def versions(self) -> dict[str, int]:
        """The version counters ({'data': n, 'akun': n, 'audit': n}); exact while this process holds the file."""
        known = self._versions
        if known is not None:
            return known
        generation = self._generation
        with self.read() as con:
            try:
                rows = dict(con.execute("select kunci, nilai from _versi").fetchall())
            except duckdb.CatalogException:  # a warehouse from before migration 0011
                rows = {}
            known = {key: int(rows.get(key, 0)) for key in VERSION_KEYS}
            with self._cursor_lock:
                if generation == self._generation:  # nothing committed, opened or closed since the read began
                    self._versions = known
        return known

    def _forget_versions(self) -> None:
        with self._cursor_lock:
            self._generation += 1
            self._versions = None

    def close(self, wait: float = 10.0) -> None:
        """Close this process's instance (DuckDB writes its log into the file) and stop watching: at exit, and in
        tests. A read or write still running after `wait` seconds keeps it open (the kernel frees the locks at exit)."""
        self._closed.set()
        try:
            self._life.acquire_exclusive(time.monotonic() + wait)
        except Busy:
            return
        try:
            self._close_locked()
        finally:
            self._life.release_exclusive()

    # --- the instance and the locks --------------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._cursor_lock:
            if self._con is None:
                raise RuntimeError("the store is not open")  # _hold opens it before any cursor is asked for
            return self._con.cursor()

    def _hold(self, mode: str, deadline: float) -> None:
        """Hold the instance shared, opened in `mode` ('rw' can also read)."""
        while True:
            try:
                self._life.acquire_shared(deadline)
            except Busy:
                raise _busy(self.path) from None
            if self._con is not None and (self._mode == "rw" or mode == "ro"):
                return
            self._life.release_shared()
            self._open(mode, deadline)

    def _open(self, mode: str, deadline: float) -> None:
        try:
            self._life.acquire_exclusive(deadline)
        except Busy:
            raise _busy(self.path) from None
        try:
            if self._con is not None and (self._mode == "rw" or mode == "ro"):
                return  # another thread opened it meanwhile
            self._close_locked()  # a read-only instance cannot write: give the file up first, then queue for it
            exclusive = mode == "rw"
            try:
                gate = acquire_file(self._gate, exclusive, deadline)
                try:
                    fd = acquire_file(self._lockfile, exclusive, deadline)
                finally:
                    os.close(gate)
            except Busy:
                raise _busy(self.path) from None
            except OSError as exc:
                raise _io_problem(self.path, exc) from exc
            try:
                con = self._connect(mode, deadline)
            except BaseException:
                os.close(fd)
                raise
            self._con, self._mode, self._fd = con, mode, fd
            self._forget_versions()
            self._closed.clear()
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(target=self._watch, name=f"pmks-store-{self.path.name}", daemon=True)
                self._watcher.start()
        finally:
            self._life.release_exclusive()

    def _connect(self, mode: str, deadline: float) -> duckdb.DuckDBPyConnection:
        delay = 0.01
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=mode == "ro")
                if mode == "rw":
                    _private(self.path)
                return con
            except duckdb.IOException as exc:
                # a process outside this protocol (an old server, the duckdb shell) holds the file: wait for it
                if _is_lock_error(exc) and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.2)
                    continue
                if _is_lock_error(exc):
                    raise _busy(self.path) from exc
                raise _io_problem(self.path, exc) from exc
            except duckdb.Error as exc:
                raise _io_problem(self.path, exc) from exc
            except OSError as exc:
                raise _io_problem(self.path, exc) from exc

    def _close_locked(self) -> None:
        if self._con is not None:
            with contextlib.suppress(duckdb.Error):
                self._con.close()
        if self._fd is not None:
            os.close(self._fd)
        self._con, self._mode, self._fd = None, None, None
        self._forget_versions()

    def _watch(self) -> None:
        """Give the file up when another process waits for it (it holds the gate while it waits)."""
        while not self._closed.wait(WATCH_SECONDS):
            if self._con is None or not someone_holds(self._gate):
                continue
            try:
                self._life.acquire_exclusive(time.monotonic() + 3600)
            except Busy:
                continue
            try:
                if self._con is not None and someone_holds(self._gate):
                    self._close_locked()
            finally:
                self._life.release_exclusive()

    def _bump(self, cur: duckdb.DuckDBPyConnection, keys: tuple[str, ...]) -> None:
        """Raise the named counters and 'audit' (any write may add audit rows) in the committing transaction."""
        if not self._has_versions:  # before migration 0011 there is nothing to bump
            self._has_versions = cur.execute("select count(*) from duckdb_tables() where table_name = '_versi'").fetchall()[0][0] > 0
            if not self._has_versions:
                return
        cur.execute("update _versi set nilai = nilai + 1 where kunci in (select unnest(?::varchar[]))", [[*keys, "audit"]])


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def _busy(path: Path) -> SystemProblem:
    return SystemProblem(f"Basis data {path} sedang dipakai proses lain terlalu lama. Coba lagi sebentar lagi.",
                         short="Basis data sedang sibuk melayani banyak pekerjaan sekaligus; tidak ada yang diubah. "
                               "Coba lagi sebentar lagi.")


def _private(path: Path) -> None:
    """The warehouse holds data about vulnerable people: readable by its owner and group only."""
    for p in (path, Path(f"{path}.wal")):
        try:
            if p.exists() and p.stat().st_mode & 0o007:
                os.chmod(p, p.stat().st_mode & ~0o007)
        except PermissionError:
            pass  # not our file to change; the administrator set its permissions


def _io_problem(path: Path, exc: BaseException) -> PMKSError:
    """An Indonesian message, naming the file and what to do, for DuckDB's or the system's (English) I/O error.
    `short` is the same without the server's path, for the app."""
    text = str(exc)
    where = "Periksa --db atau variabel PMKS_DB"
    short = "Basis data dasbor di server tidak dapat dibuka atau ditulis. Hubungi admin aplikasi."
    if "No space left" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        return SystemProblem(f"Disk penuh: basis data {path} tidak dapat ditulis. Kosongkan ruang disk lalu coba lagi.",
                             short="Disk server penuh: data tidak dapat disimpan. Hubungi admin aplikasi.")
    if "not a valid DuckDB database" in text:
        return PMKSError(f"Berkas {path} bukan basis data DuckDB (isinya berkas lain). {where}; untuk basis data baru "
                         "sebutkan nama berkas yang belum ada lalu jalankan: python -m etl init", short=short)
    if "Is a directory" in text or path.is_dir():
        return PMKSError(f"{path} adalah folder, bukan berkas basis data. {where}, mis. {path / 'pmks.duckdb'}.", short=short)
    if any(m in text for m in ("Permission denied", "Operation not permitted", "Read-only file system")) or \
            getattr(exc, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS):
        return SystemProblem(f"Tidak ada izin untuk membuka atau menulis basis data {path} (atau folder {path.parent}). "
                             "Minta administrator memberi izin tulis pada berkas dan foldernya, atau pakai --db/PMKS_DB di folder lain.",
                             short=short)
    return SystemProblem(f"Basis data {path} tidak dapat dibuka atau ditulis (kesalahan sistem berkas). {where}, "
                         "pastikan disk dan foldernya dapat ditulis, lalu coba lagi.", short=short)
