"""AppTest of the Ringkasan page's first screen (issue 14, points 7 and 9): the headline, the next due date, the last
load, a link to Prioritas, and the indicator chart over the full page width."""

from __future__ import annotations

import json
import re

import duckdb

from tests.test_pages import run_app


def _title(chart) -> str:
    return json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "")


def test_ringkasan_opens_with_the_headline_and_a_link_to_prioritas(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    total = con.execute("select sum(jumlah) from pmks_counts where periode = '2026-10-01'").fetchone()[0]
    con.close()
    at = run_app(monkeypatch, built_db, query={"periode": "2026-10"})
    assert not at.exception
    headline = at.subheader[0].value
    assert re.fullmatch(r"Oktober 2026: [\d.]+ PMKS tercatat di \d+ dari 328 desa, (naik|turun) \d+,\d% dibanding desa yang sama "
                        r"bulan lalu\.", headline), headline
    assert f"{total:,}".replace(",", ".") in headline
    text = " ".join(m.value for m in at.markdown)
    assert "jatuh tempo" in text and "Data terakhir dimuat" in text
    links = at.get("page_link")
    assert [(link.proto.page, link.proto.label) for link in links] == [("prioritas", "Lihat semua di Prioritas Intervensi")]
    in_columns = {_title(c) for col in at.columns for c in col.get("plotly_chart")}
    everywhere = {_title(c) for c in at.get("plotly_chart")}
    indicator = next(t for t in everywhere if t.startswith("PMKS per indikator"))
    assert indicator not in in_columns  # the indicator bars get the full page width, not half a column
