"""Moving a warehouse from the embedded DuckDB file to PostgreSQL (`python -m etl to-postgres URL`, issue 23): every
table, row for row, into an empty PostgreSQL database prepared by its migrations, in one transaction. Used by
deployments that grow from one machine to several, and by the benchmarks (bench/bench_dashboard.py --postgres)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import duckdb

from common.errors import PMKSError
from store.schema import migrate
from store.sqltext import ident, idents, literal

SKIP = {"_migrations"}  # each backend records its own migrations


def copy_to_postgres(source: Path, store, progress=None) -> dict[str, int]:
    """Copy every table of the DuckDB warehouse `source` into the (empty) PostgreSQL `store`; returns rows per table.
    Refused (PMKSError) when the target already holds reports or users."""
    migrate(store)
    with store.read() as con:
        held = con.execute("select (select count(*) from laporan) + (select count(*) from pengguna) + (select count(*) from wilayah)").fetchone()[0]
    if held:
        raise PMKSError(f"Basis data {store.label} sudah berisi data; salin hanya ke basis data PostgreSQL yang masih kosong.")
    src = duckdb.connect(str(source), read_only=True)
    counts: dict[str, int] = {}
    try:
        tables = [r[0] for r in src.execute("select table_name from information_schema.tables where table_type = 'BASE TABLE' "
                                            "and table_schema = 'main' order by 1").fetchall() if r[0] not in SKIP]
        with store.transaction(bump=("data", "akun")) as con, tempfile.TemporaryDirectory(prefix="pmks_pindah_") as folder:
            raw = con.raw
            target = {r[0] for r in raw.execute("select table_name from information_schema.tables where table_schema = 'public'").fetchall()}
            for table in tables:
                if table not in target:
                    raise PMKSError(f"Tabel {table} tidak ada di PostgreSQL; jalankan versi aplikasi yang sama di kedua tempat.")
                start = time.perf_counter()
                counts[table] = _copy_table(src, raw, table, Path(folder) / f"{table}.csv")
                if progress:
                    progress(table, counts[table], time.perf_counter() - start)
            for sequence, table, column in (("seq_batch", "impor_batch", "id"), ("seq_laporan", "laporan", "id"),
                                            ("seq_audit", "audit", "id"), ("seq_penduduk_desa", "penduduk_desa", "id")):
                raw.execute(f"select setval({literal(sequence)}, greatest((select coalesce(max({ident(column)}), 0) from {ident(table)}), 1))")
            # every copy of every app process reads everything again (the change log starts after this write)
            raw.execute("update _versi set nilai = (select nilai from _versi where kunci = 'audit') where kunci = 'log_awal'")
            raw.execute("delete from _log_ubah")
            raw.execute("analyze")  # the planner's statistics of the tables just filled
    finally:
        src.close()
    return counts


def _copy_table(src: duckdb.DuckDBPyConnection, raw, table: str, scratch: Path) -> int:
    columns = src.execute("select column_name, data_type from information_schema.columns where table_name = ? and table_schema = 'main' "
                          "order by ordinal_position", [table]).fetchall()
    if table == "_versi":  # the counters continue from the file's values
        rows = src.execute("select kunci, nilai from _versi").fetchall()
        for key, value in rows:
            raw.execute("insert into _versi values (%s, %s) on conflict (kunci) do update set nilai = greatest(_versi.nilai, excluded.nilai) + 1",
                        [key, value])  # never back to a version a page cache may remember
        return len(rows)
    exprs = ", ".join(f"'\\x' || lower(hex({c}))" if kind == "BLOB" else c for c, kind in columns)
    src.execute(f"copy (select {exprs} from {ident(table)}) to {literal(str(scratch))} (format csv, header false, force_quote *)")
    names = idents(c for c, _ in columns)
    raw.execute(f"alter table {ident(table)} disable trigger user")  # the change log is reset below: no entry per row
    with raw.cursor().copy(f"copy {ident(table)} ({names}) from stdin (format csv)") as copy, scratch.open("rb") as fh:
        while block := fh.read(8 << 20):
            copy.write(block)
    raw.execute(f"alter table {ident(table)} enable trigger user")
    scratch.unlink()
    return raw.execute(f"select count(*) from {ident(table)}").fetchone()[0]
