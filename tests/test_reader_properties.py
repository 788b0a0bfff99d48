"""Property tests of the reader (issue 22): true reports drawn at random, printed in random compositions of layout
transforms (tests/reportgen.py), must come back exactly — every desa, month, PMKS type, L and P — or be refused
with a message that says where. Never accepted with anything missing or changed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings

from etl.read.sandbox import SheetReader
from etl.write.reports import Reference, analyse_files
from tests.reportgen import reports

TODAY = date(2026, 11, 27)
EXAMPLES = 300
_CELL = re.compile(r"\b[A-Z]{1,3}\d+\b")


@pytest.fixture(scope="module")
def world(empty_db):
    con = duckdb.connect(str(empty_db), read_only=True)
    desa = con.execute("""select d.kode, d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk
                          where d.tingkat = 'desa' order by d.kode""").fetchall()
    ref = Reference(con, today=TODAY)
    with SheetReader(timeout=20) as reader:
        yield ref, desa, reader
    con.close()


def outcome(world, files):
    ref, _, reader = world
    ref.claimed = {}
    (name, data), = files
    return analyse_files(ref, [(name, data, None)], reader)[0]


def read_back(result) -> dict:
    values = result.values
    return {(r.kode_desa, r.periode, r.kode_indikator): (_int(r.laki_laki), _int(r.perempuan), int(r.jumlah)) for r in values.itertuples()}


def _int(value):
    return None if value is None or value != value else int(value)


def located(issue) -> bool:
    """An error that says where: its sheet, row or column, or a cell range in its text."""
    return issue.sheet is not None or issue.row is not None or issue.column is not None or bool(_CELL.search(issue.message))


def test_every_drawn_report_reads_back_exactly_or_is_refused_where_it_goes_wrong(world, capsys):
    outcomes: Counter = Counter()

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(reports(world[1]))
    def check(case):
        files, want, layout = case
        result = outcome(world, files)
        if result.status == "accepted":
            assert read_back(result) == want, (layout, result.issues)
            outcomes["accepted"] += 1
        else:
            assert result.errors, layout
            assert all(located(i) for i in result.errors), (layout, [i.message for i in result.errors])
            outcomes["refused"] += 1

    check()
    with capsys.disabled():
        print(f"\nreader properties: {outcomes['accepted']} of {sum(outcomes.values())} drawn reports read back exactly, "
              f"{outcomes['refused']} refused with located errors")
    assert sum(outcomes.values()) >= EXAMPLES
    assert outcomes["accepted"] >= 0.9 * sum(outcomes.values()), outcomes
