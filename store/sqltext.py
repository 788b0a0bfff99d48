"""The one place where text is pasted into SQL (issue 24 point 5).

Values go into SQL as bound parameters. What cannot be bound goes through here: identifiers (a table, a column, a
channel or a sequence named in a statement) and a few constants written into a statement on purpose, such as a
level or a month that lets DuckDB skip the row groups of every other one. `ident` accepts only a plain lower-case
name; `literal` quotes a value as SQL text. Both refuse anything else, so a name that came from a user can never
change a statement.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")


def ident(name: str) -> str:
    """A table, column, sequence or channel name, checked: lower-case letters, digits and underscores."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"not an SQL identifier: {name!r}")
    return name


def label(text: str) -> str:
    """Any text as a quoted column name (a result column named after an indicator: spaces, capitals, quotes)."""
    if "\x00" in text:
        raise ValueError("a NUL character cannot be in an SQL name")
    return '"' + text.replace('"', '""') + '"'


def idents(names) -> str:
    """'a, b, c' from checked names."""
    return ", ".join(ident(n) for n in names)


def literal(value) -> str:
    """A constant as SQL text: a string in single quotes (quotes doubled), a date as `date 'YYYY-MM-DD'`, a number
    as written, None as null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        raise TypeError("a timestamp is bound as a parameter, not pasted")
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a NUL character cannot be an SQL constant")
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL constant for {type(value).__name__}")
