"""Helpers every `python -m etl` command shares: who acts (for the audit) and the warehouse it works on."""

from __future__ import annotations

import contextlib
import os

from etl.config import db_path
from etl.db import connect, get_setting
from etl.errors import PMKSError


def _user() -> str:
    return os.environ.get("PMKS_USER") or os.environ.get("USER") or "cli"


def get_setting_safe(con) -> str | None:
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    return get_setting(con, "kode_wilayah") if "pengaturan" in tables else None


@contextlib.contextmanager
def _warehouse(args, *, read_only: bool = False):
    """Open the warehouse named by --db (or $PMKS_DB) and make sure `init` has run; closes it afterwards."""
    path = db_path(args.db)
    con = connect(path, read_only=read_only)
    try:
        if not get_setting_safe(con):
            raise PMKSError(f"Basis data {path} belum disiapkan. Jalankan dulu: python -m etl init")
        yield path, con
    finally:
        con.close()

