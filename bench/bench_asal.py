"""The provenance panel's queries (issue 26) on a synthetic warehouse, for bench_dashboard.py: each query of
`dashboard/queries/asal.py` and the whole model (`dashboard.views.asal.build`) for a kecamatan (every desa, every
indicator), a desa (its population and cells) and a kabupaten (its kecamatan), median ms. Goal: <= 100 ms per query at
nation scale."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.synthetic import LAST_MONTH
from dashboard.queries import asal as q
from dashboard.queries.population import population
from dashboard.views import Settings
from dashboard.views.asal import Question, build
from store.sqltext import literal


def panel_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse read-only; one built before migration 0026 gets an in-memory overlay of what 0026 adds (an empty
    `berkas_asli`, `penduduk_desa.kolom`), leaving its tables, data and row order as built."""
    con = duckdb.connect(":memory:")
    con.execute(f"attach {literal(str(path))} as wh (read_only)")
    con.execute("use wh")
    has = con.execute("select count(*) from duckdb_tables() where database_name = 'wh' and table_name = 'berkas_asli'").fetchone()[0]
    if not has:
        con.execute("""create table memory.main.berkas_asli (sha256 varchar primary key, nama_berkas varchar, ukuran bigint,
                       wilayah varchar, isi blob, diterima timestamp, pengguna varchar)""")
        con.execute("create view memory.main.penduduk_desa as select *, cast(null as varchar) as kolom from wh.main.penduduk_desa")
        con.execute("set search_path = 'memory.main,wh.main'")
    return con


def cases(con) -> list[tuple[str, object]]:
    """(name, call) of every panel query and the whole model."""
    kab = con.execute("select min(kode) from wilayah where tingkat = 'kabupaten'").fetchone()[0]
    kec = con.execute("select max(kode) from wilayah where tingkat = 'kecamatan' and starts_with(kode, ?)", [kab]).fetchone()[0]
    desa = con.execute("select max(kode) from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [kec]).fetchone()[0]
    p = LAST_MONTH
    codes = list(q.indicators(con, ())["kode"])
    ids = [int(i) for i in q.reports(con, kec, p)["id"]]
    shas = [f"{i:064x}" for i in range(20)]
    return [
        ("area_row", lambda: q.area_row(con, kec)),
        ("parts: desa of a kecamatan", lambda: q.parts(con, kec, "desa")),
        ("indicators", lambda: q.indicators(con, ())),
        ("reports: a kecamatan's month, with history", lambda: q.reports(con, kec, p)),
        ("values: its reports x 26 indicators", lambda: q.values(con, ids, codes)),
        ("kept_files (20 digests)", lambda: q.kept_files(con, shas)),
        ("part_totals: a kabupaten's kecamatan", lambda: q.part_totals(con, "kecamatan", kab, p, codes)),
        ("population of a desa", lambda: population(con, "desa", kec, p)),
        ("population_cells of a desa", lambda: q.population_cells(con, [desa])),
        ("model: kecamatan, all indicators", lambda: build(con, Question(kec, p), Settings())),
        ("model: kecamatan, release mode (two-way suppression)", lambda: build(con, Question(kec, p, rilis=3), Settings())),
        ("model: desa, per 1.000", lambda: build(con, Question(desa, p, ukuran="per1000"), Settings())),
        ("model: kabupaten, release mode", lambda: build(con, Question(kab, p, rilis=3), Settings())),
        ("model: the whole warehouse (every kecamatan)", lambda: build(con, Question("", p), Settings())),
    ]


def run_panel(path: Path, title: str, args) -> None:
    """Print the panel's medians for one warehouse."""
    from bench.bench_dashboard import fmt, median_ms

    con = panel_connection(path)
    print(f"\n{title}: provenance panel (issue 26), median of {args.repeat} runs")
    print(f"{'query':<52}{'ms':>9}")
    for name, call in cases(con):
        print(f"{name:<52}{fmt(median_ms(call, args.repeat)):>9}", flush=True)
    con.close()
