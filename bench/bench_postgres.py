"""bench_dashboard.py --stores postgres (issue 23): a synthetic warehouse moved into PostgreSQL, the page queries on an
app process's DuckDB copy of it, five of them asked of PostgreSQL directly (the alternative the README weighs), and
the lag from a commit in one process to another process's copy."""

from __future__ import annotations

import statistics
import time
from datetime import datetime

import pandas as pd
import psycopg

from bench.synthetic import LAST_MONTH

START = LAST_MONTH.replace(year=LAST_MONTH.year - 1)
SINCE = START

# The pages' questions written for PostgreSQL, on the same marts (the alternative to the copies).
DIRECT = {
    "trend (12 months) with like-for-like": ("""
        with months as (select periode from agregat_laporan where tingkat = 'semua' and kode_wilayah = '' and periode > %(start)s
                        and periode <= %(end)s and laporan > 0),
        t as (select periode, sum(jumlah) as jumlah from agregat_bulanan where tingkat = 'semua' and kode_wilayah = ''
              and periode in (select periode from months) group by 1),
        d as materialized (select kode_wilayah, periode, jumlah from agregat_laporan where tingkat = 'desa'
              and periode in (select periode from months) and laporan > 0),
        steady as (select kode_wilayah from d group by 1 having count(*) = (select count(*) from months)),
        s as (select periode, sum(jumlah) as jumlah from d where kode_wilayah in (select kode_wilayah from steady) group by 1)
        select m.periode, t.jumlah, s.jumlah from months m left join t using (periode) left join s using (periode) order by 1"""),
    "sharpest_rises (median of 3 earlier)": ("""
        with t as (select kode_wilayah as kode_desa, periode, semua_nol, jumlah from agregat_laporan
                   where tingkat = 'desa' and periode between %(since)s and %(end)s and laporan > 0),
        base as (select kode_desa, round(percentile_cont(0.5) within group (order by jumlah))::bigint as sebelumnya, count(*) as n
                 from (select kode_desa, jumlah, row_number() over (partition by kode_desa order by periode desc) as k
                       from t where periode < %(end)s and semua_nol = 0 and jumlah > 0) x where k <= 3 group by 1)
        select t.kode_desa, base.sebelumnya, t.jumlah - base.sebelumnya as kenaikan from t join base using (kode_desa)
        where t.periode = %(end)s and t.jumlah > base.sebelumnya order by kenaikan desc, t.kode_desa limit 10"""),
    "by_wilayah kecamatan": ("""
        select a.kode_wilayah, sum(a.jumlah) from agregat_bulanan a where a.tingkat = 'kecamatan' and a.periode = %(end)s
          and a.kode_indikator in (select kode from indikator where aktif) group by 1"""),
    "pivot_wide desa (1 kabupaten)": ("""
        select a.kode_wilayah, sum(a.jumlah) filter (where a.kode_indikator = 'FM'), sum(a.jumlah) filter (where a.kode_indikator = 'PD'),
               sum(a.jumlah) filter (where a.kode_indikator = 'LUT'), sum(a.jumlah) filter (where a.kode_indikator = 'AT')
        from agregat_bulanan a where a.tingkat = 'desa' and starts_with(a.kode_wilayah, %(kab)s) and a.periode = %(end)s group by 1"""),
    "report_status (1 kabupaten, 12 months)": ("""
        select d.kode, m.periode, l.diterima from wilayah d
        cross join generate_series(%(start)s::date, %(end)s::date, interval '1 month') as m(periode)
        left join laporan l on l.kode_desa = d.kode and l.periode = m.periode::date and l.aktif
        where d.tingkat = 'desa' and starts_with(d.kode, %(kab)s)"""),
}


def _median_ms(call, repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _database(cluster, server_url: str | None, name: str) -> tuple[str, bool]:
    """(URL, whether it is new): a database kept from an earlier run on the same server is used again."""
    admin = cluster.url() if cluster is not None else server_url
    with psycopg.connect(admin, autocommit=True) as con:
        if con.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            return admin.rsplit("/", 1)[0] + "/" + name, False
        con.execute(f'create database "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name, True


def on_postgres(path, scale: str, args, cluster, run_cases) -> None:
    from store.postgres import PostgresStore
    from store.transfer import copy_to_postgres

    url, new = _database(cluster, args.database_url, f"bench_{scale}_{args.months}")
    start = time.perf_counter()
    moved = f"moved {sum(copy_to_postgres(path, PostgresStore(url)).values()):,} rows in {time.perf_counter() - start:.1f} s" if new else "kept"
    store = PostgresStore(url)
    start = time.perf_counter()
    store.follower()
    first = time.perf_counter() - start
    print(f"\n{scale} on PostgreSQL: {moved} (etl to-postgres); an app process's first copy took {first:.1f} s".replace(",", "."), flush=True)
    with store.analytics() as con:
        run_cases(con, None, f"{scale}, PostgreSQL, pages on the app process's DuckDB copy", args)
    with psycopg.connect(url) as pg, store.analytics() as con:
        kab = con.execute("select min(kode) from wilayah where tingkat = 'kabupaten'").fetchone()[0]
        params = {"start": START, "since": SINCE, "end": LAST_MONTH, "kab": kab}
        print(f"\n{scale}, the same questions asked of PostgreSQL directly (median of {args.repeat} runs)")
        for name, sql in DIRECT.items():
            print(f"{'':<12}{name:<40}{_median_ms(lambda sql=sql: pg.execute(sql, params).fetchall(), args.repeat):>9.1f}".replace(".", ","), flush=True)
    lag(store, url, args.commits)
    store.close()


def lag(reader, url: str, commits: int) -> None:
    """`commits` saves of one desa report from another store (another process's pool and copy), each followed by
    the time until the reader's copy shows it: from the writer's NOTIFY (sent just before its COMMIT) to applied."""
    from etl.write.load import new_batch, write_reports
    from store.postgres import PostgresStore

    writer = PostgresStore(url)
    with writer.read() as con:
        desa = con.execute("select kode_wilayah from agregat_laporan where tingkat = 'desa' and periode = %s limit 1".replace("%s", "?"),
                           [LAST_MONTH]).fetchone()[0]
        indicators = [r[0] for r in con.execute("select kode from indikator order by nomor").fetchall()]
    reader.follower().lags.clear()
    waits = []
    for i in range(commits):
        reports = pd.DataFrame([{"kode_desa": desa, "periode": LAST_MONTH, "nama_berkas": "bench.csv", "sheet": None, "sha256": f"b{i}",
                                 "nama_psm": None, "diterima": datetime.now(), "sintetis": True}])
        values = pd.DataFrame([{"kode_desa": desa, "periode": LAST_MONTH, "kode_indikator": k, "laki_laki": None, "perempuan": None,
                                "jumlah": i % 7, "baris": None, "kolom": None} for k in indicators])
        with writer.transaction() as con:
            write_reports(con, reports, values, new_batch(con, "bench", "impor"))
        target = writer.versions()["audit"]
        start = time.perf_counter()
        while reader.analytics_versions()["audit"] < target:
            time.sleep(0.0005)
        waits.append(time.perf_counter() - start)
        time.sleep(0.05)
    lags = sorted(reader.follower().lags)
    writer.close()
    if lags:
        p95 = lags[min(len(lags) - 1, int(len(lags) * 0.95))]
        print(f"\nlag from a commit (one desa report saved in another process) to this process's copy, {len(lags)} commits: "
              f"median {statistics.median(lags) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {lags[-1] * 1000:.1f} ms "
              f"(after COMMIT returned: median {statistics.median(waits) * 1000:.1f} ms)".replace(".", ","), flush=True)
