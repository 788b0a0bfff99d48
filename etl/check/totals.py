"""Totals are evidence: every total a sheet writes is checked against the counts read, never skipped.

A total row (JUMLAH, SUB JUMLAH, JUMLAH KEC. X, a kecamatan or kabupaten total) is compared column by column with
the rows it can sum: the rows since the previous total (a subtotal), every row above it (a grand total), the
subtotals above it (a grand total over subtotals) or the rows below it up to the next total (a subtotal written
above its desa). A total column (JUMLAH beside PMKS types, desa or months) is compared row by row with the counts
beside it (the Jumlah parts when L, P and Jumlah are given). Excel's SUM skips numbers typed as text ('5 orang'),
so a total that equals the sum without them is confirmed too (every count is still read). A total that matches
nothing is an error naming its cell and both numbers. A check whose counts cannot all be read is left to the error on that count.
"""

from __future__ import annotations

from dataclasses import dataclass

from common import fmt
from etl.find.grid import a1, box
from etl.read.cells import parse_count


@dataclass(slots=True)
class Checked:
    """One total cell that was compared: where it stands, what it says, and what the counts add up to."""

    at: tuple[int, int]  # grid cell
    written: int
    ok: bool
    expected: int | None = None
    parts: list | None = None  # grid cells summed (for the message)
    label: str = "JUMLAH"
    text_only: bool = False  # matched only without the numbers typed as text (Excel's SUM)


_CACHE: dict = {}


def count(raw) -> tuple[int | None, bool]:
    """(value, typed as a number) of a cell; value None when it is not a readable count."""
    if raw.__class__ in (int, float):
        number, problem = parse_count(raw)
        return (None if problem else number), True
    try:
        number, problem = _CACHE[raw]
    except KeyError:
        number, problem = _CACHE[raw] = parse_count(raw)
    except TypeError:
        number, problem = parse_count(raw)
    return (None if problem else number), raw is None


def check(grid, at: tuple[int, int], candidates: list[list[tuple[int, int]]], label: str) -> Checked | None:
    """Compare the total at `at` with each candidate list of cells; the first that adds up confirms it."""
    written, _ = count(grid.value(*at))
    if written is None or not candidates or not grid.is_num(*at):
        return None
    first_sum = None
    for cells in candidates:
        if not cells:
            continue
        values = [count(grid.value(r, c)) for r, c in cells]
        if any(v is None for v, _ in values):
            return Checked(at, written, True, None, cells, label)  # a count that cannot be read is reported where it stands
        total = sum(v for v, _ in values if v is not None)  # every v is a count here (None returned above)
        numeric = sum(v for v, typed in values if typed and v is not None)
        if first_sum is None:
            first_sum = (total, cells)
        if total == written:
            return Checked(at, written, True, total, cells, label)
        if numeric == written:
            return Checked(at, written, True, total, cells, label, text_only=True)
    if first_sum is None:
        return None
    return Checked(at, written, False, first_sum[0], first_sum[1], label)


def message(checked: Checked, grid) -> tuple[str, str]:
    """The Indonesian message and suggestion of a total that does not add up."""
    parts = checked.parts or []
    where = box(grid.orig(r, c) for r, c in parts) if parts else ""
    label = checked.label if len(checked.label) <= 40 else checked.label[:37] + "…"
    return (f"'{label}' {a1(*grid.orig(*checked.at))} tertulis {fmt.angka(checked.written)}, tetapi angka yang dijumlahkannya ({where}) "
            f"berjumlah {fmt.angka(checked.expected)}",
            "periksa angka di baris/kolom itu dan totalnya (bila total berisi rumus, buka lalu simpan ulang berkas di Excel agar hasilnya tersimpan)")
