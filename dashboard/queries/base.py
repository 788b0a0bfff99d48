"""What every query shares: the connection type, the Selection of area and indicators, and filter helpers."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

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
