"""A stand-in for one app server process in the concurrency tests on PostgreSQL (issue 23): what Unggah Data does for
several analysts of that process, with the process's own store and DuckDB copy.

    python -m tests.app_process URL SPEC.json
SPEC: [[file name, path, replace, user], ...]. The process checks every file on a snapshot and prints `siap`; on a
line `go` it saves them all at once from threads and prints the batch ids as JSON; then, on a line with a version
number, it waits until its copy shows that version (or later) and prints the copy's fingerprint (`fingerprint`) as
JSON: what this process's pages would show. Errors are printed as JSON {"error": ...} and exit 1.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from pathlib import Path

from common.indicators import COLUMNS

MARTS = {
    "agregat_bulanan": "select tingkat, kode_wilayah, periode, kode_indikator, jumlah, laki_laki, perempuan from agregat_bulanan",
    "agregat_laporan": f"select tingkat, kode_wilayah, periode, laporan, semua_nol, jumlah, {', '.join(COLUMNS.values())} from agregat_laporan",
    "laporan": "select id, kode_desa, periode, batch_id, aktif, diganti_batch from laporan",
}


def fingerprint(con) -> dict:
    """Row count and a digest of every mart and of the reports, independent of row order and engine."""
    out = {}
    for name, sql in MARTS.items():
        rows = sorted(tuple("" if v is None else str(v) for v in row) for row in con.execute(sql).fetchall())
        out[name] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()]
    return out


def main() -> int:
    from etl.cli.reports import read_only_check, write_files
    from etl.read.sandbox import SheetReader
    from store import open_store

    url, spec = sys.argv[1], json.loads(Path(sys.argv[2]).read_text())
    store = open_store(url)
    store.follower()  # as an app process: a copy that follows every commit
    with SheetReader(timeout=60) as reader:
        saves = []
        for name, path, replace, user in spec:
            data = Path(path).read_bytes()
            sheets = reader.read(data, name)
            results, snapshot = read_only_check(url, [(name, data, sheets)], reader, replace=replace, user=user)
            saves.append((name, data, sheets, results, snapshot, replace, user))
        print("siap", flush=True)
        if sys.stdin.readline().strip() != "go":
            return 1
        batches: list = [None] * len(saves)
        errors: list = []

        def save(i, name, data, sheets, results, snapshot, replace, user):
            try:
                batches[i] = write_files(url, [(name, data, sheets)], reader, results, snapshot, replace=replace, user=user)[1]
            except Exception as exc:  # noqa: BLE001 - reported to the test
                errors.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=save, args=(i, *s)) for i, s in enumerate(saves)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        print(json.dumps({"batches": batches, "errors": errors}), flush=True)
    line = sys.stdin.readline().strip()
    if line:
        target, deadline = int(line), time.monotonic() + 60
        while store.analytics_versions()["audit"] < target and time.monotonic() < deadline:
            time.sleep(0.02)
        with store.analytics() as con:
            print(json.dumps({"versi": store.analytics_versions()["audit"], "fingerprint": fingerprint(con)}), flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
