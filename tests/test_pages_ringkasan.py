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
    assert [(link.proto.page, link.proto.label) for link in links] == [("prioritas", "Lihat semua di Prioritas Intervensi"),
                                                                        ("asal", "Buka asal angka Kabupaten Tuban")]  # issue 26
    in_columns = {_title(c) for col in at.columns for c in col.get("plotly_chart")}
    everywhere = {_title(c) for c in at.get("plotly_chart")}
    indicator = next(t for t in everywhere if t.startswith("PMKS per indikator"))
    assert indicator not in in_columns  # the indicator bars get the full page width, not half a column


def test_ringkasan_lists_are_plain_tables_with_every_desa_yet_to_report(monkeypatch, built_db):
    """The three short lists are HTML tables (no table-grid code on the first view, issue 13) that a screen reader
    can name; the 'Belum melapor' list holds exactly the desa with no report this month."""
    from tests.conftest import html_tables

    con = duckdb.connect(str(built_db), read_only=True)
    missing = {r[0] for r in con.execute("""select kode from wilayah where tingkat = 'desa'
        and kode not in (select kode_desa from laporan where aktif and periode = '2026-10-01')""").fetchall()}
    con.close()
    at = run_app(monkeypatch, built_db, query={"periode": "2026-10"})
    assert not at.exception
    assert not at.dataframe  # no grid on Ringkasan
    tables = {t.attrs["label"].split(" Oktober")[0]: t for t in html_tables(at)}
    assert set(tables) == {"5 desa prioritas teratas", "Kenaikan tertajam", "Belum melapor"}
    assert set(tables["Belum melapor"]["Kode"]) == missing and tables["Belum melapor"].attrs["label"].endswith(
        f"{len(missing)} desa/kelurahan")
    assert list(tables["5 desa prioritas teratas"]["Peringkat"]) == ["1", "2", "3", "4", "5"]
    assert list(tables["Kenaikan tertajam"].columns)[-1] == "Kode"


def test_list_table_escapes_aligns_numbers_and_fills_missing():
    import pandas as pd

    from dashboard import ui

    frame = pd.DataFrame({"Desa/Kelurahan": ["<b>Boto</b>", None], "Kode": ["35.23.15.2001", "35.23.15.2002"],
                          "Jumlah": ["1.234", "12,5"], "Catatan": ["ada", "tidak"]})
    html = ui._list_html(frame, 300, "**Daftar** uji")
    assert "<b>Boto</b>" not in html and "&lt;b&gt;Boto&lt;/b&gt;" in html  # a name from a spreadsheet is text, never markup
    assert 'max-height: 300px' in html and '<caption class="pmks-sr">Daftar uji</caption>' in html
    assert '<th scope="col" class="angka">Jumlah</th>' in html and '<td class="angka">1.234</td>' in html
    assert '<td class="">35.23.15.2001</td>' in html  # a code is not a number
    assert "<td class=\"\">—</td>" in html and "None" not in html and "nan" not in html
