"""Benchmark (issue 23): the 12-month trend with its like-for-like line and the sharpest rises, as the pages ask them
now (dashboard.queries) beside the SQL they ran before (issue 21: the line summed over every desa x indicator row;
the rises sorted every desa's year with a window), on the same warehouse in the same run.
Usage: python bench/bench_trend.py [--scale nation] [--months 60] [--repeat 7] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_dashboard import START, fmt, median_ms  # noqa: E402
from bench.synthetic import LAST_MONTH  # noqa: E402
from dashboard import queries as q  # noqa: E402

BEFORE_TREND = """
    with months as (
        select periode from agregat_laporan where tingkat = 'semua' and kode_wilayah = '' and periode between ? and ? and laporan > 0
    ), r as (
        select periode, laporan from agregat_laporan where tingkat = 'semua' and kode_wilayah = '' and periode between ? and ?
    ), t as (
        select a.periode, sum(a.jumlah) as jumlah from agregat_bulanan a
        where a.tingkat = 'semua' and a.kode_wilayah = '' and a.periode between ? and ? and a.kode_indikator in (select kode from indikator where aktif) group by 1
    ), steady as (
        select kode_wilayah from agregat_laporan
        where tingkat = 'desa' and starts_with(kode_wilayah, '') and periode in (select periode from months) and laporan > 0
        group by 1 having count(*) = (select count(*) from months)
    ), s as (
        select a.periode, sum(a.jumlah) as jumlah from agregat_bulanan a
        where a.tingkat = 'desa' and a.kode_wilayah in (select kode_wilayah from steady)
          and a.periode in (select periode from months) and a.kode_indikator in (select kode from indikator where aktif) group by 1
    )
    select m.periode, t.jumlah, r.laporan, (select count(*) from steady), s.jumlah
    from months m left join r using (periode) left join t using (periode) left join s using (periode) order by m.periode
"""
BEFORE_RISES = """
    with t as (
        select kode_wilayah as kode_desa, periode, semua_nol, jumlah from agregat_laporan
        where tingkat = 'desa' and starts_with(kode_wilayah, '') and periode between ? and ? and laporan > 0
    ), base as (
        select kode_desa, round(median(jumlah))::bigint as sebelumnya, count(*) as pembanding from (
            select kode_desa, jumlah, row_number() over (partition by kode_desa order by periode desc) as k
            from t where periode < ? and semua_nol = 0 and jumlah > 0
        ) where k <= 3 group by 1
    )
    select t.kode_desa, base.sebelumnya, base.pembanding, t.jumlah, t.jumlah - base.sebelumnya as kenaikan
    from t join base using (kode_desa) where t.periode = ? and t.jumlah > base.sebelumnya
    order by kenaikan desc, t.kode_desa limit 10
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="nation")
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--cache", default=str(Path(__file__).resolve().parent / ".warehouses"))
    args = ap.parse_args()
    con = duckdb.connect(str(Path(args.cache) / f"{args.scale}_{args.months}.duckdb"), read_only=True)
    p, since = LAST_MONTH, LAST_MONTH.replace(year=LAST_MONTH.year - 1)
    rows = [
        ("trend (12 months), before", lambda: con.execute(BEFORE_TREND, [START, p] * 3).fetchall()),
        ("trend (12 months), now", lambda: q.trend(con, START, p, q.Selection())),
        ("trend (12 months, 2 indicators), now", lambda: q.trend(con, START, p, q.Selection(indikator=("FM", "PD")))),
        ("sharpest_rises, before", lambda: con.execute(BEFORE_RISES, [since, p, p, p]).fetchall()),
        ("sharpest_rises, now", lambda: q.sharpest_rises(con, p, q.Selection())),
        ("sharpest_rises (2 indicators), now", lambda: q.sharpest_rises(con, p, q.Selection(indikator=("FM", "PD")))),
    ]
    print(f"{args.scale}_{args.months}: median of {args.repeat} runs, load average {os.getloadavg()[0]:.1f}".replace(".", ","))
    for name, call in rows:
        print(f"{name:<42}{fmt(median_ms(call, args.repeat)):>9} ms", flush=True)


if __name__ == "__main__":
    main()
