"""The storage layer of Dasbor PMKS: every read and write of the app and of `python -m etl` goes through a store.

    store = open_store()                  # the warehouse of $PMKS_DB (or --db), one per file and process
    with store.read() as con: ...         # one consistent snapshot for a page model or a command
    with store.transaction() as con: ...  # one write, after every other writer; all of it or nothing

The rules for taking turns (threads, processes, killed processes) live in the backend (`store.embedded`: the DuckDB
file on one machine), never at the call sites. `store.schema` holds the numbered migrations and the small SQL helpers
every writer shares (settings, audit); `store.accounts` the users and sessions.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

from store.embedded import EmbeddedStore

Store = EmbeddedStore
_STORES: dict[str, EmbeddedStore] = {}
_LOCK = threading.Lock()


def open_store(path: str | os.PathLike | None = None) -> EmbeddedStore:
    """The store of the warehouse at `path` (else $PMKS_DB, else data/pmks.duckdb), shared by the whole process."""
    from etl.config import db_path

    key = os.path.abspath(db_path(path))
    with _LOCK:
        found = _STORES.get(key)
        if found is None:
            found = _STORES[key] = EmbeddedStore(Path(key))
        return found


def close_all() -> None:
    """Close every store of this process: at exit (DuckDB writes its log into the file as it closes), and in tests
    that hand the file to another process, copy or delete it."""
    with _LOCK:
        stores = list(_STORES.values())
        _STORES.clear()
    for found in stores:
        found.close()


atexit.register(close_all)
