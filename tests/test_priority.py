"""The priority index, the shrinkage of small-population rates and the suppression of small counts, on small
tables checked by hand (and, for suppression, against an exhaustive search of every table the published numbers
allow)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from dashboard import priority
from dashboard.suppress import PRIMARY, SECONDARY, exposed, suppress, suppress_series

# --- shrinkage ---------------------------------------------------------------------------------------------

def test_shrinkage_matches_marshall_by_hand():
    # one kecamatan, three desa: b = 62/3100 = 0,02; s2 = (100*0 + 1000*0,01^2 + 2000*0,005^2)/3100 = 0,15/3100;
    # a = 0,15/3100 - 0,02/(3100/3) = 0,09/3100; w_i = a/(a + b/P_i) = 0,09/(0,09 + 62/P_i)
    df = pd.DataFrame({"jumlah": [2, 10, 50], "penduduk": [100, 1000, 2000], "induk": ["k"] * 3})
    out = priority.shrink(df)
    assert out["laju_induk"].tolist() == pytest.approx([0.02] * 3)
    assert out["bobot"].tolist() == pytest.approx([0.09 / 0.71, 0.09 / 0.152, 0.09 / 0.121])
    assert out["laju_susut"].tolist() == pytest.approx([0.02, 0.02 - 0.01 * 0.09 / 0.152, 0.02 + 0.005 * 0.09 / 0.121])
    assert out["laju"].tolist() == pytest.approx([0.02, 0.01, 0.025])


def test_small_population_is_pulled_harder_toward_its_kecamatan():
    # same raw rate (2%) in a desa of 150 and one of 15.000; the kecamatan's rate is lower
    df = pd.DataFrame({"jumlah": [3, 300, 100, 40], "penduduk": [150, 15000, 10000, 4000], "induk": ["k"] * 4})
    out = priority.shrink(df)
    b = out["laju_induk"].iloc[0]
    assert b == pytest.approx(443 / 29150)
    assert out["laju"].iloc[0] == out["laju"].iloc[1] == pytest.approx(0.02)
    small, large = out["laju_susut"].iloc[0], out["laju_susut"].iloc[1]
    assert b < small < large < 0.02
    assert out["bobot"].iloc[0] < out["bobot"].iloc[1]


def test_no_variation_beyond_chance_gives_the_kecamatan_rate_and_parents_stay_apart():
    # a <= 0 (the desa differ less than Poisson noise would make them): every desa gets its kecamatan's rate
    df = pd.DataFrame({"jumlah": [1, 30, 5, 50, np.nan], "penduduk": [100, 10000, 500, 4000, 800], "induk": ["a", "a", "b", "b", "b"]})
    out = priority.shrink(df)
    assert out["laju_susut"].iloc[:2].tolist() == pytest.approx([31 / 10100] * 2)
    assert out["laju_susut"].iloc[2:4].tolist() == pytest.approx([55 / 4500] * 2)
    assert np.isnan(out["laju_susut"].iloc[4])  # did not report: no rate, and it does not count in its kecamatan


# --- index -------------------------------------------------------------------------------------------------

def test_index_is_the_weighted_mean_of_min_max_scores():
    rates = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [30.0, 20.0, 10.0]}, index=["a", "b", "c"])
    out = priority.composite(rates, {"x": 2, "y": 1})
    # scores x: 0, 50, 100; y: 100, 50, 0
    assert out["indeks"].tolist() == pytest.approx([100 / 3, 50, 200 / 3])
    assert out["peringkat"].tolist() == [3, 2, 1]
    assert out["utama"].tolist() == ["y", "x", "x"]  # a: only y scores; b: 2*50 > 1*50; c: only x
    flipped = priority.composite(rates, {"x": 1, "y": 2})
    assert flipped["peringkat"].tolist() == [1, 2, 3]
    only_y = priority.composite(rates, {"x": 0, "y": 1})
    assert only_y["indeks"].tolist() == pytest.approx([100, 50, 0])


def test_quintiles_rank_ties_and_missing_rates():
    rates = pd.DataFrame({"x": [10, 9, 8, 7, 6, 5, 4, 3, 2, 2, np.nan]}, index=list("abcdefghijk"), dtype=float)
    out = priority.composite(rates, {"x": 1})
    assert out["peringkat"].tolist()[:10] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
    assert out["kuintil"].tolist()[:10] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert pd.isna(out["indeks"].iloc[10]) and pd.isna(out["peringkat"].iloc[10]) and pd.isna(out["kuintil"].iloc[10])


def test_index_needs_a_positive_weight():
    with pytest.raises(ValueError, match="bobot"):
        priority.composite(pd.DataFrame({"x": [1.0]}), {"x": 0})


def test_priority_table_from_counts_ranks_by_shrunk_rates():
    counts = pd.DataFrame({
        "kode": ["d1", "d1", "d2", "d2", "d3", "d3"],
        "nama": ["Satu", "Satu", "Dua", "Dua", "Tiga", "Tiga"],
        "induk": ["k"] * 6,
        "penduduk": [1000, 1000, 2000, 2000, 500, 500],
        "kelompok": ["anak", "lansia"] * 3,
        "jumlah": [10, 5, 10, 40, np.nan, np.nan],
    })
    out = priority.priority_table(counts, {"anak": 1, "lansia": 1}, shrinkage=False)
    # raw per 1.000: anak 10, 5; lansia 5, 20 -> scores (100, 0), (0, 100): a tie, both index 50
    assert out["kode"].tolist() == ["d2", "d1", "d3"] or out["kode"].tolist() == ["d1", "d2", "d3"]
    assert out["indeks"].iloc[:2].tolist() == pytest.approx([50, 50])
    assert out.loc[out["kode"] == "d1", "laju:anak"].item() == pytest.approx(10)
    assert pd.isna(out["indeks"].iloc[2])
    heavier = priority.priority_table(counts, {"anak": 3, "lansia": 1}, shrinkage=False)
    assert heavier["kode"].tolist() == ["d1", "d2", "d3"]
    assert bool(heavier.loc[heavier["kode"] == "d3", "kecil"].item())


def test_kecamatan_rates_are_over_the_desa_that_reported():
    counts = pd.DataFrame({
        "kode": ["a1", "a2", "b1"], "nama": ["A1", "A2", "B1"], "kode_kecamatan": ["ka", "ka", "kb"],
        "kecamatan": ["A", "A", "B"], "kelompok": ["anak"] * 3, "laporan": [1, 0, 1], "jumlah": [6, np.nan, 2],
        "penduduk": [1000, 3000, 500], "perkiraan": [False, False, True],
    })
    out = priority.areas(counts, "kecamatan").set_index("kode")
    assert out.loc["ka", "jumlah"] == 6 and out.loc["ka", "penduduk"] == 1000  # not 4000: A2 did not report
    assert out.loc["ka", "laporan"] == 1 and out.loc["ka", "desa"] == 2
    assert bool(out.loc["kb", "perkiraan"])


# --- suppression ---------------------------------------------------------------------------------------------

def _feasible_values(sup) -> dict:
    """Every value each hidden number can take in some table of non-negative whole numbers that agrees with what
    is published (shown cells, shown totals, and '<t' meaning 1 .. t-1), by exhaustive search: cells are filled
    in row by row and a row is dropped as soon as it contradicts its published total."""
    v = sup.values.to_numpy()
    n_rows, n_cols = v.shape
    t = sup.threshold
    cap = int(v.sum())  # generous: an attacker does not know a hidden grand total, but no cell exceeds it here

    def fits(status, original, value):
        return value == original if status == "" else (1 <= value < t if status == PRIMARY else True)

    def row_options(i):
        hidden = [j for j in range(n_cols) if sup.cells.iat[i, j]]
        ranges = [range(1, t) if sup.cells.iat[i, j] == PRIMARY else range(cap + 1) for j in hidden]
        for combo in itertools.product(*ranges):
            row = v[i].copy()
            row[hidden] = combo
            if sup.rows is None or fits(sup.rows.iat[i], v[i].sum(), row.sum()):
                yield row

    options = [list(row_options(i)) for i in range(n_rows)]
    seen: dict = {}
    for rows in itertools.product(*options):
        w = np.array(rows)
        if sup.cols is not None and not all(fits(sup.cols.iat[j], v[:, j].sum(), w[:, j].sum()) for j in range(n_cols)):
            continue
        if sup.grand is not None and not fits(sup.grand, v.sum(), w.sum()):
            continue
        for i, j in zip(*np.nonzero(sup.cells.to_numpy() != "")):
            seen.setdefault((int(i), int(j)), set()).add(int(w[i, j]))
        for i in range(n_rows):
            if sup.rows is not None and sup.rows.iat[i]:
                seen.setdefault(("baris", i), set()).add(int(w[i].sum()))
        for j in range(n_cols):
            if sup.cols is not None and sup.cols.iat[j]:
                seen.setdefault(("kolom", j), set()).add(int(w[:, j].sum()))
    return seen


TABLES = [
    [[1, 5, 7], [4, 0, 9], [6, 8, 2]],
    [[2, 0], [0, 10]],
    [[1, 3, 0], [0, 4, 5]],
    [[3, 4, 1], [5, 6, 7]],
    [[0, 2, 6], [7, 0, 0], [4, 4, 1]],
]


@pytest.mark.parametrize("rows", TABLES)
def test_no_suppressed_value_can_be_derived_from_the_totals(rows):
    table = pd.DataFrame(rows, index=[f"desa{i}" for i in range(len(rows))], columns=[f"ind{j}" for j in range(len(rows[0]))])
    sup = suppress(table, threshold=3)
    v = table.to_numpy()
    assert ((sup.cells == PRIMARY).to_numpy() == ((v > 0) & (v < 3))).all()  # exactly the small counts are primary
    assert not exposed(sup)
    feasible = _feasible_values(sup)
    assert any(sup.cells.to_numpy().ravel() != "")
    for key, values in feasible.items():
        assert len(values) >= 2, f"{key} is determined by the published totals: {values}"
    shown = sup.display()
    assert shown.loc["Jumlah", "Jumlah"] in (int(v.sum()), "x", "<3")
    for i, j in zip(*np.nonzero((v > 0) & (v < 3))):
        assert shown.iat[i, j] == "<3"


@pytest.mark.parametrize("seed", range(20))
def test_random_small_tables_stay_protected(seed):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(rng.integers(0, 6, size=(3, 3)))
    sup = suppress(table)
    assert not exposed(sup)
    for key, values in _feasible_values(sup).items():
        assert len(values) >= 2, f"{table.to_numpy().tolist()}: {key} is determined: {values}"


def test_the_auditor_finds_a_lone_hidden_cell():
    table = pd.DataFrame([[1, 5], [4, 6]], columns=["a", "b"])
    sup = suppress(table)
    naive = sup.__class__(sup.values, 3, sup.cells.where(sup.cells == PRIMARY, ""), sup.rows.copy(), sup.cols.copy(), sup.grand)
    assert exposed(naive) == [("sel", 0, 0)]  # 1 = row total 6 - 5: the primary alone is no protection
    assert len(_feasible_values(naive)[(0, 0)]) == 1
    assert not exposed(sup) and (sup.cells == SECONDARY).to_numpy().sum() == 3


def test_a_one_way_table_with_its_total():
    sup = suppress_series(pd.Series([1, 10, 20, 0], index=list("abcd")))
    shown = sup.display()
    assert shown.iloc[:, 0].tolist() == ["<3", "x", 20, 0, 31]
    sup = suppress_series(pd.Series([1, 2, 20, 0], index=list("abcd")))
    assert sup.display().iloc[:, 0].tolist() == ["<3", "<3", 20, 0, 23]  # 1 + 2 = 3 is also 2 + 1: safe
    sup = suppress_series(pd.Series([1, 1, 20, 0], index=list("abcd")))
    assert not exposed(sup) and sup.display().iloc[2, 0] == "x"  # 1 + 1 = 2 would tell both: a third is hidden


def test_nothing_small_nothing_hidden():
    table = pd.DataFrame([[0, 5], [4, 6]])
    sup = suppress(table)
    assert sup.hidden == 0 and sup.display().to_numpy().tolist() == [[0, 5, 5], [4, 6, 10], [4, 11, 15]]
