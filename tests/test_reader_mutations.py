"""Mutations of files the reader accepts (issue 22): a stray block of numbers beside the table, below it or on a
sheet of its own, or one count changed so that a total (or L + P = Jumlah) disagrees. Each must be refused, with
an error that names where."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.corpus.writers import WRITERS, Grid
from tests.reportgen import _layout, _report, checked, render_grids
from tests.test_reader_properties import located, outcome, world  # noqa: F401 - the module's fixture

EXAMPLES = 100


@st.composite
def mutated(draw, desa):
    """A report, its layout and one mutation: ('beside' | 'below' | 'sheet' | 'total', the file)."""
    fmt = draw(st.sampled_from(["xlsx", "xls", "ods", "csv"]))
    report = draw(_report(desa, draw(st.sampled_from(["form", "recap", "long"])), fmt))
    layout = draw(_layout(report, fmt))
    kinds = ["beside", "below"] + (["sheet"] if fmt != "csv" else []) + (["total"] if checked(report, layout) else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "total":
        code, month, ind = draw(st.sampled_from(sorted(report.values)))
        part = "l" if report.sex else "j"
        layout.extra["bump"] = {(code, month, ind, part): draw(st.integers(1, 9))}
    name, grids = render_grids(report, layout)
    block = [[draw(st.integers(1, 99)) for _ in range(2)] for _ in range(2)]
    grid, rows = grids[0], set()
    if kind == "beside":
        width = max(map(len, grid.rows))
        top = draw(st.integers(0, len(grid.rows) - 2))
        for i, row in enumerate(block):
            target = grid.rows[top + i]
            target.extend([None] * (width + 2 - len(target)))
            target.extend(row)
            rows.add(top + i + 1)
    elif kind == "below":
        grid.add(None)
        grid.add(None)
        rows = {grid.add(None, *row) for row in block}
    elif kind == "sheet":
        extra = Grid("Catatan")
        extra.add("Catatan kantor")
        rows = {extra.add(*row) for row in block}
        grids.append(extra)
    return kind, name, WRITERS[fmt](grids), rows


def names_rows(issue, rows: set[int]) -> bool:
    """An error standing on one of `rows` (its row, or a cell range of its message that reaches them)."""
    if issue.row in rows:
        return True
    for match in re.finditer(r"\b[A-Z]{1,3}(\d+)(?::[A-Z]{1,3}(\d+))?\b", issue.message):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if any(first <= r <= last for r in rows):
            return True
    return False


def test_an_accepted_file_with_a_stray_block_or_a_changed_count_is_refused_where_it_happened(world):  # noqa: F811
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(mutated(world[1]))
    def check(case):
        kind, name, data, rows = case
        result = outcome(world, [(name, data)])
        assert result.status == "rejected", (kind, name)
        assert all(located(i) for i in result.errors), (kind, [i.message for i in result.errors])
        if kind in ("beside", "below", "sheet"):  # the error stands where the stray numbers are
            assert any(names_rows(i, rows) and (kind != "sheet" or i.sheet == "Catatan") for i in result.errors), \
                (kind, rows, [(i.sheet, i.row, i.column, i.message) for i in result.errors])
        else:
            assert any("tertulis" in i.message for i in result.errors), (kind, [i.message for i in result.errors])

    check()
