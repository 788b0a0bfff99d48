"""The intervention priority index: rates per 1.000 penduduk per indicator group, small populations shrunk toward
their parent area's rate, and a weighted composite with rank and quintile. Pure pandas; no Streamlit, no SQL.

Method (also explained on the Prioritas Intervensi page and on the cover sheet of the export):

1. **Rate** per group g and area i: r_ig = n_ig / P_i (PMKS counted in the month / penduduk).
2. **Shrinkage** (Marshall 1991, empirical Bayes, method of moments) toward the parent area's rate: within each
   parent (the kecamatan of a desa, the kabupaten of a kecamatan) with areas that reported,
   b = sum(n) / sum(P), s2 = sum(P_i (r_i - b)^2) / sum(P), a = max(0, s2 - b / mean(P)),
   w_i = a / (a + b / P_i), shrunk rate = b + w_i (r_i - b).
   A large population keeps its own rate (w near 1); a small one is pulled toward the parent's rate, more so when
   the areas of the parent do not differ by more than chance would make them.
3. **Score** per group: the shrunk rate scaled to 0-100 between the lowest and highest area (min-max), so that
   groups with large counts (e.g. fakir miskin) do not drown the rare ones.
4. **Index** = sum(w_g * score_g) / sum(w_g) over groups with weight > 0; rank 1 = highest index; quintile 1 = the
   20% of areas with the highest index.

Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes estimators. Journal of the
Royal Statistical Society C, 40(2), 283-294.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_WEIGHT = 1  # every indicator group counts the same until policy staff decide otherwise (weights 0-10)
SMALL_POPULATION = 1000  # penduduk below which a raw rate is flagged as unstable
# Fewer areas than this with a rate in every group are not ranked (views.prioritas.ranking): with one area every score
# is 0 and its 'largest group' is the first by name; quintiles need five.
MIN_COMPARED = 5
QUINTILE_LABEL = {1: "K1 (20% teratas)", 2: "K2", 3: "K3", 4: "K4", 5: "K5 (20% terbawah)"}


def shrink(df: pd.DataFrame, count: str = "jumlah", pop: str = "penduduk", parent: str = "induk") -> pd.DataFrame:
    """Marshall's local empirical Bayes rates for the rows of `df` (one area each), toward their parent's rate.

    Returns a frame on the same index with columns laju (raw, per person), laju_induk (b), bobot (w) and
    laju_susut (shrunk, per person). Rows without count or population get NaN."""
    out = pd.DataFrame(index=df.index, columns=["laju", "laju_induk", "bobot", "laju_susut"], dtype="float64")
    n = pd.to_numeric(df[count], errors="coerce").astype("float64")
    p = pd.to_numeric(df[pop], errors="coerce").astype("float64")
    ok = n.notna() & p.notna() & (p > 0)
    out.loc[ok, "laju"] = n[ok] / p[ok]
    for _, idx in df[ok].groupby(parent, sort=False).groups.items():
        ni, pi = n[idx].to_numpy(), p[idx].to_numpy()
        b = ni.sum() / pi.sum()
        r = ni / pi
        s2 = float((pi * (r - b) ** 2).sum() / pi.sum())
        a = max(0.0, s2 - b / pi.mean())
        w = np.ones_like(r) if b == 0 else a / (a + b / pi)
        out.loc[idx, "laju_induk"] = b
        out.loc[idx, "bobot"] = w
        out.loc[idx, "laju_susut"] = b + w * (r - b)
    return out


def scores(rates: pd.DataFrame) -> pd.DataFrame:
    """Each column scaled to 0-100 between its lowest and highest value (a constant column scores 0)."""
    out = pd.DataFrame(index=rates.index)
    for col in rates.columns:
        v = rates[col].astype("float64")
        span = v.max() - v.min()
        out[col] = (v - v.min()) / span * 100 if span > 0 else v * 0
    return out


def composite(rates: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Priority index of each row of `rates` (areas x groups, per 1.000), with rank, quintile and `utama`, the
    group with the largest weighted score (what puts the area where it is).

    Only groups with a positive weight count; a row with a missing rate in such a group gets no index.
    Raises ValueError when no weight is positive."""
    used = [g for g in rates.columns if weights.get(g, 0) > 0]
    if not used:
        raise ValueError("Setidaknya satu kelompok harus berbobot lebih dari 0.")
    w = pd.Series({g: float(weights[g]) for g in used})
    s = scores(rates[used])
    index = (s * w).sum(axis=1, min_count=len(used)) / w.sum()
    index[s.isna().any(axis=1)] = np.nan
    out = pd.DataFrame({"indeks": index}, index=rates.index)
    contribution = (s * w).fillna(-1)
    # the group that lifts the area most; none when no group does (every score 0: lowest everywhere, or no spread)
    out["utama"] = contribution.idxmax(axis=1).where(index.notna() & (contribution.max(axis=1) > 0))
    out["peringkat"] = out["indeks"].rank(method="min", ascending=False).astype("Int64")
    ranked = int(out["indeks"].notna().sum())
    out["kuintil"] = [pd.NA if pd.isna(r) else 1 + (5 * (int(r) - 1)) // ranked for r in out["peringkat"]]
    out["kuintil"] = out["kuintil"].astype("Int64")
    return out


def priority_table(counts: pd.DataFrame, weights: dict[str, float], shrinkage: bool = True) -> pd.DataFrame:
    """The ranked list from counts per area and group.

    `counts` has one row per area x group: kode, nama, induk (parent code), penduduk, kelompok, jumlah (NaN when the
    area did not report), and any further per-area columns, which are kept. Returns one row per area: kode, nama,
    induk, penduduk, ..., kecil (population below
    SMALL_POPULATION), per group `laju:<g>` (raw per 1.000) and `susut:<g>` (shrunk per 1.000), indeks, peringkat,
    kuintil; sorted by rank, areas without an index last."""
    parts = []
    for g, part in counts.groupby("kelompok", sort=True):
        part = part.set_index("kode")
        sh = shrink(part)
        parts.append(pd.DataFrame({f"laju:{g}": sh["laju"] * 1000, f"susut:{g}": sh["laju_susut"] * 1000}))
    wide = pd.concat(parts, axis=1)
    areas = counts.drop_duplicates("kode").set_index("kode").drop(columns=["kelompok", "jumlah"])
    out = areas.join(wide)
    out["kecil"] = out["penduduk"] < SMALL_POPULATION
    groups = sorted(counts["kelompok"].unique())
    used = out[[f"{'susut' if shrinkage else 'laju'}:{g}" for g in groups]]
    used.columns = groups
    out = out.join(composite(used, weights))
    return out.reset_index().sort_values(["peringkat", "nama"], na_position="last", kind="stable").reset_index(drop=True)


def areas(counts: pd.DataFrame, tingkat: str) -> pd.DataFrame:
    """The desa rows of `queries.priority_counts` as input of `priority_table` at desa or kecamatan level.

    A kecamatan's rate is taken over the desa that reported (their PMKS / their penduduk), so that a kecamatan with
    missing reports is not made to look better off; `laporan` and `desa` say how complete it is."""
    if tingkat == "desa":
        return counts.rename(columns={"kode_kecamatan": "induk"}).assign(desa=1)
    reported = counts[counts["laporan"] > 0]
    per = reported.groupby(["kode_kecamatan", "kelompok"], as_index=False).agg(jumlah=("jumlah", "sum"))
    pop = reported.drop_duplicates("kode").groupby("kode_kecamatan").agg(
        penduduk=("penduduk", lambda s: s.sum() if s.notna().all() else np.nan),
        perkiraan=("perkiraan", "any"), laporan=("kode", "size"),
        **({"sumber_penduduk": ("sumber_penduduk", lambda s: "; ".join(sorted(set(s.dropna()))))} if "sumber_penduduk" in counts else {}))
    names = counts.drop_duplicates("kode").groupby("kode_kecamatan").agg(nama=("kecamatan", "first"), desa=("kode", "size"))
    groups = pd.DataFrame({"kelompok": sorted(counts["kelompok"].unique())})
    out = names.reset_index().merge(groups, how="cross").merge(per, on=["kode_kecamatan", "kelompok"], how="left")
    out = out.merge(pop.reset_index(), on="kode_kecamatan", how="left")
    out["laporan"] = out["laporan"].fillna(0).astype(int)
    out = out.rename(columns={"kode_kecamatan": "kode"})
    out["induk"] = out["kode"].str[:5]
    out["kecamatan"] = out["nama"]
    return out
