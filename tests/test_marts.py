"""The pre-aggregated marts equal an independent GROUP BY over the facts, after demo, import, replace and migration."""

from __future__ import annotations

import shutil
from collections import Counter

import duckdb
import pytest

from common.indicators import COLUMNS, INDICATORS
from etl.reference.indikator import read_indikator
from store import open_store
from tests import reportfiles as rf
from tests.conftest import check, reading, run_etl

LEVELS = {"desa": 13, "kecamatan": 8, "kabupaten": 5, "provinsi": 2, "semua": 0}


def mart_rows(con, length: int) -> Counter:
    """The marts' rows of one level as a multiset: a duplicated row counts twice."""
    return Counter(con.execute(
        "select kode_wilayah, periode, kode_indikator, jumlah from agregat_bulanan where length(kode_wilayah) = ? and jumlah is not null",
        [length]).fetchall())


def fact_rows(con, length: int) -> Counter:
    key = f"left(kode_desa, {length})" if length else "''"
    return Counter(con.execute(f"select {key}, periode, kode_indikator, sum(jumlah) from pmks_counts group by 1, 2, 3").fetchall())


def report_rows(con, length: int) -> tuple[Counter, Counter]:
    """agregat_laporan's rows of one level (reports, all-zero reports, the total, each indicator's total: migration 0027)
    and the same recomputed from the facts."""
    key = f"left(l.kode_desa, {length})" if length else "''"
    per_report = ", ".join(f"coalesce(sum(n.jumlah) filter (where n.kode_indikator = '{kode}'), 0) as {col}" for kode, col in COLUMNS.items())
    facts = Counter(con.execute(f"""
        with t as (select l.kode_desa, l.periode, coalesce(sum(n.jumlah), 0) as jumlah, {per_report} from laporan l
                   left join laporan_nilai n on n.laporan_id = l.id where l.aktif group by 1, 2)
        select {key.replace('l.', '')}, periode, count(*), count(*) filter (where jumlah = 0), sum(jumlah),
               {", ".join(f"sum({col})" for col in COLUMNS.values())}
        from t group by 1, 2
    """).fetchall())
    mart = Counter(con.execute(f"select kode_wilayah, periode, laporan, semua_nol, jumlah, {', '.join(COLUMNS.values())} "
                               "from agregat_laporan where length(kode_wilayah) = ?", [length]).fetchall())
    return mart, facts


def assert_marts_match_facts(db):
    """Every aggregate equals the same aggregate recomputed from the facts, at every level, with no row twice; and at
    most one active report per desa and month. (SQL both stores read alike: `db` is a DuckDB file or a PostgreSQL URL.)"""
    with reading(db) as con:
        assert_marts_equal_facts(con)


def assert_marts_equal_facts(con) -> None:
    """`assert_marts_match_facts` on an open connection."""
    for level, length in LEVELS.items():
        assert mart_rows(con, length) == fact_rows(con, length), level
        mart, facts = report_rows(con, length)
        assert mart == facts, level
    for table in ("agregat_bulanan", "agregat_laporan"):
        levels = con.execute(f"select distinct tingkat, length(kode_wilayah) from {table} order by 2").fetchall()
        assert levels in ([], [("semua", 0), ("provinsi", 2), ("kabupaten", 5), ("kecamatan", 8), ("desa", 13)])  # [] = no values
    assert con.execute("select count(*) from (select kode_desa, periode from laporan where aktif group by 1, 2 having count(*) > 1) as d").fetchone() == (0,)


def test_marts_after_demo_equal_the_facts(built_db):
    assert_marts_match_facts(built_db)
    con = duckdb.connect(str(built_db), read_only=True)
    assert con.execute("select count(distinct periode) from agregat_bulanan where kode_wilayah = ''").fetchone() == (24,)
    con.close()


def test_marts_follow_an_import_and_a_replacement(demo_db, tmp_path):
    con = duckdb.connect(str(demo_db), read_only=True)
    desa, kecamatan, nama_kec, nama = con.execute("""
        select d.kode, k.kode, k.nama, d.nama from wilayah d join wilayah k on k.kode = d.kode_induk
        where d.tingkat = 'desa' and d.kode not in (select kode_desa from laporan where periode = date '2026-10-01') order by d.kode limit 1
    """).fetchone()
    before = con.execute("select jumlah from agregat_bulanan where kode_wilayah = ? and periode = date '2026-10-01' and kode_indikator = 'FM'", [kecamatan]).fetchone()[0]
    con.close()
    path = tmp_path / "a.xlsx"
    path.write_bytes(rf.form_xlsx(nama, nama_kec, "Oktober 2026", {"Fakir Miskin": 40, "Pengemis": 2}))
    check(run_etl("import", str(path), db=demo_db))
    assert_marts_match_facts(demo_db)
    con = duckdb.connect(str(demo_db), read_only=True)
    after = con.execute("select jumlah from agregat_bulanan where kode_wilayah = ? and periode = date '2026-10-01' and kode_indikator = 'FM'", [kecamatan]).fetchone()[0]
    con.close()
    assert after == before + 40
    path.write_bytes(rf.form_xlsx(nama, nama_kec, "Oktober 2026", {"Fakir Miskin": 0, "Pengemis": 0}))
    check(run_etl("import", str(path), "--replace", db=demo_db))
    assert_marts_match_facts(demo_db)


def test_init_fills_the_marts_of_a_warehouse_from_before_them(built_db, tmp_path):
    db = tmp_path / "lama.duckdb"
    shutil.copy(built_db, db)
    con = duckdb.connect(str(db))
    con.execute("drop table agregat_bulanan")
    con.execute("drop table agregat_laporan")
    con.execute("delete from _migrations where name in ('0002_marts', '0011_many_users', '0027_indicator_totals')")
    con.execute("drop table _versi; drop table pengguna; drop table sesi")
    con.close()
    out = check(run_etl("init", db=db))
    assert "0002_marts" in out.stdout
    assert_marts_match_facts(db)


def test_the_per_indicator_columns_are_the_catalogue(mem_con):
    assert INDICATORS == tuple(read_indikator()["kode"])
    columns = [r[0] for r in mem_con.execute("select column_name from information_schema.columns where table_name = 'agregat_laporan' "
                                             "and column_name like 'jumlah\\_%' escape '\\' order by ordinal_position").fetchall()]
    assert columns == list(COLUMNS.values())


def test_init_fills_the_per_indicator_totals_of_a_warehouse_from_before_them(built_db, tmp_path):
    """Migration 0027 on a warehouse with reports: the new columns hold the totals at once, in its transaction."""
    db = tmp_path / "lama.duckdb"
    shutil.copy(built_db, db)
    con = duckdb.connect(str(db))
    for col in COLUMNS.values():
        con.execute(f"alter table agregat_laporan drop column {col}")
    con.execute("delete from _migrations where name = '0027_indicator_totals'")
    con.close()
    out = check(run_etl("init", db=db))
    assert "0027_indicator_totals" in out.stdout
    assert_marts_match_facts(db)
    with reading(db) as con:
        assert con.execute("select sum(jumlah_fm) from agregat_laporan where tingkat = 'desa'").fetchone()[0] > 0


def test_a_failed_write_leaves_facts_and_marts_together(demo_db, monkeypatch):
    from etl.write import marts
    from etl.write.load import new_batch, write_reports

    store = open_store(demo_db)
    with store.read() as con:
        reports = con.execute("select kode_desa, periode, 'x.xlsx' as nama_berkas, 'S' as sheet, 'abc' as sha256, null as nama_psm, now() as diterima, false as sintetis from laporan where aktif limit 3").df()
        values = con.execute("select l.kode_desa, l.periode, 'FM' as kode_indikator, null::int as laki_laki, null::int as perempuan, 999 as jumlah, 1 as baris, 'E' as kolom from laporan l where aktif limit 3").df()

    def broken(con, changed=None):
        raise RuntimeError("simulated failure while refreshing the marts")

    monkeypatch.setattr("etl.write.load.refresh_marts", broken)
    with pytest.raises(RuntimeError):
        with store.transaction() as con:
            write_reports(con, reports, values, new_batch(con, "t", "impor"))
    store.close()
    assert marts.refresh is not broken
    assert_marts_match_facts(demo_db)
