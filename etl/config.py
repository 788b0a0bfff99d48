"""Paths and settings shared by the ETL and the app, relative to the repository root."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DB = DATA_DIR / "pmks.duckdb"
DEFAULT_KABUPATEN = "35.23"
# Reports for month M are due on this day of month M+1 (configurable per warehouse in `pengaturan`).
DEFAULT_DUE_DAY = 10
# Public release mode hides counts from 1 to this value - 1 ("<3"); configurable as `ambang_rilis` in `pengaturan`.
DEFAULT_RELEASE_THRESHOLD = 3


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse file: the explicit path, else $PMKS_DB, else data/pmks.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("PMKS_DB")
    return Path(env) if env else DEFAULT_DB
