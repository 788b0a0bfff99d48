"""Text pasted into SQL goes through one helper (issue 24 point 5): names checked, constants quoted."""

from __future__ import annotations

import ast
import re
from datetime import date

import duckdb
import pytest

from store.sqltext import ident, idents, label, literal
from tests.conftest import REPO


def test_names_are_checked_and_constants_quoted():
    assert ident("agregat_bulanan") == "agregat_bulanan" and idents(["a", "b_2"]) == "a, b_2"
    for bad in ("laporan; drop table x", "Laporan", "a b", "", "1a", 'x"'):
        with pytest.raises(ValueError):
            ident(bad)
    assert literal("desa") == "'desa'" and literal("O'Neil") == "'O''Neil'"
    assert literal(date(2026, 10, 1)) == "date '2026-10-01'" and literal(None) == "null" and literal(3) == "3"
    with pytest.raises(TypeError):
        literal(object())
    con = duckdb.connect()
    tricky = "x'); drop table t; --"
    con.execute("create table t (a int)")
    assert con.execute(f"select {literal(tricky)}, {literal(date(2026, 1, 31))}").fetchone() == (tricky, date(2026, 1, 31))
    name = 'Anak "jalanan" (AJ)'
    assert con.execute(f"select 1 as {label(name)}").df().columns.tolist() == [name]
    assert con.execute("select count(*) from t").fetchone() == (0,)  # still there


SQL_START = re.compile(r"^\s*(select|with|insert|update|delete|create|drop|alter|copy|listen)\b", re.I)


def _pasted_quotes(path):
    """f-strings of SQL that put an expression between single quotes ('{x}'): a value pasted past the helper."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        text = "".join(v.value if isinstance(v, ast.Constant) else "\x00" for v in node.values)
        if SQL_START.match(text) or re.search(r"\b(from|where|tingkat\s*=)\b", text, re.I):
            if re.search(r"'\x00'", text) or re.search(r"\"\x00\"", text):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def test_no_sql_pastes_a_quoted_value_outside_the_helper():
    packages = ["accounts", "common", "dashboard", "etl", "store"]
    found = [hit for p in packages for f in sorted((REPO / p).rglob("*.py")) for hit in _pasted_quotes(f)]
    assert not found, found
