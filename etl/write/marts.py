"""Pre-aggregated monthly totals (migration 0002): one row per area x month x indicator.

Areas are every desa with an active report (a denormalised copy of the active facts, so no query joins
laporan with laporan_nilai), every kecamatan, kabupaten and provinsi above them, and '' for the whole
warehouse. Desa rows come from the fact tables; each higher level is summed from the level below, so
a refresh after an import touches only the months and areas the import changed. Call inside the
writer's transaction: the marts change together with the facts or not at all. `agregat_laporan` also holds each
indicator's total in a column of its own (migration 0027, `common.indicators`).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from common.areas import LEVELS
from common.indicators import COLUMNS
from store.sqltext import ident, idents, literal

# agregat_laporan's columns after its key: reports, all-zero reports, the total, and the total of each indicator (0027)
REPORT_TOTALS = ["laporan", "semua_nol", "jumlah", *COLUMNS.values()]


def _parent(column: str, length: int) -> str:
    return f"left({column}, {int(length)})" if length else "''"  # column: one of this module's own


def refresh(con: duckdb.DuckDBPyConnection, changed: pd.DataFrame | None = None) -> None:
    """Recompute the marts for the desa x months in `changed` (kode_desa, periode), or everything when None (month by
    month: a nation's 120 million values are never held for one statement)."""
    if changed is None:
        con.execute("delete from agregat_bulanan")
        con.execute("delete from agregat_laporan")
        for (month,) in con.execute("select distinct periode from laporan where aktif order by 1").fetchall():
            _scope(con, f"select distinct kode_desa as kode_wilayah, periode from laporan where aktif and periode = {literal(month)}")
            _fill(con, replace=False)
        return
    con.register("_changed", changed[["kode_desa", "periode"]])
    _scope(con, "select distinct kode_desa as kode_wilayah, cast(periode as date) as periode from _changed")
    con.unregister("_changed")
    _fill(con, replace=True)


def _fill(con: duckdb.DuckDBPyConnection, replace: bool) -> None:
    """(Re)compute the desa rows of the desa x months in `_scope` from the facts, then each level above from the one
    below (`replace`: delete their old rows first). The months of the scope, as constants, let DuckDB skip the row
    groups of every other month."""
    first, last = con.execute("select min(periode), max(periode) from _scope").fetchall()[0]
    if first is None:
        con.execute("drop table _scope")
        return
    if replace:
        _delete_scope(con)
    in_scope = "join _scope s on s.kode_wilayah = l.kode_desa and s.periode = l.periode"
    con.execute(f"""
        insert into agregat_bulanan
        select 'desa', l.kode_desa, l.periode, n.kode_indikator, n.jumlah, n.laki_laki, n.perempuan
        from laporan l {in_scope} join laporan_nilai n on n.laporan_id = l.id
        where l.aktif and l.periode between ? and ?
        order by l.periode, l.kode_desa
    """, [first, last])
    per_report = ", ".join(f"sum(n.jumlah) filter (where n.kode_indikator = {literal(kode)}) as {col}" for kode, col in COLUMNS.items())
    per_desa = ", ".join(f"coalesce(sum({col}), 0)" for col in COLUMNS.values())
    con.execute(f"""
        insert into agregat_laporan (tingkat, kode_wilayah, periode, {idents(REPORT_TOTALS)})
        with t as (
            select l.id, l.kode_desa, l.periode, sum(n.jumlah) as jumlah, {per_report}
            from laporan l {in_scope} left join laporan_nilai n on n.laporan_id = l.id
            where l.aktif and l.periode between ? and ?
            group by 1, 2, 3
        )
        select 'desa', kode_desa, periode, count(*), count(*) filter (where coalesce(jumlah, 0) = 0), coalesce(sum(jumlah), 0), {per_desa}
        from t group by 2, 3 order by 3, 2
    """, [first, last])
    child, sums = "desa", ", ".join(f"sum(a.{col})" for col in REPORT_TOTALS)
    for name, length in LEVELS:
        # one level up: recompute the parents of the areas in scope from all their children of those months
        _scope(con, f"select distinct {_parent('kode_wilayah', length)} as kode_wilayah, periode from _scope")
        if replace:
            _delete_scope(con)
        parent = _parent("a.kode_wilayah", length)
        join = (f"join _scope s on s.kode_wilayah = {parent} and s.periode = a.periode "
                f"where a.tingkat = {literal(child)} and a.periode between ? and ?")
        con.execute(f"""
            insert into agregat_bulanan
            select {literal(name)}, {parent}, a.periode, a.kode_indikator, sum(a.jumlah), sum(a.laki_laki), sum(a.perempuan)
            from agregat_bulanan a {join} group by 2, 3, 4
        """, [first, last])
        con.execute(f"insert into agregat_laporan (tingkat, kode_wilayah, periode, {idents(REPORT_TOTALS)}) "
                    f"select {literal(name)}, {parent}, a.periode, {sums} from agregat_laporan a {join} group by 2, 3", [first, last])
        child = name
    con.execute("drop table _scope")


def _scope(con: duckdb.DuckDBPyConnection, select: str) -> None:
    """The temporary table `_scope` (kode_wilayah, periode) as `select` (which may read the previous `_scope`; no
    parameters: PostgreSQL binds none in CREATE TABLE AS)."""
    con.execute(f"create temp table _scope_baru as {select}")
    con.execute("drop table if exists _scope")
    con.execute("alter table _scope_baru rename to _scope")
    con.execute("analyze _scope")  # PostgreSQL plans the joins below by its size (a few keys: index lookups, not scans)


def _delete_scope(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("agregat_bulanan", "agregat_laporan"):
        con.execute(f"delete from {ident(table)} where (kode_wilayah, periode) in (select kode_wilayah, periode from _scope)")


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    refresh(con, None)
