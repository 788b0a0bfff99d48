"""What every query shares: the connection type, the Selection of area and indicators, and filter helpers (by
indicator rows, or by the report mart's per-indicator columns)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from common.indicators import COLUMNS

Con = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Selection:
    """What the user filtered: area by code prefix ('' = all), indicators (empty = all active)."""

    area: str = ""
    indikator: tuple[str, ...] = ()


def _ind_filter(sel: Selection, alias: str = "a") -> tuple[str, list]:
    if sel.indikator:
        return f" and {alias}.kode_indikator in (select unnest(?::varchar[]))", [list(sel.indikator)]
    return f" and {alias}.kode_indikator in (select kode from indikator where aktif)", []


def selection_total(con: Con, sel: Selection) -> str | None:
    """SQL of an `agregat_laporan` row's total over the selected indicators (every active one when none is chosen),
    from its per-indicator columns (migration 0027): `jumlah` when the selection is every indicator, the chosen
    columns added, or `jumlah` less the others when fewer of those are left out. None when a chosen indicator has no
    column of its own (added to the catalogue after 0027): its per-indicator rows (`agregat_bulanan`) answer then.
    A value's indicator is always one of the catalogue (the ETL resolves every one to it)."""
    catalogue = dict(con.execute("select kode, aktif from indikator").fetchall())
    chosen = set(sel.indikator) & catalogue.keys() if sel.indikator else {k for k, aktif in catalogue.items() if aktif}
    left_out = catalogue.keys() - chosen
    if not left_out:
        return "jumlah"
    if not chosen:
        return "cast(0 as bigint)"
    if not chosen <= COLUMNS.keys():
        return None
    if len(left_out) < len(chosen) and left_out <= COLUMNS.keys():
        return "(jumlah - " + " - ".join(COLUMNS[k] for k in sorted(left_out)) + ")"
    return "(" + " + ".join(COLUMNS[k] for k in sorted(chosen)) + ")"
