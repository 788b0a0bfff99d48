"""AppTest: every page renders on the demo and the empty warehouse; filters change the numbers."""

from __future__ import annotations

import json

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from common import fmt
from tests.conftest import REPO, num, offered

PAGES = ["pages/ringkasan.py", "pages/peta.py", "pages/jelajah.py", "pages/profil.py", "pages/prioritas.py", "pages/kelengkapan.py",
         "pages/tentang.py"]


def run_app(monkeypatch, db, page: str | None = None, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("PMKS_DB", str(db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def test_navigation_lists_every_page():
    from dashboard.navigation import PAGES as NAVIGATION

    scripts = {script for script, *_ in NAVIGATION.values()}
    assert scripts == {f"pages/{p.name}" for p in (REPO / "pages").glob("*.py")}
    assert "navigation.navigate(" in (REPO / "app.py").read_text()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo(monkeypatch, built_db, page):
    at = run_app(monkeypatch, built_db, page)
    assert not at.exception
    assert any("SINTETIS" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_empty_warehouse(monkeypatch, empty_db, page):
    at = run_app(monkeypatch, empty_db, page)
    assert not at.exception
    if not page.endswith("tentang.py"):
        assert any("Belum ada laporan" in w.value for w in at.warning)


def test_page_renders_without_database(monkeypatch, tmp_path):
    at = run_app(monkeypatch, tmp_path / "missing.duckdb")
    assert not at.exception
    assert any("belum disiapkan" in e.value for e in at.error) and not at.title


def _metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_ringkasan_total_matches_sql_and_follows_filters(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    total, n = con.execute("select sum(jumlah), count(distinct kode_desa) from pmks_counts where periode = '2026-10-01'").fetchone()
    kec_total, kec_n = con.execute("select sum(jumlah), count(distinct kode_desa) from pmks_counts where periode = '2026-10-01' and kode_kecamatan = '35.23.18'").fetchone()
    fm = con.execute("select sum(jumlah) from pmks_counts where periode = '2026-09-01' and kode_indikator = 'FM'").fetchone()[0]
    con.close()
    at = run_app(monkeypatch, built_db)
    assert _metric(at, "Total PMKS (jiwa)").value == fmt.angka(total)
    assert _metric(at, "Laporan diterima").value == f"{n}/328"
    at.selectbox(key="f_kec").select("35.23.18").run()
    assert _metric(at, "Total PMKS (jiwa)").value == fmt.angka(kec_total)
    assert at.query_params["kec"] == "35.23.18"
    at.selectbox(key="f_kec").select("").run()
    at.selectbox(key="f_periode").select("2026-09").run()
    at.multiselect(key="f_ind").select("FM").run()
    assert _metric(at, "Total PMKS (jiwa)").value == fmt.angka(fm)
    assert at.query_params["periode"] == "2026-09" and at.query_params["ind"] in ("FM", ["FM"])


def test_url_reproduces_the_view(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    expected = con.execute("select sum(jumlah) from pmks_counts where periode = '2026-08-01' and kode_kecamatan = '35.23.16' and kode_indikator in ('LUT', 'PD')").fetchone()[0]
    con.close()
    at = run_app(monkeypatch, built_db, query={"periode": "2026-08", "kec": "35.23.16", "ind": ["LUT", "PD"]})
    assert not at.exception
    assert at.selectbox(key="f_periode").value == "2026-08"
    assert _metric(at, "Total PMKS (jiwa)").value == fmt.angka(expected)


def test_kelengkapan_counts_match_sql(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    reported = con.execute("select count(*) from laporan where aktif and periode = '2026-10-01'").fetchone()[0]
    late = con.execute("""select count(*) from laporan l where aktif and periode = '2026-10-01'
        and diterima::date > date '2026-11-10'
        and (select sum(jumlah) from laporan_nilai where laporan_id = l.id) > 0""").fetchone()[0]
    con.close()
    at = run_app(monkeypatch, built_db, "pages/kelengkapan.py")
    assert not at.exception
    assert _metric(at, "Belum lapor").value == fmt.angka(328 - reported)
    assert _metric(at, "Terlambat").value == fmt.angka(late)


def test_jelajah_pivot_total_matches_sql(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    expected = dict(con.execute("select nama_kecamatan, sum(jumlah) from pmks_counts where periode = '2026-10-01' group by 1").fetchall())
    con.close()
    at = run_app(monkeypatch, built_db, "pages/jelajah.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert dict(zip(table["Kecamatan"], map(num, table["Total"]))) == expected
    assert "kode" not in table.columns and all(isinstance(t, str) for t in table["Total"])  # formatted by the app


def test_month_comparison_is_like_for_like(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    now, then, n = con.execute("""
        with dua as (select kode_desa from laporan where aktif and periode in ('2026-10-01', '2026-09-01') group by 1 having count(*) = 2)
        select sum(jumlah) filter (periode = '2026-10-01'), sum(jumlah) filter (periode = '2026-09-01'), count(distinct kode_desa)
        from pmks_counts where kode_desa in (select kode_desa from dua) and periode in ('2026-10-01', '2026-09-01')
    """).fetchone()
    con.close()
    at = run_app(monkeypatch, built_db)
    card = _metric(at, "Dibanding bulan lalu")
    delta = now - then
    assert card.value == f"{'+' if delta >= 0 else ''}{fmt.angka(delta)} ({'+' if delta >= 0 else ''}{fmt.persen(delta / then)})"
    assert any(f"Sebanding pada {fmt.angka(n)} desa" in c.value for c in at.caption)


def test_rates_per_1000_with_estimates_marked(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    kec_pop = dict(con.execute("""select w.nama, p.jumlah from penduduk p join wilayah w on w.kode = p.kode_wilayah
        where w.tingkat = 'kecamatan' and p.tahun = (select max(tahun) from penduduk q where q.kode_wilayah = p.kode_wilayah and q.tahun <= 2026)""").fetchall())
    totals = dict(con.execute("select nama_kecamatan, sum(jumlah) from pmks_counts where periode = '2026-10-01' group by 1").fetchall())
    con.close()
    at = run_app(monkeypatch, built_db, "pages/jelajah.py", query={"ukuran": "per1000"})
    assert not at.exception
    table = at.dataframe[0].value
    rates = dict(zip(table["Kecamatan"], map(num, table["Per 1.000 penduduk"])))
    for name, total in totals.items():
        if name in kec_pop:
            assert rates[name] == pytest.approx(round(total / kec_pop[name] * 1000, 1))
        else:
            assert rates[name] is None
    assert set(table["Penduduk perkiraan"]) <= {"tidak", "–"}  # kecamatan figures are census counts
    at.selectbox(key="f_kec").select("35.23.18").run()
    at.radio(key="jelajah_tingkat").set_value("desa").run()
    desa = at.dataframe[0].value
    assert set(desa["Penduduk perkiraan"]) == {"ya"}  # the demo's desa population is an estimate
    assert any("penduduk perkiraan" in c.value for c in at.caption)


def test_due_day_is_configuration(monkeypatch, demo_db):
    from tests.conftest import check, run_etl

    check(run_etl("settings", "--due-day", "20", db=demo_db))
    monkeypatch.delenv("PMKS_DUE_DAY", raising=False)
    con = duckdb.connect(str(demo_db), read_only=True)
    late = con.execute("""select count(*) from laporan l where aktif and periode = '2026-10-01'
        and diterima::date > date '2026-11-20'
        and (select sum(jumlah) from laporan_nilai where laporan_id = l.id) > 0""").fetchone()[0]
    con.close()
    at = run_app(monkeypatch, demo_db, "pages/kelengkapan.py")
    assert _metric(at, "Terlambat").value == fmt.angka(late)
    bad = run_etl("settings", "--due-day", "31", db=demo_db)
    assert bad.returncode == 2 and "antara 1 dan 28" in bad.stderr


def test_jelajah_draws_only_the_open_tab(monkeypatch, built_db):
    """Table, ranking and trend are tabs; each is built only while shown (issue 13: no chart code on the first view)."""
    at = run_app(monkeypatch, built_db, "pages/jelajah.py", query={"periode": "2026-10"})
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Tabel", "Peringkat", "Tren"]
    assert len(at.dataframe) == 1 and not at.get("plotly_chart")
    table = at.dataframe[0].value
    for tab, key in (("Peringkat", "rank"), ("Tren", "trend")):
        at.session_state["jelajah_tampilan"] = tab
        at.run()
        assert not at.exception
        assert [c.key for c in at.get("plotly_chart")] == [key] and not at.dataframe
    trend = json.loads(next(c for c in at.get("plotly_chart") if c.key == "trend").proto.spec)
    assert trend["data"]  # the trend has its lines
    at.session_state["jelajah_tampilan"] = "Peringkat"
    at.run()
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert set(bars["y"]) == set(table["Kecamatan"])  # the ranking ranks the table's areas
    labels = [b.label for b in offered(at)]
    assert labels == []  # the ranking tab has no download of its own


def test_prioritas_shows_the_list_first_and_the_map_on_its_tab(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, "pages/prioritas.py", query={"periode": "2026-10"})
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Daftar peringkat", "Peta prioritas"]
    ranked = at.dataframe[0].value
    assert not at.get("plotly_chart")
    at.session_state["prioritas_tampilan"] = "Peta prioritas"
    at.run()
    assert not at.exception and not at.dataframe
    spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == "prioritas_peta").proto.spec)
    assert len(spec["data"][0]["locations"]) == len(ranked)  # every ranked desa is on the map
    assert any(b.label == "Unduh daftar prioritas (XLSX)" for b in offered(at))  # the download stays under both
