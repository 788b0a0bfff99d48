"""A PostgreSQL connection that speaks the part of DuckDB's Python API the warehouse code uses, so that the ETL, the
accounts and the CLI run one code path on either store (`store.postgres`).

What the warehouse code may use on a connection a store hands out (`read()` / `transaction()`):
- `execute(sql, params)` with `?` placeholders, then `fetchone()`, `fetchall()` or `df()` on its result; a statement
  without rows (insert, update, delete) answers `[(rows changed,)]`, as DuckDB does;
- `register(name, frame)` / `unregister(name)`: a pandas frame as a table for the statements in between (here a
  temporary table filled by COPY, dropped at the end of the transaction);
- SQL that both engines read the same way ("portable SQL"): `filter (where …)`, `on conflict … do update`,
  `group by 1, 2`, `distinct on`, `starts_with`, `left`, `interval '1 month'`, no `group by all`, `insert or replace`,
  `list()`, `arg_max()`, `median()`. The page queries (`dashboard/queries`) are not bound by this: they run on DuckDB
  only (`store.analytics()`).
- DuckDB's exception classes: a missing table raises `duckdb.CatalogException`, a broken key `duckdb.ConstraintException`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import math

import duckdb
import numpy as np
import pandas as pd
import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Loader
from psycopg.types.string import TextLoader

from store.sqltext import label


class Unreachable(Exception):
    """The connection to PostgreSQL broke or could not be made (server down or restarting); the store says so in
    Indonesian."""


class LockTimeout(Exception):
    """A write waited longer than the store's wait for its turn."""


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """DuckDB's `?` placeholders as psycopg's `%s` (outside quotes and comments), every `%` doubled."""
    out, i, n = [], 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = end + 1
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _plain(value):
    """A parameter as psycopg adapts it (numpy and pandas scalars as Python values, missing as NULL)."""
    if value is None or isinstance(value, (str, bool, int, dt.date, bytes)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class _NumericLoader(Loader):
    """numeric (PostgreSQL's sum of bigints) as DuckDB returns a HUGEINT or a DOUBLE: int when whole, else float."""

    def load(self, data):
        value = decimal.Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


def configure(con: psycopg.Connection) -> None:
    """Results as DuckDB gives them: json as text, numeric as int or float."""
    con.adapters.register_loader("json", TextLoader)
    con.adapters.register_loader("jsonb", TextLoader)
    con.adapters.register_loader("numeric", _NumericLoader)


_INTS = {"int2": "int32", "int4": "int32", "int8": "int64", "oid": "int64"}
_FLOATS = {"float4", "float8", "numeric"}
_TIMES = {"date", "timestamp", "timestamptz"}


class Result:
    """What `execute` returns: the rows of one statement (a DML statement's row count, as DuckDB)."""

    def __init__(self, cur: psycopg.Cursor):
        self._cur = cur
        self._types: list[str] | None = None
        self._rows: list[tuple] | None
        if cur.description is None:
            self._rows = [(cur.rowcount,)]
            self._names = ["Count"]
        else:
            self._rows = None
            self._names = [c.name for c in cur.description]
            self._types = [_type_name(cur, c.type_code) for c in cur.description]

    def _all(self) -> list[tuple]:
        if self._rows is None:
            self._rows = self._cur.fetchall()
        return self._rows

    def fetchone(self):
        rows = self._all()
        return rows.pop(0) if rows else None

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._all(), []
        return rows

    def df(self) -> pd.DataFrame:
        """A frame with the dtypes DuckDB's `.df()` gives: int32/int64 (nullable Int when a value is missing), str,
        datetime64[us] for dates and timestamps, bool/boolean, float64."""
        rows = self.fetchall()
        columns = list(zip(*rows)) if rows else [()] * len(self._names)
        data = {}
        for name, kind, values in zip(self._names, self._types or ["text"] * len(self._names), columns):
            data[name] = _series(values, kind)
        return pd.DataFrame(data, columns=self._names)

    fetchdf = df


def _type_name(cur, oid: int) -> str:
    info = cur.adapters.types.get(oid)
    return info.name if info is not None else "unknown"


def _series(values: tuple, kind: str) -> pd.Series:
    has_null = any(v is None for v in values)
    if kind in _INTS:
        dtype = _INTS[kind]
        return pd.Series(values, dtype=dtype.capitalize() if has_null else dtype)
    if kind in _FLOATS:
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if kind in _TIMES:
        return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[us]") if values else pd.Series([], dtype="datetime64[us]")
    if kind == "bool":
        return pd.Series(values, dtype="boolean" if has_null else "bool")
    if kind in ("text", "varchar", "bpchar", "name", "json", "jsonb"):
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype="object")


def _column_type(series: pd.Series) -> str:
    """The PostgreSQL type of a registered frame's column."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    sample = next((v for v in series if v is not None and not (isinstance(v, float) and math.isnan(v)) and v is not pd.NA and v is not pd.NaT), None)
    if isinstance(sample, bool):
        return "boolean"
    if isinstance(sample, (int, np.integer)):
        return "bigint"
    if isinstance(sample, (float, np.floating)):
        return "double precision"
    if isinstance(sample, (dt.datetime, pd.Timestamp)):
        return "timestamp"
    if isinstance(sample, dt.date):
        return "date"
    if isinstance(sample, (bytes, bytearray, memoryview)):
        return "bytea"
    if sample is None:
        return "bigint"  # no value at all (an empty sheet column): assignable to numbers and, by PostgreSQL's I/O cast, to text
    return "text"


def _cells(series: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    return [_plain(v) for v in series.tolist()]


class PgConnection:
    """One PostgreSQL connection inside a store's transaction (see the module's docstring)."""

    backend = "postgres"

    def __init__(self, raw: psycopg.Connection):
        self.raw = raw
        self._registered: set[str] = set()

    def execute(self, sql: str, params=None) -> Result:
        cur = self.raw.cursor()
        try:
            if params is None or (isinstance(params, (list, tuple)) and not params):
                cur.execute(sql)
            else:
                cur.execute(translate(sql), [_plain(p) for p in params])
        except pg_errors.UndefinedTable as exc:
            raise duckdb.CatalogException(str(exc)) from exc
        except pg_errors.IntegrityError as exc:
            raise duckdb.ConstraintException(str(exc)) from exc
        except (pg_errors.LockNotAvailable, pg_errors.QueryCanceled) as exc:
            raise LockTimeout(str(exc)) from exc
        except psycopg.OperationalError as exc:
            raise Unreachable(str(exc)) from exc
        return Result(cur)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """The frame as the temporary table `name` until `unregister` or the end of the transaction."""
        self.unregister(name)
        columns = [str(c) for c in frame.columns]
        kinds = [_column_type(frame[c]) for c in frame.columns]
        ddl = ", ".join(f"{label(c)} {k}" for c, k in zip(columns, kinds))
        self.execute(f"create temp table {label(name)} ({ddl}) on commit drop")
        self._registered.add(name)
        if frame.empty:
            return
        cells = [_cells(frame[c]) for c in frame.columns]
        names = ", ".join(label(c) for c in columns)
        try:
            with self.raw.cursor().copy(f"copy {label(name)} ({names}) from stdin") as copy:
                for row in zip(*cells):
                    copy.write_row(row)
        except psycopg.OperationalError as exc:
            raise Unreachable(str(exc)) from exc

    def unregister(self, name: str) -> None:
        if name in self._registered:
            self._registered.discard(name)
            self.execute(f"drop table if exists {label(name)}")

    def cursor(self) -> PgConnection:
        return self

    def close(self) -> None:
        """The store owns the connection; nothing to do."""
