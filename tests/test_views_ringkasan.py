"""Ringkasan for leadership (issue 14, points 1, 2, 7 and 9): honest rises, trends that show who reported, a legible
indicator chart and a first screen in plain words. Models on the in-memory warehouse, checked against plain SQL."""

from __future__ import annotations

from datetime import date

import pytest

from common import fmt
from dashboard import charts, queries
from dashboard.queries import Selection
from dashboard.views import Filters, Settings, jelajah, prioritas, profil, ringkasan
from tests.conftest import memory_warehouse

OKT = date(2026, 10, 1)
WINDOW = (date(2025, 11, 1), OKT)  # the 12 months a trend ending in Oktober 2026 shows
PALANG = "35.23.18"


@pytest.fixture(scope="module")
def planted():
    """The demo warehouse where the desa with the largest Oktober total sent an all-zero report for September, and
    another desa's only earlier reports were all zero: neither may be measured against zero."""
    from etl.write.marts import refresh_all

    con = memory_warehouse()
    top = con.execute("""
        select kode_desa from pmks_counts where periode = ? and kode_desa in (
            select kode_desa from laporan where aktif and periode between '2026-06-01' and '2026-09-01'
            group by 1 having count(*) = 4)
        group by 1 order by sum(jumlah) desc, 1 limit 1""", [OKT]).fetchone()[0]
    fresh = con.execute("""
        select kode_desa from laporan where aktif and periode = ? and kode_desa <> ? order by kode_desa limit 1""", [OKT, top]).fetchone()[0]
    con.execute("""update laporan_nilai set jumlah = 0, laki_laki = 0, perempuan = 0 where laporan_id in
                   (select id from laporan where aktif and kode_desa = ? and periode = '2026-09-01')""", [top])
    con.execute("""update laporan_nilai set jumlah = 0, laki_laki = 0, perempuan = 0 where laporan_id in
                   (select id from laporan where aktif and kode_desa = ? and periode < ?)""", [fresh, OKT])
    refresh_all(con)
    yield con, top, fresh
    con.close()


def test_sharpest_rises_compare_with_the_median_of_recent_non_zero_reports(planted):
    con, top, fresh = planted
    name = con.execute("select nama from wilayah where kode = ?", [top]).fetchone()[0]
    v = ringkasan.build(con, Filters(periode=OKT), Settings())
    assert v.rises["Desa/Kelurahan"].iloc[0] != name  # 0 -> ~470 would top the list when compared with September
    assert "median 3 laporan sebelumnya yang tidak nol" in v.rises_rule
    every = queries.sharpest_rises(con, OKT, Selection(), limit=400)
    assert fresh not in set(every["kode"])  # no trustworthy earlier report: not listed
    now, baseline = con.execute("""
        with m as (select periode, sum(jumlah) as jumlah from pmks_counts where kode_desa = ? group by 1)
        select (select jumlah from m where periode = ?),
               round(median(jumlah)) from (select jumlah from m where periode < ? and jumlah > 0 order by periode desc limit 3)""",
                                [top, OKT, OKT]).fetchone()
    mine = every[every["kode"] == top]
    if now > baseline:
        assert mine["sebelumnya"].tolist() == [baseline] and mine["kenaikan"].tolist() == [now - baseline]
        assert mine["pembanding"].tolist() == [3]
    else:
        assert mine.empty
    assert (every["sebelumnya"] > 0).all() and (every["kenaikan"] == every["sekarang"] - every["sebelumnya"]).all()


def _always_reporting_sql(con, area: str = "") -> tuple[int, list[int]]:
    desa = [r[0] for r in con.execute("""
        select kode_desa from laporan where aktif and periode between ? and ? and starts_with(kode_desa, ?)
        group by 1 having count(distinct periode) = 12""", [*WINDOW, area]).fetchall()]
    totals = [r[0] for r in con.execute("""
        select coalesce(sum(jumlah), 0) from (select unnest(generate_series(?::date, ?::date, interval 1 month))::date as periode) m
        left join pmks_counts c on c.periode = m.periode and c.kode_desa in (select unnest(?::varchar[]))
        group by m.periode order by m.periode""", [*WINDOW, desa]).fetchall()]
    return len(desa), totals


def _reports_sql(con, area: str = "") -> list[int]:
    return [r[0] for r in con.execute("""
        select count(l.id) from (select unnest(generate_series(?::date, ?::date, interval 1 month))::date as periode) m
        left join laporan l on l.periode = m.periode and l.aktif and starts_with(l.kode_desa, ?)
        group by m.periode order by m.periode""", [*WINDOW, area]).fetchall()]


def _trace(fig, name_start: str):
    return next(t for t in fig.data if (t.name or "").startswith(name_start))


@pytest.mark.parametrize("area", ["", PALANG])
def test_every_trend_shows_reports_received_and_the_like_for_like_line(mem_con, area):
    n, steady = _always_reporting_sql(mem_con, area)
    reports = _reports_sql(mem_con, area)
    f = Filters(periode=OKT, kecamatan=area)
    figures = [ringkasan.build(mem_con, f, Settings()).trend_chart,
               jelajah.build(mem_con, f, Settings(), start=WINDOW[0], end=OKT).trend]
    if area:
        figures.append(profil.build(mem_con, f, Settings()).trend_chart)
    for fig in figures:
        assert list(_trace(fig, charts.REPORTS_LABEL).y) == reports
        line = _trace(fig, "Desa yang selalu melapor")
        assert line.name == f"Desa yang selalu melapor ({fmt.angka(n)} desa)"
        assert list(line.y) == steady
        assert fig.data[0].name == "Total PMKS" and len(fig.data[0].y) == 12
        hover = list(_trace(fig, charts.REPORTS_LABEL).text)
        assert hover == [fmt.angka(r) for r in reports]  # the app's Indonesian numbers, not the browser's


@pytest.mark.parametrize("area", ["", PALANG])
def test_jelajah_trend_download_carries_the_like_for_like_total(mem_con, area):
    n, steady = _always_reporting_sql(mem_con, area)
    v = jelajah.build(mem_con, Filters(periode=OKT, kecamatan=area), Settings(), start=WINDOW[0], end=OKT)
    column = f"Jumlah di {fmt.angka(n)} desa yang selalu melapor"
    assert list(v.series.columns) == ["Periode", "Jumlah", "Desa melapor", column]
    assert list(v.series[column]) == steady  # the dashed line of the chart, month by month
    assert f"{fmt.angka(n)} desa yang melapor di setiap bulan" in v.trend_note
    public = jelajah.build(mem_con, Filters(periode=OKT, kecamatan=area, rilis=3), Settings(), start=WINDOW[0], end=OKT)
    line = list(_trace(public.trend, "Desa yang selalu melapor").y)
    assert [c == "x" for c in public.series[column]] == [v is None for v in line]  # hidden exactly where the chart hides it


def test_release_mode_hides_a_like_for_like_month_that_would_give_a_small_count_away():
    import pandas as pd

    from dashboard import release

    tr = pd.DataFrame({"jumlah": [10, 10, 2, 50], "sebanding": [8, 2, 2, 20]})
    out = release.trend(tr, 3, parts=("sebanding",))
    assert out["jumlah"].isna().tolist() == [False, False, True, False]
    assert out["sebanding"].isna().tolist() == [True, True, True, False]  # 10 - 8 = 2 and a small 2 itself


def test_indicator_chart_has_every_full_name_and_a_height_per_bar(mem_con):
    v = ringkasan.build(mem_con, Filters(periode=OKT), Settings())
    names = set(queries.by_indikator(mem_con, OKT, Selection())["nama"])
    labels = list(v.indikator_chart.data[0].y)
    assert {label.replace("<br>", " ") for label in labels} == names
    assert max(len(part) for label in labels for part in label.split("<br>")) <= ringkasan.INDICATOR_WRAP
    assert any("<br>" in label for label in labels)  # the long names are wrapped, not cut
    assert v.indikator_chart.layout.yaxis.automargin is True
    assert v.indikator_chart.layout.height >= 22 * len(labels)


def test_first_screen_says_the_month_the_due_date_the_top_priorities_and_the_last_load(mem_con):
    v = ringkasan.build(mem_con, Filters(periode=OKT), Settings(due_day=10), today=date(2026, 11, 28))
    total, reported = mem_con.execute("select sum(jumlah), count(distinct kode_desa) from pmks_counts where periode = ?", [OKT]).fetchone()
    now, before = mem_con.execute("""
        select sum(jumlah) filter (periode = '2026-10-01'), sum(jumlah) filter (periode = '2026-09-01') from pmks_counts
        where kode_desa in (select kode_desa from laporan where aktif and periode = '2026-10-01'
                            intersect select kode_desa from laporan where aktif and periode = '2026-09-01')""").fetchone()
    change = (now - before) / before
    word = "naik" if change > 0 else "turun"
    assert v.headline == (f"Oktober 2026: {fmt.angka(total)} PMKS tercatat di {fmt.angka(reported)} dari 328 desa, "
                          f"{word} {fmt.persen(abs(change))} dibanding desa yang sama bulan lalu.")
    assert v.due == "Laporan November 2026 jatuh tempo 10 Desember 2026 (12 hari lagi)."
    assert ringkasan.next_due(date(2026, 12, 10), 10) == "Laporan November 2026 jatuh tempo 10 Desember 2026 (hari ini)."
    assert ringkasan.next_due(date(2027, 1, 11), 10) == "Laporan Januari 2027 jatuh tempo 10 Februari 2027 (30 hari lagi)."
    loaded = mem_con.execute("select max(waktu) from impor_batch where status = 'aktif'").fetchone()[0]
    assert v.loaded == f"Data terakhir dimuat {fmt.tanggal(loaded.date())} pukul {loaded:%H.%M}."
    page = prioritas.build(mem_con, Filters(periode=OKT), Settings()).table
    assert v.priority["Desa/Kelurahan"].tolist() == page["Desa/Kelurahan"].head(5).tolist()
    assert v.priority["Peringkat"].tolist() == ["1", "2", "3", "4", "5"]
    shares = list(v.reporting_chart.data[0].y)
    assert shares[-1] == pytest.approx(100 * reported / 328) and len(shares) == 12


def test_pdf_brief_trend_draws_reports_behind_the_total_and_the_like_for_like_line(mem_con):
    import matplotlib.pyplot as plt

    from dashboard import brief

    fig = brief.trend_figure(brief.collect(mem_con, PALANG, OKT))
    try:
        line_ax, bar_ax = fig.axes
        assert [round(p.get_height()) for p in bar_ax.patches] == _reports_sql(mem_con, PALANG)
        n, steady = _always_reporting_sql(mem_con, PALANG)
        lines = {ln.get_label(): list(ln.get_ydata()) for ln in line_ax.get_lines()}
        assert lines[f"Desa yang selalu melapor ({fmt.angka(n)} desa)"] == steady
        assert line_ax.get_zorder() > bar_ax.get_zorder()  # the bars stay behind the lines
    finally:
        plt.close(fig)


def test_without_desa_population_the_first_screen_says_why_no_desa_is_ranked():
    con = memory_warehouse()
    try:
        con.execute("delete from penduduk_desa")
        v = ringkasan.build(con, Filters(periode=OKT), Settings())
        assert v.priority.empty and v.priority_note.startswith("Belum ada desa berperingkat")
    finally:
        con.close()
