"""The report mart's per-indicator totals (migration 0027): `agregat_laporan` holds, beside each area x month's total
over every indicator (`jumlah`), its total of each indicator of the Permensos catalogue in a column of its own
(`jumlah_fm`, `jumlah_pd`, …). Its writer (`etl.write.marts`) and its readers (`dashboard.queries`) share this list.

Why columns, not rows: a page that asks about chosen indicators over every desa of a year (the trend's like-for-like
line, the sharpest rises) then reads one row per desa and month and adds two columns, instead of grouping 26 rows
per desa and month (README, *Measured for issue 23*). An indicator added to the catalogue after the migration has no
column until a migration adds it: the queries answer a selection with it from the per-indicator rows instead.
"""

from __future__ import annotations

from store.sqltext import ident

# data/indikator.csv when migration 0027 was written, in its order (tests/test_marts.py keeps them equal)
INDICATORS = ("ABT", "AT", "ABH", "AJ", "ADK", "AKTK", "AMPK", "LUT", "PD", "TS", "GLD", "PGM", "PML", "KM", "BWBLP",
              "ODHA", "NAPZA", "KTR", "KTK", "PMBS", "KBA", "KBS", "PRSE", "FM", "KBSP", "KAT")


def column(kode: str) -> str:
    """The mart column of an indicator's total: 'FM' -> jumlah_fm."""
    return ident(f"jumlah_{kode.lower()}")


COLUMNS = {kode: column(kode) for kode in INDICATORS}
