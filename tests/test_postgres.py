"""The PostgreSQL store (issue 23) as a second implementation of the storage layer: the same schema as the DuckDB
migrations, every copied table followed by its change log, the adapter's DuckDB-shaped results, a warehouse moved from
the file row for row, and each process's copy showing one commit whole and at once."""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import pandas as pd
import pytest

from store import open_store
from store.follower import KEYED, NOT_COPIED
from store.pgsql import translate
from store.schema import MIGRATIONS_DIR, available_migrations, set_setting
from tests.app_process import fingerprint
from tests.conftest import check, run_etl
from tests.test_marts import assert_marts_match_facts


def test_placeholders_become_psycopgs_outside_quotes_and_percent_signs_are_doubled():
    assert translate("select ? from t where a like '50%?' and b = ? -- why?") == \
        "select %s from t where a like '50%%?' and b = %s -- why?"
    assert translate('select "a?b" from t where x = ?') == 'select "a?b" from t where x = %s'


def test_every_duckdb_migration_has_its_postgresql_twin():
    duck = [name for name, _ in available_migrations()]
    pg = [name for name, _ in available_migrations(MIGRATIONS_DIR / "postgres")]
    assert [n for n in pg if n in duck] == duck  # the same names, in order; PostgreSQL-only ones besides
    assert set(pg) - set(duck) == {"0023_shared_store"}


def test_both_schemas_have_the_same_tables_and_columns_and_every_copied_table_is_logged(pg_empty):
    duck = duckdb.connect()
    from store.schema import migrate_connection

    migrate_connection(duck)
    mine = set(duck.execute("select table_name, column_name from information_schema.columns where table_schema = 'main'").fetchall())
    with open_store(pg_empty).read() as con:
        theirs = set(con.execute("select table_name, column_name from information_schema.columns where table_schema = 'public'").fetchall())
        logged = {r[0] for r in con.execute("select distinct event_object_table from information_schema.triggers").fetchall()}
    assert {(t, c) for t, c in theirs if t != "_log_ubah"} == mine
    tables = {r[0] for r in duck.execute("select table_name from information_schema.tables where table_type = 'BASE TABLE'").fetchall()}
    copied = tables - NOT_COPIED
    assert copied <= logged and set(KEYED) <= copied


def test_results_are_shaped_as_duckdb_gives_them(pg_empty):
    store = open_store(pg_empty)
    with store.transaction() as con:
        set_setting(con, "uji", "1")
        assert con.execute("update pengaturan set nilai = ? where kunci = ?", ["2", "uji"]).fetchall() == [(1,)]
        frame = con.execute("select count(*) as n, sum(nomor) as s, min(kode) as k, date '2026-10-01' as d, true as b, "
                            "null::int as kosong from indikator").df()
    row = frame.iloc[0]
    assert (row["n"], row["s"], row["d"], row["b"]) == (26, float(sum(range(1, 27))), dt.datetime(2026, 10, 1), True)
    assert pd.isna(row["kosong"]) and str(frame["d"].dtype) == "datetime64[us]" and str(frame["n"].dtype) == "int64"
    assert str(frame["kosong"].dtype) == "Int32" and str(frame["k"].dtype) == "str"
    with store.read() as con, pytest.raises(duckdb.CatalogException):
        con.execute("select * from tidak_ada").fetchall()


def test_a_file_moves_to_postgresql_row_for_row(built_db, pg_cluster):
    url = pg_cluster.create_database("pindahan")
    try:
        out = check(run_etl("to-postgres", url, db=built_db))
        assert "disalin" in out.stdout
        with duckdb.connect(str(built_db), read_only=True) as con:
            before = fingerprint(con)
            counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("laporan_nilai", "batas_wilayah", "audit")}
        store = open_store(url)
        with store.read() as con:
            assert fingerprint(con) == before
            assert {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in counts} == counts
        with store.analytics() as con:  # an app process's copy of it
            assert fingerprint(con) == before
        assert_marts_match_facts(url)
        again = run_etl("to-postgres", url, db=built_db)
        assert again.returncode == 1 and "sudah berisi data" in again.stderr
    finally:
        from store import close_all

        close_all()
        pg_cluster.drop_database("pindahan")


def test_each_process_copy_shows_a_commit_whole_and_at_once(pg_demo):
    """Another process's store (a second instance here) follows every commit: never half of one, and the writing
    process shows its own write when its transaction returns."""
    from store.postgres import PostgresStore

    writer, other = open_store(pg_demo), PostgresStore(pg_demo)
    try:
        writer.follower(), other.follower()
        problems, seen = [], set()
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                with other.analytics() as con:
                    top, desa = con.execute("select (select sum(jumlah) from agregat_laporan where tingkat = 'kabupaten'), "
                                            "(select sum(jumlah) from agregat_laporan where tingkat = 'desa')").fetchone()
                seen.add(top)
                if top != desa:
                    problems.append((top, desa))

        watcher = threading.Thread(target=watch)
        watcher.start()
        from etl.write.load import rollback_batch

        with writer.read() as con:
            batch = con.execute("select max(id) from impor_batch where jenis = 'demo'").fetchone()[0]
        with writer.transaction() as con:
            rollback_batch(con, batch, "uji")
        with writer.analytics() as con:  # the writing process: at once
            assert con.execute("select count(*) from agregat_laporan").fetchone()[0] == 0
        target = writer.versions()["audit"]
        import time

        deadline = time.monotonic() + 30
        while (other.analytics_versions()["audit"] < target or not other.follower().lags) and time.monotonic() < deadline:
            time.sleep(0.01)  # the lag is noted just after the copy is applied
        stop.set()
        watcher.join(30)
        assert other.analytics_versions()["audit"] >= target
        assert not problems, problems[:3]  # the kabupaten total always equals its desa: one commit or the other
        with other.analytics() as con:
            assert con.execute("select count(*) from agregat_laporan").fetchone()[0] == 0
        assert len(other.follower().lags) >= 1
    finally:
        other.close()
