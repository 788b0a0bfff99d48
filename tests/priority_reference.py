"""An independent computation of the priority list, straight from the facts (pmks_counts, penduduk_desa), written
without dashboard.priority or dashboard.queries, for tests to compare the page and the PDF against."""

from __future__ import annotations

import os

import duckdb


def desa_ranking(db, periode: str, weights: dict[str, float], shrinkage: bool = True) -> list[tuple[str, float]]:
    """[(kode_desa, index)] best first, for desa that reported in `periode` ('2026-10-01'); `db` is a warehouse file
    or an open connection."""
    own = isinstance(db, (str, os.PathLike))
    con = duckdb.connect(str(db), read_only=True) if own else db
    rows = con.execute(
        """
        with rep as (select distinct kode_desa from laporan where aktif and periode = ?::date),
        grp as (select distinct kelompok from indikator where aktif),
        cnt as (select c.kode_desa, i.kelompok, sum(c.jumlah) as n from pmks_counts c join indikator i on i.kode = c.kode_indikator
                where c.periode = ?::date and i.aktif group by all),
        pop as (select kode_wilayah, coalesce(arg_max(jumlah, acuan) filter (acuan <= last_day(?::date)), arg_min(jumlah, acuan)) as p
                from penduduk_desa where aktif group by 1)
        select r.kode_desa, left(r.kode_desa, 8), g.kelompok, coalesce(cnt.n, 0), pop.p
        from rep r cross join grp g left join cnt on cnt.kode_desa = r.kode_desa and cnt.kelompok = g.kelompok
        join pop on pop.kode_wilayah = r.kode_desa
        """,
        [periode, periode, periode],
    ).fetchall()
    if own:
        con.close()
    data: dict[str, dict[str, tuple[str, float, float]]] = {}
    for desa, kec, group, n, p in rows:
        data.setdefault(group, {})[desa] = (kec, float(n), float(p))
    score: dict[str, dict[str, float]] = {}
    for group, per_desa in data.items():
        rates = {}
        for kec in {k for k, _, _ in per_desa.values()}:
            members = [(d, n, p) for d, (k, n, p) in per_desa.items() if k == kec]
            n_sum, p_sum = sum(n for _, n, _ in members), sum(p for _, _, p in members)
            b = n_sum / p_sum
            s2 = sum(p * (n / p - b) ** 2 for _, n, p in members) / p_sum
            a = max(0.0, s2 - b / (p_sum / len(members)))
            for d, n, p in members:
                w = 1.0 if b == 0 else a / (a + b / p)
                rates[d] = (b + w * (n / p - b)) if shrinkage else n / p
        lo, hi = min(rates.values()), max(rates.values())
        score[group] = {d: (r - lo) / (hi - lo) * 100 if hi > lo else 0.0 for d, r in rates.items()}
    used = [g for g in score if weights.get(g, 0) > 0]
    total = sum(weights[g] for g in used)
    index = {d: sum(weights[g] * score[g][d] for g in used) / total for d in score[used[0]]}
    return sorted(index.items(), key=lambda kv: (-kv[1], kv[0]))

