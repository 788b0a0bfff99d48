"""Public release mode, the one place where numbers are masked for tables, charts, maps, exports and the PDF.

Counts from 1 to threshold - 1 are shown as '<threshold'; whatever else would let one be worked out from a row,
column or grand total is hidden too ('x', complementary suppression in `dashboard.suppress`, exactly audited), and
values derived from a hidden count (rates) go with it. Every function here returns its input unchanged when the
threshold is None (release mode off). No Streamlit here.
"""

from __future__ import annotations

import pandas as pd

from dashboard.suppress import suppress, suppress_series

MAX_ROWS = 2000  # a desa x indicator table of a whole kabupaten takes under a second; a province's, minutes


def small(value, threshold: int | None) -> bool:
    """True for a count that release mode hides (1 .. threshold - 1)."""
    if not threshold:
        return False
    return value is not None and value == value and 0 < round(float(value)) < threshold


def label(threshold: int | None) -> str:
    """'<3': what a hidden count shows (only called for a count that `small` hides, so with a threshold)."""
    return f"<{threshold}"


def notice(threshold: int | None) -> str | None:
    """The sentence a page shows while release mode is on."""
    if not threshold:
        return None
    return (f":material/visibility_off: **Mode rilis publik**: jumlah 1–{threshold - 1} ditampilkan sebagai "
            f"<{threshold}; x = disembunyikan agar nilai kecil tidak dapat dihitung dari jumlah baris/kolom.")


def rows(df: pd.DataFrame, threshold: int | None, count: str = "jumlah", derived: tuple[str, ...] = ("per_1000",)) -> pd.DataFrame:
    """A one-way table (one row per area or indicator, its total shown elsewhere): small counts, and whatever else
    would give them away from the total, become missing, as do values derived from them. Column `rilis` says
    '<3', 'x' or ''."""
    out = df.copy()
    out["rilis"] = ""
    if not threshold or out.empty:
        return out
    counts = pd.to_numeric(out[count], errors="coerce").fillna(0).round().astype("int64").reset_index(drop=True)
    sup = suppress_series(counts, threshold, total=True)
    status = sup.cells.iloc[:, 0].to_numpy()
    hidden = status != ""
    out["rilis"] = [sup.label(s, 0) if s else "" for s in status]
    for col in (count, *[c for c in derived if c in out.columns]):
        out[col] = out[col].astype("Float64").mask(hidden)
    return out


def trend(df: pd.DataFrame, threshold: int | None, count: str = "jumlah", parts: tuple[str, ...] = ()) -> pd.DataFrame:
    """A monthly series: months whose count is small become gaps. No sum over the months is shown beside a trend,
    so hiding the small months alone protects them. `parts` are series of a subset drawn beside it (the
    like-for-like total over the desa that always reported): hidden where small, and where what the rest adds
    (count - part) is small, since the difference would give it away."""
    if not threshold:
        return df
    out = df.copy()
    values = pd.to_numeric(out[count], errors="coerce")
    out[count] = values.astype("Float64").mask((values > 0) & (values < threshold))
    for part in parts:
        own = pd.to_numeric(out[part], errors="coerce")
        rest = out[count].astype("Float64") - own
        out[part] = own.astype("Float64").mask(((own > 0) & (own < threshold)) | ((rest > 0) & (rest < threshold)))
    return out


def trend_labels(raw: pd.Series, threshold: int | None) -> list:
    """A monthly series for export: the hidden months say '<threshold' instead of a number."""
    return [label(threshold) if small(v, threshold) else v for v in raw]


def part_labels(masked: pd.Series, raw: pd.Series) -> list:
    """A part series of `trend(..., parts=)` for export: whole numbers, 'x' where release mode hid a value, None where
    there was none."""
    return [None if pd.isna(r) else ("x" if pd.isna(m) else int(m)) for m, r in zip(masked, raw)]


def rises(df: pd.DataFrame, threshold: int | None, before: str = "sebelumnya", now: str = "sekarang",
          change: str = "kenaikan") -> pd.DataFrame:
    """A table of rises from one month to the next: a small value is hidden, and so is the rise, which would give
    it back."""
    if not threshold:
        return df
    flags = {c: (df[c] > 0) & (df[c] < threshold) for c in (before, now)}
    out = df.astype({before: object, now: object, change: object})
    for c, hidden in flags.items():
        out.loc[hidden, c] = label(threshold)
    out.loc[flags[before] | flags[now], change] = "x"
    return out


def table(cells: pd.DataFrame, threshold: int, total_label: str = "Total") -> pd.DataFrame:
    """A two-way table (e.g. desa x indicator) with its row and column totals, suppressed: numbers, '<3' and 'x'."""
    return suppress(cells, threshold).display(total_label=total_label)


def table_labels(cells: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, pd.Series, str]:
    """A two-way table published with its row, column and grand totals, suppressed: '' (shown), '<3' or 'x' for each
    cell, each row total and the grand total (the column totals are shown elsewhere, e.g. on a page)."""
    sup = suppress(cells, threshold)
    assert sup.rows is not None  # both margins are published

    def shown(status) -> str:
        return str(sup.label(status, 0)) if status else ""

    return sup.cells.map(shown), sup.rows.map(shown), shown(sup.grand)


def series_labels(values: pd.Series, threshold: int | None) -> pd.Series:
    """A one-way series with its total (e.g. the indicators of the PDF brief): numbers, '<3' and 'x' by index."""
    if not threshold:
        return values
    return suppress_series(values, threshold, total=True).display().iloc[:, 0]


def rate_or_label(rate, count, threshold: int | None):
    """A rate, or '<3 kasus' when it rests on a small count (the rate would point at people)."""
    return f"{label(threshold)} kasus" if small(count, threshold) else rate
