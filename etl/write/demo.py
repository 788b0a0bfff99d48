"""A seeded, synthetic PMKS history for demonstration. Every row it writes is marked `sintetis`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from common.config import DEFAULT_DUE_DAY
from common.errors import PMKSError
from etl.write.load import new_batch, write_reports
from store.schema import set_setting

# Expected cases per 1,000 residents, so that the counts are skewed like real PMKS data:
# many fakir miskin and lansia terlantar, very few korban trafficking.
RATE_PER_1000 = {
    "FM": 45.0, "LUT": 9.0, "PD": 7.0, "PRSE": 4.5, "AT": 2.5, "ADK": 1.8, "KBSP": 1.2, "ABT": 0.7,
    "KTK": 0.5, "PMBS": 0.6, "PML": 0.4, "KBA": 0.8, "BWBLP": 0.3, "NAPZA": 0.25, "ODHA": 0.15,
    "AKTK": 0.15, "AMPK": 0.1, "ABH": 0.1, "AJ": 0.08, "GLD": 0.05, "PGM": 0.08, "TS": 0.03,
    "KM": 0.05, "KBS": 0.02, "KTR": 0.01, "KAT": 0.0,
}  # fmt: skip
SHARE_FEMALE = {"PRSE": 1.0, "TS": 0.9, "LUT": 0.58, "KTK": 0.75, "PMBS": 0.65}
DEMO_USER = "demo"


def last_complete_month(today: date) -> date:
    """The latest month whose reports are due: the previous month once its due day has passed."""
    first = today.replace(day=1)
    prev = (first - timedelta(days=1)).replace(day=1)
    return prev if today.day > DEFAULT_DUE_DAY else (prev - timedelta(days=1)).replace(day=1)


def month_range(end: date, months: int) -> list[date]:
    out = []
    y, m = end.year, end.month
    for _ in range(months):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def build_demo(desa: pd.DataFrame, kec_population: dict[str, int], indicators: list[str], *, seed: int, months: int, today: date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Synthetic (population, reports, values) frames; pure, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    desa = desa.sort_values("kode", ignore_index=True)
    # Desa population: the kecamatan figure split with random weights, or a plausible size where unknown.
    weights = rng.gamma(4.0, 1.0, len(desa))
    pop = np.empty(len(desa))
    for kec, idx in desa.groupby("kode_induk").groups.items():
        w = weights[idx] / weights[idx].sum()
        total = kec_population.get(kec) or rng.integers(2500, 6000) * len(idx)
        pop[idx] = np.maximum(300, np.round(w * total))
    population = pd.DataFrame({"kode_wilayah": desa["kode"], "tahun": today.year, "jumlah": pop.astype(int)})

    periods = month_range(last_complete_month(today), months)
    reliability = rng.beta(8, 1.2, len(desa))  # most PSM report nearly every month, a few rarely
    lateness = rng.gamma(1.5, 4.0, len(desa))  # typical days after the due date for late reporters
    village_factor = rng.lognormal(0.0, 0.45, (len(desa), len(indicators)))
    rates = np.array([RATE_PER_1000.get(k, 0.2) for k in indicators])
    trend = rng.normal(0.0, 0.004, (len(desa), len(indicators)))

    rep_rows, val_frames = [], []
    for t, periode in enumerate(periods):
        reported = rng.random(len(desa)) < reliability
        if t == len(periods) - 1:
            reported &= rng.random(len(desa)) < 0.93  # the newest month is still coming in
        due = (periode + timedelta(days=32)).replace(day=DEFAULT_DUE_DAY)
        lam = pop[:, None] / 1000.0 * rates[None, :] * village_factor * (1 + trend * t)
        counts = rng.poisson(np.clip(lam, 0, None))
        outliers = rng.random(counts.shape) < 0.0004
        counts = np.where(outliers, counts * 5 + 10, counts)
        zero_report = rng.random(len(desa)) < 0.01  # a few PSM send an all-zero form
        counts[zero_report] = 0
        idx = np.flatnonzero(reported)
        late = rng.random(len(idx)) < 0.25
        delay = np.where(late, np.ceil(rng.exponential(lateness[idx])) + 1, -rng.integers(0, 9, len(idx)))
        for i, d in zip(idx, delay):
            rep_rows.append((desa.at[i, "kode"], periode, due + timedelta(days=int(d), hours=int(rng.integers(8, 17)))))
        sub = counts[idx]
        share = np.array([SHARE_FEMALE.get(k, 0.5) for k in indicators])
        female = rng.binomial(sub, np.broadcast_to(share, sub.shape))
        val_frames.append(pd.DataFrame({
            "kode_desa": np.repeat(desa["kode"].to_numpy()[idx], len(indicators)),
            "periode": periode,
            "kode_indikator": np.tile(indicators, len(idx)),
            "laki_laki": (sub - female).ravel(),
            "perempuan": female.ravel(),
            "jumlah": sub.ravel(),
        }))
    reports = pd.DataFrame(rep_rows, columns=["kode_desa", "periode", "diterima"])
    reports["nama_berkas"] = "data demo (sintetis)"
    reports["sheet"] = None
    reports["sha256"] = None
    reports["nama_psm"] = None
    reports["sintetis"] = True
    values = pd.concat(val_frames, ignore_index=True)
    values["baris"] = None
    values["kolom"] = None
    return population, reports, values


def write_demo(con: duckdb.DuckDBPyConnection, *, seed: int, months: int, today: date) -> dict:
    """Replace any previous demo data with a new synthetic history; refuses if real reports exist."""
    real = con.execute("select count(*) from laporan where not sintetis").fetchall()[0][0]
    if real:
        raise PMKSError(f"Basis data ini sudah berisi {real} laporan asli; data demo tidak dicampur dengan data asli. Gunakan --db untuk berkas lain.")
    desa = con.execute("select kode, kode_induk from wilayah where tingkat = 'desa'").df()
    if desa.empty:
        raise PMKSError("Belum ada data wilayah. Jalankan dulu: python -m etl init")
    indicators = [r[0] for r in con.execute("select kode from indikator where aktif order by nomor").fetchall()]
    kec_pop = dict(con.execute("""
        select distinct on (kode_wilayah) kode_wilayah, jumlah from penduduk
        where not sintetis and kode_wilayah in (select kode from wilayah where tingkat = 'kecamatan')
        order by kode_wilayah, tahun desc
    """).fetchall())
    population, reports, values = build_demo(desa, kec_pop, indicators, seed=seed, months=months, today=today)
    con.execute("delete from laporan_nilai where laporan_id in (select id from laporan where sintetis)")
    con.execute("delete from laporan where sintetis")
    con.execute("delete from penduduk where sintetis")  # desa estimates of demos made before migration 0010
    load_demo_population(con, population, today)
    batch = new_batch(con, DEMO_USER, "demo", f"data demo sintetis, seed {seed}, {months} bulan")
    n = write_reports(con, reports, values, batch)
    set_setting(con, "data_sintetis", "ya")
    return {"laporan": n, "nilai": len(values), "bulan": months, "dari": min(reports["periode"]), "sampai": max(reports["periode"]), "batch": batch, "waktu": datetime.now()}


def demo_population_file(population: pd.DataFrame) -> bytes:
    """The demo's desa population as the CSV an office might receive: a title that says it is synthetic, codes, jumlah."""
    lines = ["DATA PENDUDUK DESA SINTETIS UNTUK DEMO (bukan data Dukcapil/BPS)", "", "Kode Desa;Jumlah"]
    lines += [f"{k};{int(j)}" for k, j in zip(population["kode_wilayah"], population["jumlah"])]
    return ("\n".join(lines) + "\n").encode("utf-8")


def load_demo_population(con: duckdb.DuckDBPyConnection, population: pd.DataFrame, today: date) -> int:
    """Load the synthetic desa population through the import path of real population files, marked synthetic and
    estimated; replaces the figures of an earlier demo."""
    from etl.read.sheets import Sheet, read_csv_rows
    from etl.write.population import analyse, commit, parse_acuan

    con.execute("""update impor_batch set status = 'dibatalkan'
                   where jenis = 'penduduk' and id in (select batch_id from penduduk_desa where sintetis)""")
    con.execute("delete from penduduk_desa where sintetis")
    # the latest semester that has ended: a figure dated in the future would be refused
    acuan = parse_acuan(f"{today.year}-S1" if today.month > 6 else f"{today.year - 1}-S2", today)
    data = demo_population_file(population)
    result = analyse(con, "penduduk_desa_sintetis.csv", data, [Sheet(None, read_csv_rows(data))], acuan, sintetis=True)
    if result.errors:
        raise PMKSError("Penduduk demo ditolak: " + "; ".join(i.message for i in result.errors[:3]))
    return commit(con, result, acuan, "lainnya", DEMO_USER, perkiraan=True, sintetis=True) or 0
