"""Helpers every `python -m etl` command shares: who acts (for the audit) and the warehouse it works on."""

from __future__ import annotations

import contextlib
import os

from common.config import db_path
from common.errors import PMKSError
from store import open_store
from store.schema import is_ready


def _user() -> str:
    return os.environ.get("PMKS_USER") or os.environ.get("USER") or "cli"


@contextlib.contextmanager
def _warehouse(args):
    """The store of the warehouse named by --db (or $PMKS_DB), after making sure `init` has run."""
    path = db_path(args.db)
    store = open_store(path)
    with store.read() as con:
        if not is_ready(con):
            raise PMKSError(f"Basis data {path} belum disiapkan. Jalankan dulu: python -m etl init")
    yield path, store
