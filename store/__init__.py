"""The storage layer of Dasbor PMKS: every read and write of the app and of `python -m etl` goes through a store.

    store = open_store()                  # $PMKS_DATABASE_URL, else the file of $PMKS_DB (or --db); one per process
    with store.read() as con: ...         # one consistent snapshot of the system of record (portable SQL)
    with store.transaction() as con: ...  # one write, after every other writer; all of it or nothing
    with store.analytics() as con: ...    # one snapshot for the pages' SQL (dashboard.queries, DuckDB's dialect)

The rules for taking turns (threads, processes, killed processes) live in the backends, never at the call sites:
`store.embedded` (the DuckDB file on one machine, the default) and `store.postgres` (PostgreSQL shared by several app
processes and machines, each following it with a DuckDB copy of what the pages read: `store.follower`). The
connections both hand out speak DuckDB's Python API (`store.pgsql`). `store.schema` holds the numbered migrations
(`store/migrations/` for DuckDB, `store/migrations/postgres/` for PostgreSQL) and the small SQL helpers every writer
shares (settings, audit); `accounts.store` the users and sessions.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from store.embedded import EmbeddedStore

if TYPE_CHECKING:
    from store.postgres import PostgresStore

Store = EmbeddedStore
_STORES: dict[str, EmbeddedStore | PostgresStore] = {}
_LOCK = threading.Lock()


def is_url(target) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def open_store(target: str | os.PathLike | None = None):
    """The store of a warehouse, shared by the whole process: a PostgreSQL URL (`postgresql://…`), else a DuckDB file
    path; without one, $PMKS_DATABASE_URL, else $PMKS_DB, else data/pmks.duckdb (`common.config.db_path`)."""
    from common.config import DatabaseUrl, db_path

    if target is None:
        target = db_path()
    if isinstance(target, DatabaseUrl):
        url = target.secret
    elif is_url(target):
        url = str(target)
    else:
        url = None
    if url is not None:
        from store.postgres import PostgresStore, redact

        key = redact(url)
        with _LOCK:
            found = _STORES.get(key)
            if found is None:
                found = _STORES[key] = PostgresStore(_full(url))
            return found
    key = os.path.abspath(db_path(target))
    with _LOCK:
        found = _STORES.get(key)
        if found is None:
            found = _STORES[key] = EmbeddedStore(Path(key))
        return found


def _full(url: str) -> str:
    """A URL named without its password (a cache key, a message) is the one of $PMKS_DATABASE_URL when that matches."""
    from store.postgres import redact

    env = os.environ.get("PMKS_DATABASE_URL", "")
    return env if env and url == redact(env) != env else url


def close_all() -> None:
    """Close every store of this process: at exit (DuckDB writes its log into the file as it closes), and in tests
    that hand the file to another process, copy or delete it."""
    with _LOCK:
        stores = list(_STORES.values())
        _STORES.clear()
    for found in stores:
        found.close()


atexit.register(close_all)
