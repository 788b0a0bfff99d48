"""The warehouse schema (numbered migrations in `store/migrations`, each applied once in its own transaction and
recorded in `_migrations`) and the SQL helpers every writer shares: settings and the audit log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def available_migrations(directory: Path | None = None) -> list[tuple[str, str]]:
    """(name, sql) of every migration file of a backend (default: DuckDB's), in order."""
    folder = directory or MIGRATIONS_DIR
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.sql"))]


def migrate(store, migrations: list[tuple[str, str]] | None = None) -> list[str]:
    """Apply the migrations of the store's backend not yet recorded, each in its own transaction of the store; return
    the names applied."""
    done: set[str] = set()
    if store.exists():
        with store.read() as con:
            if con.execute("select count(*) from information_schema.tables where table_name = '_migrations'").fetchone()[0]:
                done = {r[0] for r in con.execute("select name from _migrations").fetchall()}
    applied = []
    for name, sql in migrations if migrations is not None else available_migrations(store.migrations_dir):
        if name in done:
            continue
        with store.transaction(bump=("data", "akun")) as con:
            if _apply(con, name, sql):
                applied.append(name)
    return applied


def migrate_connection(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The same on a plain connection that nobody else uses (an in-memory warehouse of a test or benchmark)."""
    applied = []
    for name, sql in available_migrations():
        con.execute("begin transaction")
        try:
            if _apply(con, name, sql):
                applied.append(name)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return applied


def _apply(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> bool:
    con.execute("create table if not exists _migrations (name varchar primary key, applied_at timestamp not null)")
    if con.execute("select count(*) from _migrations where name = ?", [name]).fetchall()[0][0]:
        return False  # applied before (perhaps by another process while this one waited)
    con.execute(sql)
    con.execute("insert into _migrations values (?, ?)", [name, datetime.now()])
    return True


def is_ready(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `python -m etl init` has prepared this warehouse."""
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    return "pengaturan" in tables and get_setting(con, "kode_wilayah") is not None


def get_setting(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    row = con.execute("select nilai from pengaturan where kunci = ?", [key]).fetchone()
    return row[0] if row else default


def set_setting(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert into pengaturan values (?, ?) on conflict (kunci) do update set nilai = excluded.nilai", [key, value])


def audit(con: duckdb.DuckDBPyConnection, user: str, action: str, obj: str | None, details: str | None = None) -> None:
    """Record who did what, when, in the caller's transaction; `details` is a JSON document."""
    con.execute(
        "insert into audit (waktu, pengguna, aksi, objek, rincian) values (?, ?, ?, ?, ?)",
        [datetime.now(), user, action, obj, details],
    )
