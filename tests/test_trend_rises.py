"""The 12-month trend's like-for-like line and the sharpest rises, made fast at nation scale (issue 23), answer exactly
what their plain definitions answer: checked against straightforward reference queries over the desa marts, for the
whole warehouse, a kecamatan, chosen indicators and a deactivated one, in several months."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from common.indicators import INDICATORS
from dashboard import queries as q
from tests.test_marts import assert_marts_equal_facts

MONTHS = [date(2026, 10, 1), date(2026, 4, 1), date(2025, 12, 1)]
EXAMPLES = 30


def reference_trend(con, start: date, end: date, sel: q.Selection) -> pd.DataFrame:
    """The like-for-like total by its definition: desa that reported in every month with reports, summed per month."""
    names = list(sel.indikator) or [r[0] for r in con.execute("select kode from indikator where aktif").fetchall()]
    months = [r[0] for r in con.execute("select periode from agregat_laporan where tingkat = 'semua' and periode between ? and ? "
                                        "and laporan > 0 order by 1", [start, end]).fetchall()]
    reports = con.execute("select kode_wilayah, periode from agregat_laporan where tingkat = 'desa' and laporan > 0 "
                          "and starts_with(kode_wilayah, ?)", [sel.area]).df()
    reports = reports[reports["periode"].dt.date.isin(months)]
    counts = reports.groupby("kode_wilayah").size()
    steady = set(counts[counts == len(months)].index)
    values = con.execute("select kode_wilayah, periode, kode_indikator, jumlah from agregat_bulanan where tingkat = 'desa'").df()
    values = values[values["kode_wilayah"].isin(steady) & values["kode_indikator"].isin(names) & values["periode"].dt.date.isin(months)]
    sums = values.groupby(values["periode"].dt.date)["jumlah"].sum()
    return pd.DataFrame({"periode": months, "desa_selalu": len(steady),
                         "sebanding": [float(sums.get(m, 0)) if steady else None for m in months]})


REFERENCE_RISES = """
    with t as (
        select r.kode_wilayah as kode_desa, r.periode, r.semua_nol, coalesce(v.jumlah, 0) as jumlah from agregat_laporan r
        left join (select kode_wilayah, periode, sum(jumlah) as jumlah from agregat_bulanan where tingkat = 'desa'
                   and kode_indikator in (select unnest(?::varchar[])) group by 1, 2) v
          on v.kode_wilayah = r.kode_wilayah and v.periode = r.periode
        where r.tingkat = 'desa' and starts_with(r.kode_wilayah, ?) and r.periode between ? and ? and r.laporan > 0
    ), base as (
        select kode_desa, round(median(jumlah))::bigint as sebelumnya, count(*) as pembanding from (
            select kode_desa, jumlah, row_number() over (partition by kode_desa order by periode desc) as k
            from t where periode < ? and semua_nol = 0 and jumlah > 0
        ) where k <= 3 group by 1
    )
    select t.kode_desa, base.sebelumnya, base.pembanding, t.jumlah as sekarang, t.jumlah - base.sebelumnya as kenaikan
    from t join base using (kode_desa) where t.periode = ? and t.jumlah > base.sebelumnya
    order by kenaikan desc, t.kode_desa limit 10
"""


def selections(con) -> list[q.Selection]:
    kec = con.execute("select min(kode) from wilayah where tingkat = 'kecamatan'").fetchone()[0]
    return [q.Selection(), q.Selection(area=kec), q.Selection(indikator=("FM", "PD")), q.Selection(area=kec, indikator=("LUT",))]


@pytest.mark.parametrize("periode", MONTHS)
def test_like_for_like_line_is_its_definition(mem_con, periode):
    start = date(periode.year - 1, periode.month, 1)
    for sel in selections(mem_con):
        got = q.trend(mem_con, start, periode, sel)
        want = reference_trend(mem_con, start, periode, sel)
        assert list(got["periode"]) == list(want["periode"])
        assert q.always_reporting(got) == want["desa_selalu"].iloc[0]
        assert [None if pd.isna(v) else float(v) for v in got["sebanding"]] == list(want["sebanding"]), sel


@pytest.mark.parametrize("periode", MONTHS)
def test_sharpest_rises_are_their_definition(mem_con, periode):
    since = date(periode.year - 1, periode.month, 1)
    active = [r[0] for r in mem_con.execute("select kode from indikator where aktif").fetchall()]
    for sel in selections(mem_con):
        got = q.sharpest_rises(mem_con, periode, sel)
        want = mem_con.execute(REFERENCE_RISES, [list(sel.indikator) or active, sel.area, since, periode, periode, periode]).fetchall()
        assert [tuple(r) for r in got[["kode", "sebelumnya", "pembanding", "sekarang", "kenaikan"]].itertuples(index=False)] == \
            [tuple(r) for r in want], sel


def test_a_deactivated_indicator_leaves_the_like_for_like_line_and_the_rises(mem_con):
    mem_con.execute("update indikator set aktif = false where kode = 'FM'")
    try:
        periode, start = MONTHS[0], date(2025, 10, 1)
        got = q.trend(mem_con, start, periode, q.Selection())
        want = reference_trend(mem_con, start, periode, q.Selection())
        assert [float(v) for v in got["sebanding"]] == list(want["sebanding"])
        active = [r[0] for r in mem_con.execute("select kode from indikator where aktif").fetchall()]
        rises = q.sharpest_rises(mem_con, periode, q.Selection())
        want_rises = mem_con.execute(REFERENCE_RISES, [active, "", start, periode, periode, periode]).fetchall()
        assert [tuple(r) for r in rises[["kode", "sebelumnya", "pembanding", "sekarang", "kenaikan"]].itertuples(index=False)] == \
            [tuple(r) for r in want_rises]
    finally:
        mem_con.execute("update indikator set aktif = true where kode = 'FM'")


# --- random warehouses (hypothesis): the marts built and refreshed, then both questions against the facts -----------

SMALL = 6  # desa of the random warehouses: the first three of two kecamatan of Tuban
STEPS = [date(2025 + (8 + k) // 12, (8 + k) % 12 + 1, 1) for k in range(15)]  # September 2025 … November 2026
VALUED = ["FM", "PD", "LUT", "ABT", "KAT", "AT"]  # the indicators a random report may carry (and ZZ, see below)
CHOOSABLE = [*VALUED, "KBS", "ODHA", "ZZ", "XX"]  # XX: no such indicator


@pytest.fixture(scope="module")
def small_con():
    """An empty warehouse with Tuban's gazetteer and the catalogue; each example fills laporan and the marts."""
    import duckdb

    from etl.reference.indikator import load_indikator, read_indikator
    from etl.reference.wilayah import load_wilayah, read_wilayah
    from store.schema import migrate_connection, set_setting

    con = duckdb.connect(":memory:")
    migrate_connection(con)
    load_wilayah(con, read_wilayah("35.23"))
    load_indikator(con, read_indikator())
    set_setting(con, "kode_wilayah", "35.23")
    desa = [r[0] for r in con.execute("""
        select kode from (select kode, kode_induk, row_number() over (partition by kode_induk order by kode) as k
                          from wilayah where tingkat = 'desa')
        where k <= 3 and kode_induk in (select kode from wilayah where tingkat = 'kecamatan' order by kode limit 2) order by kode
    """).fetchall()]
    assert len(desa) == SMALL
    con.execute("insert into impor_batch (id, waktu, pengguna, jenis, status, keterangan) values (1, now(), 't', 'demo', 'aktif', 't')")
    yield con, desa
    con.close()


def _fill(con, desa: list[str], world: dict) -> None:
    """The facts of one drawn world, and the marts built from them (the full refresh, then an incremental one after
    later imports replaced some reports and a rollback removed others)."""
    from etl.write.marts import refresh, refresh_all

    for table in ("laporan_nilai", "laporan", "agregat_bulanan", "agregat_laporan"):
        con.execute(f"delete from {table}").fetchall()
    con.execute("delete from indikator where kode = 'ZZ'").fetchall()
    if world["extra"]:  # an indicator added to the catalogue after migration 0027: no column of its own
        con.execute("insert into indikator (kode, nomor, nama, kelompok, definisi, aktif, sumber) values ('ZZ', 27, 'Uji', 'lain', 'uji', true, 'uji')").fetchall()
    con.execute("update indikator set aktif = kode not in (select unnest(?::varchar[]))", [sorted(world["inactive"])]).fetchall()
    reports = {(d, m): world["values"][d * len(STEPS) + m] for d in range(SMALL) for m in range(len(STEPS)) if m not in world["gaps"][d]}
    _insert(con, desa, list(reports.items()), world["extra"], first=1)
    refresh_all(con)
    changes = list(world["changes"].items())
    for (d, m), _ in changes:
        con.execute("update laporan set aktif = false where kode_desa = ? and periode = ?", [desa[d], STEPS[m]]).fetchall()
    _insert(con, desa, [(key, values) for key, values in changes if values is not None], world["extra"], first=1000)
    if changes:
        refresh(con, pd.DataFrame([(desa[d], STEPS[m]) for (d, m), _ in changes], columns=["kode_desa", "periode"]))


def _insert(con, desa: list[str], reports: list, extra: bool, first: int) -> None:
    con.register("_lap", pd.DataFrame([(first + i, desa[d], STEPS[m]) for i, ((d, m), _) in enumerate(reports)], columns=["id", "kode_desa", "periode"]))
    con.register("_nilai", pd.DataFrame([(first + i, kode, jumlah) for i, (_, values) in enumerate(reports) for kode, jumlah in values.items()
                                         if kode != "ZZ" or extra], columns=["laporan_id", "kode_indikator", "jumlah"]))
    con.execute("insert into laporan (id, kode_desa, periode, batch_id, diterima, aktif) select id, kode_desa, periode, 1, now(), true from _lap").fetchall()
    con.execute("insert into laporan_nilai (laporan_id, kode_indikator, jumlah) select laporan_id, kode_indikator, jumlah from _nilai").fetchall()
    con.unregister("_lap")
    con.unregister("_nilai")
    assert con.execute("select count(*) from laporan where id >= ?", [first]).fetchall()[0][0] == len(reports)


def _facts(con, chosen: set[str]) -> dict:
    """Active reports as {(desa, month): (total over every value, total over the chosen indicators)}."""
    rows = con.execute("""
        select l.kode_desa, l.periode, coalesce(sum(n.jumlah), 0),
               coalesce(sum(n.jumlah) filter (where n.kode_indikator in (select unnest(?::varchar[]))), 0)
        from laporan l left join laporan_nilai n on n.laporan_id = l.id where l.aktif group by 1, 2
    """, [sorted(chosen)]).fetchall()
    return {(d, p): (int(a), int(s)) for d, p, a, s in rows}


def naive_trend(facts: dict, start: date, end: date, area: str) -> list[tuple]:
    """(periode, jumlah, laporan, desa_selalu, sebanding) by the definition, in plain Python."""
    months = sorted({p for _, p in facts if start <= p <= end})
    mine = {k: v for k, v in facts.items() if k[0].startswith(area)}
    steady = {d for d, _ in mine if all((d, m) in mine for m in months)}
    out = []
    for m in months:
        here = [v[1] for (d, p), v in mine.items() if p == m]
        out.append((m, float(sum(here)) if here else None, len(here), len(steady),
                    float(sum(mine[(d, m)][1] for d in steady)) if steady else None))
    return out


def naive_rises(facts: dict, periode: date, area: str) -> list[tuple]:
    """(kode, sebelumnya, pembanding, sekarang, kenaikan) by the definition, in plain Python."""
    since = date(periode.year - 1, periode.month, 1)
    mine = {k: v for k, v in facts.items() if k[0].startswith(area) and since <= k[1] <= periode}
    out = []
    for d in sorted({d for d, _ in mine}):
        trusted = sorted(((p, v[1]) for (e, p), v in mine.items() if e == d and p < periode and v[0] != 0 and v[1] > 0), reverse=True)[:3]
        if not trusted or (d, periode) not in mine:
            continue
        values = sorted(v for _, v in trusted)
        before = int((values[(len(values) - 1) // 2] + values[len(values) // 2]) / 2 + 0.5)  # SQL round: half away from zero
        now = mine[(d, periode)][1]
        if now > before:
            out.append((d, before, len(values), now, now - before))
    return sorted(out, key=lambda r: (-r[4], r[0]))[:10]


_values = st.dictionaries(st.sampled_from([*VALUED, "ZZ"]), st.integers(0, 6), max_size=5)
_world = st.fixed_dictionaries({
    "gaps": st.lists(st.sets(st.integers(0, len(STEPS) - 1), max_size=3), min_size=SMALL, max_size=SMALL),
    "values": st.lists(_values, min_size=SMALL * len(STEPS), max_size=SMALL * len(STEPS)),
    "changes": st.dictionaries(st.tuples(st.integers(0, SMALL - 1), st.integers(0, len(STEPS) - 1)), st.none() | _values, max_size=4),
    "inactive": st.sets(st.sampled_from(["FM", "KAT", "ODHA"]), max_size=2),
    "extra": st.booleans(),
})
_question = st.fixed_dictionaries({
    "area": st.sampled_from(["", "35.23", "kecamatan", "desa"]),
    "indikator": st.sampled_from([(), ("FM", "PD"), ("LUT",), ("ZZ",), ("XX",), ("FM", "FM")])
    | st.sets(st.sampled_from(CHOOSABLE)).map(lambda s: tuple(sorted(s)))
    | st.sets(st.sampled_from([*INDICATORS, "ZZ"]), min_size=14).map(lambda s: tuple(sorted(s))),  # more chosen than left out
    "end": st.integers(5, len(STEPS) - 1),
})


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, phases=[Phase.generate],  # no shrinking: ~1 s an example
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(world=_world, questions=st.lists(_question, min_size=1, max_size=4))
def test_trend_and_rises_equal_their_naive_definition_on_random_warehouses(small_con, world, questions):
    """Any reports (gaps, all-zero reports, values of some indicators, an indicator without a column, deactivated
    indicators), built by the full refresh and then refreshed after replacements and removals: the marts equal the
    facts, and the trend (with its like-for-like line) and the sharpest rises equal their definitions computed from
    the facts, for the whole warehouse, the kabupaten, a kecamatan and a desa, any indicators chosen."""
    con, desa = small_con
    _fill(con, desa, world)
    assert_marts_equal_facts(con)
    for question in questions:
        area = {"kecamatan": desa[0][:8], "desa": desa[0]}.get(question["area"], question["area"])
        sel = q.Selection(area=area, indikator=question["indikator"])
        chosen = set(sel.indikator) if sel.indikator else {r[0] for r in con.execute("select kode from indikator where aktif").fetchall()}
        facts = _facts(con, chosen)
        end = STEPS[question["end"]]
        start = STEPS[question["end"] - 11] if question["end"] >= 11 else STEPS[0]
        got = q.trend(con, start, end, sel)
        rows = [(p, None if pd.isna(j) else float(j), int(n), int(k), None if pd.isna(s) else float(s))
                for p, j, n, k, s in got[["periode", "jumlah", "laporan", "desa_selalu", "sebanding"]].itertuples(index=False)]
        assert rows == naive_trend(facts, start, end, area), sel
        assert set(got["desa"]) <= {q.desa_count(con, area)}
        rises = q.sharpest_rises(con, end, sel)
        assert [tuple(r) for r in rises[["kode", "sebelumnya", "pembanding", "sekarang", "kenaikan"]].itertuples(index=False)] == \
            naive_rises(facts, end, area), sel
