"""Kelengkapan Laporan at 328 desa (issue #14 point 8): the roll-up per kecamatan first, equal to plain SQL; the desa
grid of one kecamatan with every desa labelled; downloads that say what they hold, with Kode and Kecamatan, month
headers Excel keeps as text and statuses in words."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from dashboard.export import to_csv_bytes
from dashboard.views import Filters, Settings, kelengkapan
from tests.conftest import html_tables, num, offered

OKT = date(2026, 10, 1)
PALANG, BANCAR = "35.23.18", "35.23.04"
WORDS = {"Tepat waktu", "Terlambat", "Semua nol", "Belum lapor"}
MONTHS = ("jan|feb|mar|apr|mei|may|jun|jul|agu|aug|agt|sep|okt|oct|nov|des|dec|januari|februari|maret|april|juni|juli|"
          "agustus|september|oktober|desember|january|february|march|june|july|august|october|december")
# what Excel turns into a date when it opens a CSV: 1/1, 2026-10, 10-2026, 'Okt 2026', 'Oct-26', 'Oktober 2026'
EXCEL_DATE = re.compile(rf"^\s*(\d{{1,4}}[/-]\d{{1,2}}([/-]\d{{1,4}})?|({MONTHS})[\s/.-]*\d{{1,4}}|\d{{1,2}}[\s/.-]*({MONTHS})([\s/.-]*\d{{2,4}})?)\s*$", re.I)


def sql_rollup(con, periode: date, due: date) -> pd.DataFrame:
    """Desa per kecamatan by status for a month, straight from the reports."""
    return con.execute(
        """
        with lap as (
            select l.kode_desa, l.diterima::date <= ? as tepat, (select sum(jumlah) from laporan_nilai where laporan_id = l.id) = 0 as nol
            from laporan l where l.aktif and l.periode = ?
        )
        select k.nama as kecamatan, count(*) as desa,
               count(*) filter (where lap.kode_desa is not null and not lap.nol and lap.tepat) as tepat,
               count(*) filter (where lap.kode_desa is not null and not lap.nol and not lap.tepat) as terlambat,
               count(*) filter (where lap.nol) as nol,
               count(*) filter (where lap.kode_desa is null) as belum
        from wilayah d join wilayah k on k.kode = d.kode_induk left join lap on lap.kode_desa = d.kode
        where d.tingkat = 'desa' group by k.nama
        """,
        [due, periode],
    ).df().set_index("kecamatan")


def desa_of(con, kecamatan: str) -> list[str]:
    return [r[0] for r in con.execute("select nama from wilayah where tingkat = 'desa' and kode_induk = ? order by nama", [kecamatan]).fetchall()]


def test_rollup_per_kecamatan_equals_sql_worst_first_with_the_kabupaten_total_last(mem_con):
    v = kelengkapan.build(mem_con, Filters(periode=OKT), Settings(due_day=10))
    expected = sql_rollup(mem_con, OKT, date(2026, 11, 10))
    raw = v.rollup_download.frame
    assert len(raw) == 21 and raw["Kecamatan"].iloc[-1] == "Kabupaten Tuban" and raw["Kode"].iloc[-1] == "35.23"
    body = raw.iloc[:-1].set_index("Kecamatan")
    assert set(body.index) == set(expected.index)
    for col, sql in [("Jumlah desa", "desa"), ("Tepat waktu", "tepat"), ("Terlambat", "terlambat"), ("Semua nol", "nol"), ("Belum lapor", "belum")]:
        assert body[col].astype(int).to_dict() == expected[sql].to_dict(), col
        assert int(raw[col].iloc[-1]) == int(expected[sql].sum()), col  # the kabupaten row is the sum
        assert str(raw[col].dtype) == "Int64"  # whole numbers in CSV/XLSX
    shares = ((1 - expected["belum"] / expected["desa"]) * 100).round(1)
    assert body["Melapor (%)"].to_dict() == pytest.approx(shares.to_dict())
    assert list(body["Melapor (%)"]) == sorted(body["Melapor (%)"])  # worst first, as the note says
    assert "terendah" in v.rollup_note and "Kabupaten Tuban" in v.rollup_note
    # the table as shown: Indonesian text, '82,3%'
    shown = v.rollup.set_index("Kecamatan")
    assert all(re.fullmatch(r"\d{1,3},\d%", t) for t in shown["Melapor (%)"])
    assert [num(t.rstrip("%")) for t in v.rollup["Melapor (%)"]] == pytest.approx(list(raw["Melapor (%)"]))
    # the kecamatan x month shares: same rows in the same order, every label drawn, '82,3%' in the cells
    heat = v.shares.data[0]
    assert list(heat.y) == list(raw["Kecamatan"]) and list(v.shares.layout.yaxis.tickvals) == list(raw["Kecamatan"])
    assert list(heat.x)[-1] == "Okt 2026" and len(heat.x) == 12
    assert heat.text[-1][-1] == v.rollup["Melapor (%)"].iloc[-1] and "desa melapor" in heat.customdata[0][0]
    assert v.shares.layout.height >= 21 * 20


def test_desa_grid_shows_one_kecamatan_with_every_desa_labelled(mem_con):
    first = kelengkapan.build(mem_con, Filters(periode=OKT), Settings())
    assert [k for k, _ in first.choices] == list(first.rollup_download.frame["Kode"].iloc[:-1])  # worst first
    assert first.kecamatan == first.choices[0][0] and "% melapor" in first.choices[0][1]
    v = kelengkapan.build(mem_con, Filters(periode=OKT), Settings(), kecamatan=BANCAR)
    names = desa_of(mem_con, BANCAR)
    heat = v.grid.data[0]
    assert len(names) == 24 and list(heat.y) == names  # exactly that kecamatan's desa, by name
    assert list(v.grid.layout.yaxis.tickvals) == names and list(v.grid.layout.yaxis.ticktext) == names  # no label dropped
    assert v.grid.layout.height >= 20 * len(names) and len(heat.x) == 12
    assert {t.name for t in v.grid.data[1:]} == WORDS and v.grid.layout.showlegend  # the legend in Indonesian
    hover = {h.split(",")[0] for row in heat.customdata for h in row}
    assert hover <= WORDS and "diterima" in " ".join(heat.customdata[0]) and "Kec. Bancar" in v.grid_title
    # the sidebar's kecamatan (or a desa in it) is the grid's, with nothing to pick
    for f in (Filters(periode=OKT, kecamatan=PALANG), Filters(periode=OKT, kecamatan=PALANG, desa=PALANG + ".2004")):
        own = kelengkapan.build(mem_con, f, Settings(), kecamatan=BANCAR)
        assert own.choices == [] and own.kecamatan == PALANG and list(own.grid.data[0].y) == desa_of(mem_con, PALANG)
        assert list(own.rollup["Kecamatan"]) == ["Palang"]  # one kecamatan: no total row
    # public release mode hides small PMKS counts; counts of desa that reported are not, so nothing changes
    public = kelengkapan.build(mem_con, Filters(periode=OKT, rilis=3), Settings(), kecamatan=BANCAR)
    assert public.rollup.equals(v.rollup) and public.missing.equals(v.missing)


def test_grid_tells_apart_two_desa_of_the_same_name():
    status = pd.DataFrame({"kode": ["1.1", "1.2", "1.3"] * 2, "nama": ["Sumurgung", "Sumurgung", "Ario"] * 2,
                           "kode_kecamatan": "1", "kecamatan": "K", "periode": [date(2026, 9, 1)] * 3 + [OKT] * 3,
                           "status": ["tepat waktu", "belum lapor", "terlambat"] * 2, "diterima": pd.NaT})
    fig = kelengkapan._grid(status)
    assert list(fig.data[0].y) == ["Ario", "Sumurgung (1.1)", "Sumurgung (1.2)"]


def test_downloads_say_what_they_hold_and_carry_kode_kecamatan_and_text_months(mem_con):
    v = kelengkapan.build(mem_con, Filters(periode=OKT), Settings())
    assert v.missing_download.label == "Unduh daftar desa belum melapor Oktober 2026"
    assert v.status_download.label.startswith("Unduh status laporan per desa dan bulan") and "Okt 2026" in v.status_download.label
    assert v.rollup_download.label == "Unduh kelengkapan per kecamatan Oktober 2026"
    missing = v.missing_download.frame
    expected = mem_con.execute("""select d.kode, d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk
        where d.tingkat = 'desa' and d.kode not in (select kode_desa from laporan where aktif and periode = ?)""", [OKT]).fetchall()
    assert list(missing.columns) == ["Kode", "Desa/Kelurahan", "Kecamatan"]
    assert sorted(map(tuple, missing.to_numpy())) == sorted(expected) and len(v.missing) == len(expected)
    grid = v.status_download.frame
    assert list(grid.columns[:3]) == ["Kode", "Desa/Kelurahan", "Kecamatan"] and len(grid) == 328 and grid["Kode"].is_unique
    months = [c for c in grid.columns if c.startswith("Status ")]
    assert len(months) == 12 and months[-1] == "Status Okt 2026"
    assert set(grid[months].to_numpy().ravel()) <= WORDS
    reported = dict(mem_con.execute("""select d.kode, count(l.id) from wilayah d left join laporan l on l.kode_desa = d.kode and l.aktif
        and l.periode between '2025-11-01' and ? where d.tingkat = 'desa' group by 1""", [OKT]).fetchall())
    assert dict(zip(grid["Kode"], grid["Bulan belum lapor"])) == {k: 12 - n for k, n in reported.items()}
    for frame in (missing, grid, v.rollup_download.frame):  # no header or cell Excel would open as a date
        header, *rows = [line.split(";") for line in to_csv_bytes(frame).decode("utf-8-sig").splitlines()]
        assert not [h for h in header if EXCEL_DATE.match(h)], header
        assert not [c for row in rows for c in row if EXCEL_DATE.match(c)]
    assert all(EXCEL_DATE.match(t) for t in ("Okt 2026", "Oktober 2026", "Oct-26", "1/1", "2026-10")) and not EXCEL_DATE.match("Status Okt 2026")


def run_page(monkeypatch, db, query: dict | None = None):
    from tests.test_pages import run_app

    return run_app(monkeypatch, db, "pages/kelengkapan.py", query)


def _in_order(node) -> list:
    """Every element under a block, depth first, in the order the page draws them."""
    children = getattr(node, "children", None)
    return [node] if children is None else [e for c in children.values() for e in _in_order(c)]


def _grid_spec(at) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.key == "grid").proto.spec)


def test_page_shows_the_rollup_before_the_grid_and_a_picked_kecamatan_s_desa(monkeypatch, built_db):
    import duckdb

    con = duckdb.connect(str(built_db), read_only=True)
    palang = desa_of(con, PALANG)
    con.close()
    at = run_page(monkeypatch, built_db)
    assert not at.exception
    elements = _in_order(at.main)
    heads = [e.value for e in elements if e.type == "subheader"]
    assert [t.label for t in at.tabs] == ["Bulan ini", "12 bulan terakhir"]
    assert heads[:2] == ["Kelengkapan per kecamatan, Oktober 2026", "Status laporan per desa"]
    kinds = [e.type for e in elements]
    keys = [getattr(e, "key", None) for e in elements]
    rollup = next(i for i, e in enumerate(elements) if e.type == "html" and "pmks-tabel" in e.value)
    assert kinds.index("subheader") < rollup < keys.index("kel_kec") < keys.index("grid")  # roll-up first, then the grid
    assert "shares" not in keys  # the 12-month heatmap is drawn only when its tab opens
    assert not at.dataframe  # short lists are plain HTML tables: no grid code to load (issue 13)
    table = html_tables(at)[0]
    assert table.attrs["label"] == heads[0]
    assert len(table) == 21 and table["Kecamatan"].iloc[-1] == "Kabupaten Tuban"
    labels = [b.label for b in offered(at)]
    assert "Unduh daftar desa belum melapor Oktober 2026 (CSV)" in labels and "Unduh kelengkapan per kecamatan Oktober 2026 (XLSX)" in labels
    assert any(label.startswith("Unduh status laporan per desa dan bulan") for label in labels)
    at.session_state["kel_rekap"] = "12 bulan terakhir"
    at.run()
    assert not at.exception
    assert "Persentase desa melapor per kecamatan, Nov 2025–Okt 2026" in [h.value for h in at.subheader]
    shares = json.loads(next(c for c in at.get("plotly_chart") if c.key == "shares").proto.spec)
    assert list(shares["data"][0]["y"]) == list(table["Kecamatan"])  # the heatmap in the roll-up's order, the total too
    at.selectbox(key="kel_kec").set_value(PALANG).run()
    assert not at.exception
    spec = _grid_spec(at)
    assert spec["data"][0]["y"] == palang and spec["layout"]["yaxis"]["ticktext"] == palang
    assert spec["layout"]["height"] >= 20 * len(palang)
    assert any("Kec. Palang" in m.value for m in at.markdown)
    # the sidebar's kecamatan: its grid straight away, no second picker
    side = run_page(monkeypatch, built_db, {"kec": PALANG})
    assert not side.exception and not [s for s in side.selectbox if s.key == "kel_kec"]
    assert _grid_spec(side)["data"][0]["y"] == palang and side.subheader[0].value == "Kelengkapan Kec. Palang, Oktober 2026"
