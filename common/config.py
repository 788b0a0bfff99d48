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


def due_day_override() -> int | None:
    """$PMKS_DUE_DAY when set (1–31): it comes before the warehouse's setting everywhere the due day counts."""
    value = os.environ.get("PMKS_DUE_DAY", "").strip()
    return int(value) if value.isdigit() and 1 <= int(value) <= 31 else None

# Public release mode hides counts from 1 to this value - 1 ("<3"); configurable as `ambang_rilis` in `pengaturan`.
DEFAULT_RELEASE_THRESHOLD = 3


class DatabaseUrl(str):
    """The warehouse when it is PostgreSQL ($PMKS_DATABASE_URL): a string naming it without its password (for
    messages and cache keys), `.secret` the URL itself. `store.open_store` takes it like a file path."""

    secret: str

    def __new__(cls, url: str):
        from store.postgres import redact

        made = super().__new__(cls, redact(url))
        made.secret = url
        return made

    def exists(self) -> bool:
        return True  # a database that cannot be reached or is not prepared says so on the first read

    @property
    def name(self) -> str:
        return str(self)


def db_path(explicit: str | os.PathLike | None = None) -> Path | DatabaseUrl:
    """The warehouse: the explicit path (or postgresql:// URL), else $PMKS_DATABASE_URL (PostgreSQL), else the DuckDB
    file of $PMKS_DB, else data/pmks.duckdb."""
    if explicit:
        text = os.fspath(explicit)
        return DatabaseUrl(text) if text.startswith(("postgresql://", "postgres://")) else Path(explicit)
    url = os.environ.get("PMKS_DATABASE_URL")
    if url:
        return DatabaseUrl(url)
    env = os.environ.get("PMKS_DB")
    return Path(env) if env else DEFAULT_DB
