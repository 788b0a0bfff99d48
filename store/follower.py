"""Each app process's DuckDB copy of what the pages read, following PostgreSQL commit by commit (issue 23).

Why a copy: the pages' questions (`dashboard/queries`) are analytical (a year of every desa, medians, ranks, pivots)
and written in DuckDB's dialect; DuckDB answers them on the marts in milliseconds, PostgreSQL in tens to hundreds
(README, *Several servers*). So PostgreSQL holds everything written, and every app process keeps an in-memory DuckDB
database with the same schema (the DuckDB migrations) holding the tables the pages read:
- the marts `agregat_bulanan` and `agregat_laporan` and the reports `laporan`, refreshed by area (desa) × month;
- `audit`, appended by id;
- every other table the pages read, read whole when it changes (they are small: gazetteer, settings, batches, …).
Not copied: `laporan_nilai` (its values are the desa rows of `agregat_bulanan`), the kept files `berkas_asli` (read from
PostgreSQL when a panel or download asks), users and sessions (always read from
PostgreSQL, so a sign-out holds in every process at once).

How it follows: a writer's triggers log what changed under the transaction's new `audit` version (`_log_ubah`,
PostgreSQL migration 0023) and NOTIFY at commit. A listening thread wakes, opens one REPEATABLE READ snapshot of
PostgreSQL, reads the counters, the log entries after the copy's version and the changed rows, and applies all of it
in ONE DuckDB transaction, counters included. Readers use DuckDB snapshots (`read()`), so a page sees the state before
a commit or after it, never a mix. The writing process catches up before its `transaction()` returns (a session sees
its own save at once); the others within milliseconds (the lag is measured: `lags`). It also polls every
`POLL_SECONDS`, and reads everything again when it fell behind the log or PostgreSQL went back (a restored backup).
"""

from __future__ import annotations

import collections
import contextlib
import io
import logging
import threading
import time
from collections.abc import Iterator

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

from common.errors import SystemProblem
from store.pgsql import Unreachable
from store.sqltext import ident, idents, literal

NOT_COPIED = {"laporan_nilai", "pengguna", "sesi", "_migrations", "_versi", "berkas_asli",
              "lapor", "lapor_nilai", "lapor_langkah", "lapor_buka"}  # Lapor Bulanan reads PostgreSQL itself (lapor/)
KEYED = {"agregat_bulanan": "kode_wilayah", "agregat_laporan": "kode_wilayah", "laporan": "kode_desa"}
APPENDED = {"audit": "id"}
POLL_SECONDS = 2.0
BATCH_BYTES = 32 << 20  # CSV bytes parsed and inserted at a time

log = logging.getLogger("pmks.follower")


class Follower:
    def __init__(self, store):
        from store.schema import migrate_connection

        self._store = store
        self.duck = duckdb.connect(":memory:")
        migrate_connection(self.duck)
        self._tables = self._copied_tables()
        self._versions: dict[str, int] | None = None  # what the copy holds (None: not filled yet)
        self._apply = threading.Lock()  # one refresh at a time
        self._cursor_lock = threading.Lock()
        self._filled = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._pg: psycopg.Connection | None = None  # the refreshing connection (kept open; reopened after a fault)
        self.problem: BaseException | None = None  # why the last refresh failed (the pages keep the last state)
        self.lags: collections.deque = collections.deque(maxlen=2000)  # seconds from a writer's NOTIFY to applied here

    def _copied_tables(self) -> dict[str, list[tuple[str, str]]]:
        """{table: [(column, DuckDB type)]} of every base table the copy holds, in column order."""
        rows = self.duck.execute("""
            select table_name, column_name, data_type from information_schema.columns
            where table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE')
            order by table_name, ordinal_position""").fetchall()
        tables: dict[str, list[tuple[str, str]]] = {}
        for table, column, kind in rows:
            if table not in NOT_COPIED:
                tables.setdefault(table, []).append((column, kind))
        return tables

    # --- life --------------------------------------------------------------------------------------

    def start(self) -> None:
        """Fill the copy (once; the first page waits for it) and start following."""
        if self._filled.is_set() and self._thread is not None:
            return
        with self._start_lock:
            if not self._filled.is_set():
                self.refresh(full=True)
            if self._thread is None:
                self._thread = threading.Thread(target=self._listen, name="pmks-follower", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        with self._apply:
            if self._pg is not None:
                with contextlib.suppress(Exception):
                    self._pg.close()
            with contextlib.suppress(duckdb.Error):
                self.duck.close()

    def versions(self) -> dict[str, int]:
        if self._versions is None:
            self.start()
        assert self._versions is not None  # start() fills the copy and its counters, or raises
        return dict(self._versions)

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor in one DuckDB snapshot of the copy."""
        if not self._filled.is_set():
            self.start()
        with self._cursor_lock:
            cur = self.duck.cursor()
        try:
            cur.execute("begin transaction")
            yield cur
        finally:
            with contextlib.suppress(duckdb.Error):
                cur.execute("rollback")
            cur.close()

    # --- following -----------------------------------------------------------------------------------

    def _listen(self) -> None:
        """Wake on NOTIFY (or every POLL_SECONDS) and catch up; reconnect after PostgreSQL went away."""
        delay = 0.2
        while not self._stop.is_set():
            try:
                con = self._store._pool.connect()
            except Unreachable as exc:
                self.problem = exc
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)
                continue
            try:
                con.execute(f"listen {ident(self._store_channel())}")
                delay = 0.2
                self.catch_up_quietly()
                while not self._stop.is_set():
                    stamps = [n.payload for n in con.notifies(timeout=POLL_SECONDS, stop_after=1)]
                    for n in con.notifies(timeout=0.001):  # drain what else came meanwhile
                        stamps.append(n.payload)
                    self.catch_up_quietly(stamps)
            except psycopg.Error as exc:
                self.problem = exc
            finally:
                with contextlib.suppress(Exception):
                    con.close()
            self._stop.wait(delay)

    def _store_channel(self) -> str:
        from store.postgres import CHANNEL

        return CHANNEL

    def catch_up_quietly(self, stamps: list[str] | None = None) -> None:
        """Catch up; a failure is remembered (`problem`) and retried on the next wake, never raised into a page."""
        try:
            self.refresh()
            self.problem = None
        except Exception as exc:  # noqa: BLE001 - the copy keeps its last whole state; logged, retried
            self.problem = exc
            log.warning("copy of %s not refreshed: %s", self._store.label, exc)
            return
        now = time.time()
        for stamp in stamps or ():
            with contextlib.suppress(ValueError, IndexError):
                version, sent = stamp.split()
                if self._versions is not None and int(version) <= self._versions["audit"]:
                    self.lags.append(now - float(sent))

    def refresh(self, full: bool = False) -> bool:
        """Bring the copy to PostgreSQL's current state in one DuckDB transaction; True when something changed."""
        with self._apply:
            try:
                if self._pg is None or self._pg.closed or self._pg.broken:
                    self._pg = psycopg.connect(self._store.url, autocommit=True, connect_timeout=5, application_name="pmks-salinan")
                pg = self._pg
                pg.execute("begin isolation level repeatable read read only")
                try:
                    counters: dict[str, int] = dict(pg.execute("select kunci, nilai from _versi").fetchall())
                    target = {k: int(counters.get(k, 0)) for k in ("data", "akun", "audit")}
                    have = self._versions
                    if have is not None and not full and target["audit"] == have["audit"]:
                        return False
                    if have is None or full or target["audit"] < have["audit"] or have["audit"] < int(counters.get("log_awal", 0)):
                        self._apply_full(pg, target)
                    else:
                        self._apply_changes(pg, have["audit"], target)
                finally:
                    if not pg.broken:
                        pg.execute("rollback")
            except psycopg.OperationalError as exc:
                raise self._store.unreachable(exc) from None
            except psycopg.errors.UndefinedTable:
                raise SystemProblem(f"Basis data {self._store.label} belum disiapkan. Jalankan dulu: python -m etl init",
                                    short="Basis data dasbor belum disiapkan di server. Hubungi admin aplikasi.") from None
            self._filled.set()
            return True

    @contextlib.contextmanager
    def _copy_transaction(self, target: dict[str, int]) -> Iterator:
        """One DuckDB transaction of the copy that ends at PostgreSQL's state `target`: all of it or nothing."""
        duck = self.duck.cursor()
        duck.execute("begin transaction")
        try:
            yield duck
            self._set_versions(duck, target)
            duck.execute("commit")
        except BaseException:
            duck.execute("rollback")
            raise
        finally:
            duck.close()
        self._versions = target

    def _replace_table(self, pg, duck, table: str) -> None:
        duck.execute(f"delete from {ident(table)}").fetchall()
        self._copy_rows(pg, duck, table, "")

    def _apply_full(self, pg, target: dict[str, int]) -> None:
        with self._copy_transaction(target) as duck:
            for table in self._tables:
                self._replace_table(pg, duck, table)

    def _apply_changes(self, pg, since: int, target: dict[str, int]) -> None:
        window = f"versi > {int(since)} and versi <= {int(target['audit'])}"
        changed = pg.execute(f"select tabel, bool_or(kode is null) from _log_ubah where {window} group by 1").fetchall()
        with self._copy_transaction(target) as duck:
            for table, whole in changed:
                if table not in self._tables:
                    continue
                if table in KEYED and not whole:
                    self._apply_keys(pg, duck, table, window)
                elif table in APPENDED and not whole:
                    key = APPENDED[table]
                    last = duck.execute(f"select coalesce(max({ident(key)}), 0) from {ident(table)}").fetchone()[0]
                    self._copy_rows(pg, duck, table, f"where {key} > {int(last)}")
                else:
                    self._replace_table(pg, duck, table)

    def _apply_keys(self, pg, duck, table: str, window: str) -> None:
        """Replace the rows of the area (desa) × months the log names."""
        column = KEYED[table]
        keys = pg.execute(f"select distinct kode, periode from _log_ubah where {window} and tabel = %s", [table]).fetchall()
        frame = pa.table({"kode": pa.array([k for k, _ in keys], pa.string()), "periode": pa.array([p for _, p in keys], pa.date32())})
        duck.register("_kunci", frame)
        # the copy is stored by month within each level (see _copy_rows): the months as constants skip the other months' rows
        first, last = min(p for _, p in keys), max(p for _, p in keys)
        duck.execute(f"delete from {ident(table)} where periode between ? and ? and ({column}, periode) in (select kode, periode from _kunci)",
                     [first, last]).fetchall()
        duck.unregister("_kunci")
        self._copy_rows(pg, duck, table, f"where ({column}, periode) in (select kode, periode from _log_ubah where {window} and tabel = {literal(table)})")

    def _copy_rows(self, pg, duck, table: str, where: str) -> None:
        """COPY the rows of `table` (`where`: a filter) from PostgreSQL as CSV and insert them, batch by batch."""
        columns = self._tables[table]
        exprs = ", ".join(_pg_text(c, k) for c, k in columns)
        names = [c for c, _ in columns]
        casts = ", ".join(_duck_cast(c, k) for c, k in columns)
        # level by level, month by month, as the file's marts: a page's filter on a level and months skips the rest
        order = ("order by tingkat, periode, kode_wilayah" if table.startswith("agregat_") else "order by periode") if table in KEYED else ""
        with pg.cursor().copy(f"copy (select {exprs} from {ident(table)} {where} {order}) to stdout (format csv, force_quote *)") as copy:
            chunks, size = [], 0
            for row in copy:  # one row per message
                chunks.append(bytes(row))
                size += len(row)
                if size >= BATCH_BYTES:
                    self._insert_csv(duck, table, names, casts, b"".join(chunks))
                    chunks, size = [], 0
            if chunks:
                self._insert_csv(duck, table, names, casts, b"".join(chunks))

    @staticmethod
    def _insert_csv(duck, table: str, names: list[str], casts: str, data: bytes) -> None:
        frame = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=False),
        )
        duck.register("_masuk", frame)
        duck.execute(f"insert into {ident(table)} ({idents(names)}) select {casts} from _masuk").fetchall()
        duck.unregister("_masuk")

    def _set_versions(self, duck, target: dict[str, int]) -> None:
        for key, value in target.items():
            duck.execute("insert into _versi values (?, ?) on conflict (kunci) do update set nilai = excluded.nilai", [key, value]).fetchall()


def _pg_text(column: str, kind: str) -> str:
    """A column as PostgreSQL writes it for `_duck_cast` to read back exactly."""
    if kind == "BLOB":
        return f"encode({column}, 'hex')"
    if kind == "BOOLEAN":
        return f"{column}::text"
    return column


def _duck_cast(column: str, kind: str) -> str:
    if kind == "BLOB":
        return f"unhex({column})"
    if kind == "VARCHAR":
        return column
    return f"cast({column} as {kind})"
