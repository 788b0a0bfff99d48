"""The PostgreSQL store: the shared system of record of several app processes and machines (issue 23), the same
layer as `store.embedded` (read / transaction / versions / analytics), selected by `PMKS_DATABASE_URL`.

How it holds:
- **Reads** (`read()`) are one REPEATABLE READ transaction on a pooled connection: one committed state of PostgreSQL.
- **Writes** (`transaction()`) take turns, as on the embedded file: every write transaction first takes one
  transaction-level advisory lock, so the ETL's "check, then write" logic runs after every earlier writer of any
  process or machine; the lock goes with the commit, the rollback or a killed connection (no stale lock).
  A write then raises the version counters (`_versi`: `data`, `akun`, `audit`) inside its own transaction and
  announces the new `audit` version with NOTIFY at commit.
- **Change log.** Triggers (migration `postgres/0023_shared_store.sql`) record in `_log_ubah`, stamped with the
  writing transaction's new `audit` version, which desa × months of the marts and reports and which other tables it
  changed. Each app process follows PostgreSQL with a DuckDB copy of what the pages read (`store.follower`); the
  pages' SQL runs there (`analytics()`), as fast as on the embedded file.
- **Sessions and users** are never read from the copy: `versions()` asks PostgreSQL each time, so a sign-out in one
  process ends the session in every process at once.
- **Faults.** A broken connection (PostgreSQL stopped or restarted) is dropped from the pool and reported as a
  `SystemProblem` in Indonesian; the next call connects anew. The pages keep showing the last state of the copy.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import errors as pg_errors

from common.errors import PMKSError, SystemProblem
from store.pgsql import LockTimeout, PgConnection, Unreachable, configure

VERSION_KEYS = ("data", "akun", "audit")
WRITE_LOCK = 23_2310  # the advisory lock every write transaction takes first (one writer at a time)
CHANNEL = "pmks_versi"
LOG_KEEP = 50_000  # versions of change log kept; a copy further behind reloads everything
MIGRATIONS = Path(__file__).parent / "migrations" / "postgres"


def default_wait() -> float:
    return float(os.environ.get("PMKS_LOCK_WAIT", "30"))


def redact(url: str) -> str:
    """The URL without its password, for messages and keys."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class _Pool:
    """A few open connections per process (autocommit: the store says BEGIN and COMMIT itself)."""

    def __init__(self, url: str, size: int):
        self.url = url
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)

    def get(self, deadline: float, first: str) -> psycopg.Connection:
        """A connection on which `first` (BEGIN …) has run. An idle connection that broke meanwhile (PostgreSQL was
        restarted) is closed and the next one tried, so a restart costs no request an error once it is over."""
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise LockTimeout("pool")
        try:
            while True:
                with self._lock:
                    con = self._idle.pop() if self._idle else None
                if con is None:
                    con = self.connect(max(1.0, min(10.0, deadline - time.monotonic())))
                    try:
                        con.execute(first)
                    except psycopg.OperationalError as exc:
                        con.close()
                        raise Unreachable(str(exc)) from exc
                    return con
                try:
                    con.execute(first)
                    return con
                except psycopg.OperationalError:
                    with contextlib.suppress(Exception):
                        con.close()
        except BaseException:
            self._slots.release()
            raise

    def connect(self, timeout: float = 5.0) -> psycopg.Connection:
        try:
            con = psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, int(timeout)), application_name="pmks")
        except psycopg.OperationalError as exc:
            raise Unreachable(str(exc)) from exc
        configure(con)
        return con

    def put(self, con: psycopg.Connection, healthy: bool) -> None:
        try:
            ok = healthy and not con.closed and not con.broken and con.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            if ok:
                with self._lock:
                    self._idle.append(con)
            else:
                with contextlib.suppress(Exception):
                    con.close()
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for con in idle:
            with contextlib.suppress(Exception):
                con.close()


class PostgresStore:
    """The warehouse in the PostgreSQL database at `url`; get it with `store.open_store()` (one per URL and process)."""

    backend = "postgres"
    migrations_dir = MIGRATIONS

    def __init__(self, url: str):
        self.url = url
        self.label = redact(url)
        self.path = self.label  # what caches and messages name the warehouse by (never the password)
        self._pool = _Pool(url, int(os.environ.get("PMKS_PG_POOL", "10")))
        self._has_versions = False
        self._in_write = threading.local()
        self._follower = None
        self._follower_lock = threading.Lock()

    def exists(self) -> bool:
        return True  # a database that is not reachable or not prepared says so on the first read

    # --- reading and writing -------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self, wait: float | None = None) -> Iterator[PgConnection]:
        """One REPEATABLE READ transaction: everything read in the block belongs to one committed state."""
        with self._connection(wait, "begin isolation level repeatable read") as raw:
            con = PgConnection(raw)
            try:
                yield con
            finally:
                with contextlib.suppress(psycopg.Error):
                    raw.execute("rollback")

    @contextlib.contextmanager
    def transaction(self, bump: tuple[str, ...] = ("data",), wait: float | None = None) -> Iterator[PgConnection]:
        """One write transaction after every earlier writer of any process: all of the block is committed, or none.
        `bump` names the version counters it changes ('data', 'akun'); 'audit' is raised by every write."""
        if getattr(self._in_write, "active", False):
            raise RuntimeError("a write transaction inside another one (the outer one would wait for itself)")
        wait = default_wait() if wait is None else wait
        self._in_write.active = True
        try:
            with self._connection(wait, "begin") as raw:
                con = PgConnection(raw)
                try:
                    raw.execute("select set_config('lock_timeout', %s, true)", [f"{int(wait * 1000)}ms"])
                    raw.execute("select pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                    raw.execute("select set_config('lock_timeout', '0', true)")
                    audit = self._bump(raw, bump)
                    yield con
                    if audit is not None:
                        raw.execute("select pg_notify(%s, %s)", [CHANNEL, f"{audit} {time.time():.6f}"])
                    raw.execute("commit")
                except BaseException:
                    with contextlib.suppress(psycopg.Error):
                        raw.execute("rollback")
                    raise
        except (pg_errors.LockNotAvailable, pg_errors.QueryCanceled, LockTimeout):
            raise self._busy() from None
        finally:
            self._in_write.active = False
        follower = self._follower
        if follower is not None:
            follower.catch_up_quietly()  # this process's pages show its own write at once

    def versions(self) -> dict[str, int]:
        """The version counters as PostgreSQL has them now ({'data': n, 'akun': n, 'audit': n})."""
        with self._connection(None, "begin isolation level repeatable read") as raw:
            try:
                rows = dict(self._execute(raw, "select kunci, nilai from _versi").fetchall())
            except pg_errors.UndefinedTable:
                rows = {}
            finally:
                raw.execute("rollback")
        return {key: int(rows.get(key, 0)) for key in VERSION_KEYS}

    # --- what the pages read -------------------------------------------------------------------

    def follower(self):
        """This process's DuckDB copy of what the pages read (started and filled on first use)."""
        with self._follower_lock:
            if self._follower is None:
                from store.follower import Follower

                self._follower = Follower(self)
            found = self._follower
        found.start()
        return found

    @contextlib.contextmanager
    def analytics(self, wait: float | None = None) -> Iterator:
        """A DuckDB cursor in one snapshot of the copy: the pages' SQL (dashboard.queries) runs here."""
        with self.follower().read() as con:
            yield con

    def prepare_analytics(self) -> None:
        """Fill this process's copy in the background (an app server at start: the first visitor does not wait for
        it); a failure is left for the first page to report."""
        def fill():
            try:
                self.follower()
            except Exception as exc:  # noqa: BLE001 - the first page says why, in Indonesian
                import logging

                logging.getLogger("pmks.follower").warning("copy not filled at start: %s", exc)

        threading.Thread(target=fill, name="pmks-salinan-awal", daemon=True).start()

    def analytics_versions(self) -> dict[str, int]:
        """The counters of the state the copy shows (what the pages' caches key on)."""
        return self.follower().versions()

    def close(self, wait: float = 10.0) -> None:  # noqa: ARG002 - the same signature as the embedded store
        follower, self._follower = self._follower, None
        if follower is not None:
            follower.stop()
        self._pool.close()

    # --- connections and faults --------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self, wait: float | None, first: str) -> Iterator[psycopg.Connection]:
        deadline = time.monotonic() + (default_wait() if wait is None else wait)
        try:
            raw = self._pool.get(deadline, first)
        except LockTimeout:
            raise self._busy() from None
        except Unreachable as exc:
            raise self.unreachable(exc) from None
        healthy = True
        try:
            yield raw
        except (Unreachable, psycopg.OperationalError) as exc:
            if isinstance(exc, (pg_errors.LockNotAvailable, pg_errors.QueryCanceled)):
                raise
            healthy = False
            raise self.unreachable(exc) from None
        finally:
            self._pool.put(raw, healthy)

    def _execute(self, raw: psycopg.Connection, sql: str, params=None):
        """A statement of the store's own (BEGIN, the counters), with a broken pooled connection reported as such."""
        try:
            return raw.execute(sql, params)
        except psycopg.OperationalError as exc:
            raise Unreachable(str(exc)) from exc

    def _bump(self, raw: psycopg.Connection, keys: tuple[str, ...]) -> int | None:
        """Raise the named counters and 'audit' now (the transaction holds the write lock, so no other writer can
        raise them before this one commits), stamp the change log with the new audit version, and prune it."""
        if not self._has_versions:
            self._has_versions = raw.execute("select to_regclass('_versi') is not null").fetchall()[0][0]
            if not self._has_versions:
                return None
        rows: dict[str, int] = dict(raw.execute("update _versi set nilai = nilai + 1 where kunci = any(%s) returning kunci, nilai",
                                [[*keys, "audit"]]).fetchall())
        audit = int(rows["audit"])
        raw.execute("select set_config('pmks.versi', %s, true)", [str(audit)])
        if audit % 1000 == 0 and raw.execute("select to_regclass('_log_ubah') is not null").fetchall()[0][0]:
            raw.execute("delete from _log_ubah where versi <= %s", [audit - LOG_KEEP])
            raw.execute("update _versi set nilai = greatest(nilai, %s) where kunci = 'log_awal'", [audit - LOG_KEEP])
        return audit

    def _busy(self) -> SystemProblem:
        return SystemProblem(f"Basis data {self.label} sedang dipakai proses lain terlalu lama. Coba lagi sebentar lagi.",
                             short="Basis data sedang sibuk melayani banyak pekerjaan sekaligus; tidak ada yang diubah. "
                                   "Coba lagi sebentar lagi.")

    def unreachable(self, exc: BaseException) -> PMKSError:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return SystemProblem(f"Basis data PostgreSQL {self.label} tidak dapat dihubungi ({reason}). Periksa apakah server "
                             "PostgreSQL berjalan dan PMKS_DATABASE_URL benar, lalu coba lagi.",
                             short="Basis data sedang tidak dapat dihubungi (server basis data mati atau sedang dimulai "
                                   "ulang). Coba lagi sebentar lagi; bila berlanjut, hubungi admin aplikasi.")
