"""Validation rules of an import, each a plain function of the resolved values.

A rule takes the frame built by `etl.write.reports` (one row per value: kode_desa, periode, kode_indikator,
laki_laki, perempuan, jumlah, with sheet/baris/kolom of the source cell and `_file`, the index of the
file among those imported together) and returns issues, each tagged with its file;
rules that settle a value return the frame too. Whether a count is a whole number ≥ 0 is decided
cell by cell in `etl.read.cells.parse_count`; whether a desa lies in the stated kecamatan, in
`etl.resolve.match.Gazetteer.match_desa`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from common import fmt

JUMP_MIN_MONTHS = 6  # history needed before a jump is judged
JUMP_FACTOR = 4.0  # robust z-score beyond which a value is flagged
JUMP_MIN_ABS = 5  # and at least this far from the median in people


@dataclass
class Issue:
    severity: str  # error | warning
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    suggestion: str | None = None
    file: int = field(default=0, repr=False, compare=False)  # index of the file in its import run
    # what the user may pick to fix it: {"jenis": "desa", "kode_kecamatan", "nama" (as written), "kandidat": [[kode, label]]}
    choices: dict | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Issues are often built from DataFrame rows, where a CSV's missing sheet arrives as NaN, not None.
        if not isinstance(self.sheet, str) and pd.isna(self.sheet):
            self.sheet = None
        if not isinstance(self.column, str) and pd.isna(self.column):
            self.column = None


class HasIssues:
    """A result with a list of `issues`: its errors and its warnings."""

    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def reconcile_sex(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """L + P must equal Jumlah where all three are given; Jumlah = L + P where it is left empty. A row left empty
    under L, P and Jumlah is 0, 0 and 0 (empty is 0), not a Jumlah without its L and P."""
    issues = []
    frame = frame.copy()
    lp = frame["lp_given"]
    if "l_col" in frame and "p_col" in frame:
        lp = lp | (frame["l_col"].notna() & frame["p_col"].notna() & (frame["jumlah"] == 0) & (frame["laki_laki"] == 0) & (frame["perempuan"] == 0))
    frame.loc[~lp, ["laki_laki", "perempuan"]] = None
    lsum = frame["laki_laki"].fillna(0) + frame["perempuan"].fillna(0)
    fill = lp & ~frame["j_given"]
    frame.loc[fill, "jumlah"] = lsum[fill]
    bad = lp & frame["j_given"] & (lsum != frame["jumlah"])
    for row in frame[bad].rename(columns={"_file": "file"}).itertuples():
        issues.append(Issue(
            "error", row.sheet, row.baris, row.kolom,
            f"L + P = {fmt.angka(row.laki_laki)} + {fmt.angka(row.perempuan)} = {fmt.angka(row.laki_laki + row.perempuan)}, tetapi jumlah tertulis {fmt.angka(row.jumlah)}",
            "perbaiki L, P atau jumlah", row.file,
        ))
    return frame, issues


def duplicates(frame: pd.DataFrame, gazetteer, indicator_names: dict) -> tuple[pd.DataFrame, list[Issue]]:
    """One value per desa x month x indicator: identical repeats are a warning naming both rows (kept once),
    different ones an error. A row repeated whole (every indicator of a recap row) is one warning."""
    keys = ["_file", "kode_desa", "periode", "kode_indikator"]
    dup = frame.duplicated(keys, keep=False)
    if not dup.any():
        return frame, []
    issues = []
    same: dict[tuple, list] = {}  # (file, sheet, desa, month, rows) -> indicators repeated with equal values
    for (index, desa, periode, kode), group in frame[dup].groupby(keys, sort=False):
        rows = group["baris"].tolist()
        first = group.iloc[0]
        if group["jumlah"].nunique() == 1 and group["laki_laki"].nunique(dropna=False) == 1:
            same.setdefault((index, first["sheet"], desa, periode, tuple(rows[:6])), []).append((kode, group["kolom"].iloc[1]))
            continue
        label = f"{gazetteer.label(desa)}, {indicator_names.get(kode, kode)}, {fmt.bulan(periode)}"
        values = " dan ".join(fmt.angka(v) for v in group["jumlah"].tolist()[:4])
        issues.append(Issue("error", first["sheet"], int(rows[1]), group["kolom"].iloc[1],
                            f"{label} tertulis lebih dari sekali dengan nilai berbeda ({values}; baris {_rows(rows)})", "hapus salah satu baris", index))
    for (index, sheet, desa, periode, rows), codes in same.items():
        names = ", ".join(indicator_names.get(k, k) for k, _ in codes[:3]) + (f" dan {len(codes) - 3} jenis lain" if len(codes) > 3 else "")
        column = codes[0][1] if len(codes) == 1 else None
        issues.append(Issue("warning", sheet, int(rows[1]), column,
                            f"{gazetteer.label(desa)}, {names}, {fmt.bulan(periode)} tertulis dua kali dengan nilai sama "
                            f"(baris {_rows(rows)}); dihitung sekali", "hapus baris rangkap", index))
    return frame.drop_duplicates(keys, keep="first"), issues


def _rows(rows: list) -> str:
    numbers = [str(r) for r in rows]
    return ", ".join(numbers[:-1]) + " dan " + numbers[-1] if len(numbers) > 1 else numbers[0]


def future_month(frame: pd.DataFrame, today: date) -> list[Issue]:
    """A report cannot be for a month that has not begun."""
    current = today.replace(day=1)
    issues = []
    known = frame[frame["periode"].notna()]  # a file without a month is already refused
    for (index, periode), group in known[known["periode"] > current].groupby(["_file", "periode"]):
        first = group.iloc[0]
        issues.append(Issue("error", first["sheet"], int(first["baris"]), None,
                            f"bulan laporan {fmt.bulan(periode)} belum tiba (hari ini {fmt.tanggal(today)})", "periksa tahun dan bulan laporan", index))
    return issues


def all_zero(frame: pd.DataFrame, gazetteer) -> list[Issue]:
    """A report where every count is zero is kept (it is a report) but flagged for a check with the PSM."""
    totals = frame.groupby(["_file", "kode_desa", "periode"], sort=True).agg(jumlah=("jumlah", "sum"), sheet=("sheet", "first"), baris=("baris", "min"))
    return [
        Issue("warning", row.sheet, int(row.baris), None, f"semua nilai laporan {gazetteer.label(desa)} {fmt.bulan(periode)} nol; pastikan dengan PSM", None, index)
        for (index, desa, periode), row in totals[totals["jumlah"] == 0].iterrows()
    ]


def claimed_in_run(frame: pd.DataFrame, claimed: dict, names: list[str], gazetteer) -> list[Issue]:
    """Two files of one import must not both report the same desa and month: the first one keeps it.

    `claimed` holds desa x months already taken by files checked earlier in the run, {(kode_desa, periode): name}.
    """
    issues = []
    firsts = frame.groupby(["kode_desa", "periode", "_file"], sort=True).agg(sheet=("sheet", "first"), baris=("baris", "min")).reset_index()
    firsts = firsts.rename(columns={"_file": "file"})
    owner = firsts.groupby(["kode_desa", "periode"])["file"].transform("min").to_numpy()
    taken = [claimed.get(key) for key in zip(firsts["kode_desa"], firsts["periode"])] if claimed else [None] * len(firsts)
    clash = (firsts["file"].to_numpy() != owner) | np.array([t is not None for t in taken], dtype=bool)
    for i in np.flatnonzero(clash):  # only the reports that clash are looked at one by one
        row = firsts.iloc[i]
        other = taken[i] or names[owner[i]]
        if other:
            issues.append(Issue("error", row.sheet, int(row.baris), None,
                                f"laporan {gazetteer.label(row.kode_desa)} {fmt.bulan(row.periode)} juga ada di berkas '{other}' dalam impor ini",
                                "impor salah satu saja", row.file))
    return issues


def robust_jumps(values: pd.DataFrame) -> pd.Series:
    """True where `jumlah` is far from the desa's own history (columns n, median, mad).

    Counts are small, so the scale is the larger of 1,4826 x MAD, the Poisson spread sqrt(median) and 1.
    """
    scale = pd.concat([1.4826 * values["mad"], values["median"].clip(lower=0) ** 0.5], axis=1).max(axis=1).clip(lower=1.0)
    distance = (values["jumlah"] - values["median"]).abs()
    return (values["n"] >= JUMP_MIN_MONTHS) & (distance > JUMP_FACTOR * scale) & (distance >= JUMP_MIN_ABS)


def is_jump(jumlah: int, n: int, median: float, mad: float) -> bool:
    """`robust_jumps` for one value (a web form's row)."""
    frame = pd.DataFrame({"jumlah": [jumlah], "n": [n], "median": [median], "mad": [mad]})
    return bool(robust_jumps(frame).iloc[0])


def history_jumps(frame: pd.DataFrame, con: duckdb.DuckDBPyConnection, gazetteer, indicator_names: dict) -> list[Issue]:
    """Warn about values that jump far from the same desa and indicator in the 24 months before."""
    keys = frame[["_file", "kode_desa", "periode", "kode_indikator", "jumlah", "sheet", "baris", "kolom"]].reset_index(drop=True)
    con.register("_new", keys[["kode_desa", "periode", "kode_indikator"]].assign(nomor=range(len(keys))))
    # median and median absolute deviation of each value's history, in SQL both stores read alike
    stats = con.execute("""
        with h as (
            select k.nomor, n.jumlah from _new k
            join laporan l on l.kode_desa = k.kode_desa and l.aktif and l.periode < k.periode
                 and l.periode >= k.periode - interval '24 months'
            join laporan_nilai n on n.laporan_id = l.id and n.kode_indikator = k.kode_indikator
        ), m as (
            select nomor, count(*) as n, percentile_cont(0.5) within group (order by jumlah) as median from h group by 1
        )
        select m.nomor, m.n, m.median, percentile_cont(0.5) within group (order by abs(h.jumlah - m.median)) as mad
        from h join m on m.nomor = h.nomor group by 1, 2, 3
    """).df()
    con.unregister("_new")
    if stats.empty:
        return []
    stats = keys.rename(columns={"_file": "file"}).iloc[stats["nomor"].to_numpy()].reset_index(drop=True).join(stats[["n", "median", "mad"]])
    flagged = stats[robust_jumps(stats)]
    return [
        Issue("warning", row.sheet, int(row.baris), row.kolom,
              f"{gazetteer.names[row.kode_desa]}, {indicator_names.get(row.kode_indikator)}: {fmt.angka(row.jumlah)} jauh dari riwayat desa "
              f"(median {fmt.angka(row.median, 0 if float(row.median).is_integer() else 1)} dalam {row.n} bulan sebelumnya)", "pastikan angka ini dengan PSM", row.file)
        for row in flagged.itertuples()
    ]
