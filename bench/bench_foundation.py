"""Benchmark: time and peak memory of `etl init`, `etl boundaries` and `etl demo` for a kabupaten.

Each step runs as its own process (as a user runs it), repeated; the table shows median wall time and the
median peak resident memory of the child. Baseline in the same run: `python -c "import duckdb"` start-up.
Usage: python bench/bench_foundation.py [--repeat 3] [--kabupaten 35.23] [--source ../shared/reference/raw]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(args: list[str], env: dict) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, _, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, None):
        raise SystemExit(f"failed: {' '.join(args)}: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--kabupaten", default="35.23")
    ap.add_argument("--source", default=str(REPO.parent / "shared" / "reference" / "raw"))
    ap.add_argument("--months", type=int, default=24)
    args = ap.parse_args()
    steps = {
        "baseline: python -c 'import duckdb'": [sys.executable, "-c", "import duckdb"],
        "init": [sys.executable, "-m", "etl", "init", "--kabupaten", args.kabupaten],
        "boundaries --download": [sys.executable, "-m", "etl", "boundaries", "--download", "--source", args.source],
        f"demo --months {args.months}": [sys.executable, "-m", "etl", "demo", "--months", str(args.months)],
    }
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in steps}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "PMKS_DB": str(Path(tmp) / "bench.duckdb")}
            for name, cmd in steps.items():
                results[name].append(run(cmd, env))
    base = statistics.median(t for t, _ in results[next(iter(steps))])
    print(f"Kabupaten {args.kabupaten}, {args.repeat} runs, {os.cpu_count()} cores")
    print(f"{'step':<38}{'median s':>10}{'x baseline':>12}{'peak RSS MB':>13}")
    for name, values in results.items():
        t = statistics.median(v[0] for v in values)
        m = statistics.median(v[1] for v in values)
        print(f"{name:<38}{t:>10.2f}{t / base:>12.1f}{m:>13.0f}")


if __name__ == "__main__":
    main()
