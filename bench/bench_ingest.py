"""Benchmark: `python -m etl import` of a month of per-desa forms and of a 100.000-row long CSV.

Files are generated (synthetic counts, real Tuban desa names from the warehouse). Each import runs as
its own process into a fresh copy of an initialised warehouse, repeated; the table shows median wall
time, rows (values) per second and the median peak resident memory of the import process (the parsing
worker is a separate, smaller process). Baselines in the same run: `python -c "import duckdb"` start-up,
and just reading the same files in a fresh process: every form with python-calamine, the CSV with pandas.
Goals (issue 15): 328 forms <= 3 s end to end, 100.000-row CSV <= 2 s.
Usage: python bench/bench_ingest.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_foundation import REPO, run  # noqa: E402
from etl.fmt import BULAN  # noqa: E402
from tests import reportfiles as rf  # noqa: E402


def make_files(db: Path, folder: Path, rows: int) -> tuple[list[str], str, int]:
    con = duckdb.connect(str(db), read_only=True)
    desa = con.execute("select d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa' order by d.kode").fetchall()
    names = [r[0] for r in con.execute("select nama from indikator order by nomor").fetchall()]
    con.close()
    rng = random.Random(1)
    forms = []
    for i, (nama, kec) in enumerate(desa):
        values = {n: (rng.randint(0, 20), rng.randint(0, 20)) for n in names}
        path = folder / f"form_{i:03d}.xlsx"
        path.write_bytes(rf.form_xlsx(nama, kec, "Oktober 2026", values))
        forms.append(str(path))
    records = []
    months = [(2025 + (m + 10) // 12, (m + 10) % 12 + 1) for m in range(24)]
    for year, month in months:
        for nama, kec in desa:
            for n in names:
                records.append({"kecamatan": kec, "desa": nama, "indikator": n, "periode": f"{BULAN[month - 1]} {year}", "jumlah": rng.randint(0, 40)})
                if len(records) == rows:
                    break
            if len(records) == rows:
                break
        if len(records) == rows:
            break
    long_csv = folder / "panjang.csv"
    long_csv.write_bytes(rf.long_csv(records, delimiter=";"))
    return forms, str(long_csv), sum(len(names) for _ in desa)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        template_db = tmp / "init.duckdb"
        env = {**os.environ, "PMKS_DB": str(template_db)}
        subprocess.run([sys.executable, "-m", "etl", "init"], cwd=REPO, env=env, check=True, capture_output=True)
        forms, long_csv, form_values = make_files(template_db, tmp, args.rows)
        read_forms = ("import sys, python_calamine as pc\nfor p in sys.argv[1:]:\n"
                      "    book = pc.CalamineWorkbook.from_path(p)\n    [book.get_sheet_by_name(n).to_python() for n in book.sheet_names]")
        read_csv = "import sys, pandas as pd; pd.read_csv(sys.argv[1], sep=';')"
        steps = {
            "baseline: python -c 'import duckdb'": ([sys.executable, "-c", "import duckdb"], 0),
            f"baseline: calamine reads {len(forms)} forms": ([sys.executable, "-c", read_forms, *forms], form_values),
            "baseline: pandas reads the CSV": ([sys.executable, "-c", read_csv, long_csv], args.rows),
            f"import {len(forms)} forms (1 file each)": ([sys.executable, "-m", "etl", "import", *forms], form_values),
            f"import {len(forms)} forms --dry-run": ([sys.executable, "-m", "etl", "import", "--dry-run", *forms], form_values),
            "import long CSV, " + f"{args.rows:,}".replace(",", ".") + " rows": ([sys.executable, "-m", "etl", "import", long_csv], args.rows),
        }
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in steps}
        for i in range(args.repeat):
            for name, (cmd, _) in steps.items():
                db = tmp / f"run{i}.duckdb"
                shutil.copy(template_db, db)
                results[name].append(run(cmd, {**os.environ, "PMKS_DB": str(db)}))
                db.unlink()
    base = statistics.median(t for t, _ in results[next(iter(steps))])
    print(f"Tuban (328 desa), {args.repeat} runs, {os.cpu_count()} cores; medians")
    print(f"{'step':<42}{'s':>8}{'x baseline':>12}{'values/s':>11}{'peak RSS MB':>13}")
    for name, values in results.items():
        t = statistics.median(v[0] for v in values)
        m = statistics.median(v[1] for v in values)
        n = steps[name][1]
        rate = f"{n / t:>11,.0f}".replace(",", ".") if n else f"{'':>11}"
        print(f"{name:<42}{t:>8.2f}{t / base:>12.1f}{rate}{m:>13.0f}")


if __name__ == "__main__":
    main()
