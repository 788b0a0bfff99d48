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
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_foundation import REPO  # noqa: E402
from common.fmt import BULAN  # noqa: E402
from tests import reportfiles as rf  # noqa: E402


def run(args: list[str], env: dict) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, with the waited-for sandbox worker) and peak RSS in MB of one command.

    CPU time is shown beside wall time because the machine is shared: wall time grows with the load of
    other processes, CPU time much less."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status:
        raise SystemExit(f"failed: {' '.join(args[:4])} …: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


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
        results: dict[str, list[tuple[float, float, float]]] = {k: [] for k in steps}
        load = os.getloadavg()[0]
        for i in range(args.repeat):
            for name, (cmd, _) in steps.items():
                db = tmp / f"run{i}.duckdb"
                shutil.copy(template_db, db)
                results[name].append(run(cmd, {**os.environ, "PMKS_DB": str(db)}))
                db.unlink()
    base = statistics.median(v[0] for v in results[next(iter(steps))])
    print(f"Tuban (328 desa), {args.repeat} runs, {os.cpu_count()} cores, load average {load:.1f} -> {os.getloadavg()[0]:.1f}; medians")
    print(f"{'step':<42}{'wall s':>8}{'CPU s':>8}{'x baseline':>12}{'values/s':>11}{'peak RSS MB':>13}")
    for name, values in results.items():
        t, cpu, m = (statistics.median(v[i] for v in values) for i in range(3))
        n = steps[name][1]
        rate = f"{n / t:>11,.0f}".replace(",", ".") if n else f"{'':>11}"
        print(f"{name:<42}{t:>8.2f}{cpu:>8.2f}{t / base:>12.1f}{rate}{m:>13.0f}")


if __name__ == "__main__":
    main()
