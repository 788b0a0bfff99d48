"""Profil Wilayah: one kecamatan or desa, every indicator with its rank and the kabupaten median, the 12-month trend
and the report history, as a model the page only draws. The area is the sidebar's (the filters' desa, else their
kecamatan, else the whole kabupaten): one picker for every page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from common import fmt
from common.areas import level_of
from dashboard import queries, release
from dashboard.queries import Selection
from dashboard.views import MISSING, Filters, Settings, table, trend_chart
from dashboard.views.frozen import Model


@dataclass(frozen=True)
class Facts:
    """Who the area is, for the PDF brief (`dashboard.brief`): its full name, its kabupaten and its population."""

    kode: str
    nama: str  # 'Kecamatan Palang' / 'Kabupaten Tuban'
    kabupaten: str
    penduduk: float | None
    perkiraan: bool
    sources: list[str]  # the population sources the area's rates use


@dataclass
class ProfilView(Model):
    header: str
    caption: str
    brief_kode: str  # the brief is per kecamatan: a desa's brief is its kecamatan's
    population: str
    warning: str | None
    release_notice: str | None
    table: pd.DataFrame  # Indonesian text, one row per active indicator
    trend_chart: go.Figure
    history: str
    prompt: str | None = None  # no area chosen: the kabupaten is shown, and how to choose one is said
    facts: Facts | None = None


PROMPT = ("Profil seluruh {nama}. Pilih kecamatan (dan desa/kelurahan) di panel Filter di samping untuk melihat profil "
          "wilayah itu.")


def build(con, f: Filters, settings: Settings) -> ProfilView:
    """The profile of the filters' desa, else their kecamatan, else the warehouse's kabupaten, in their month."""
    periode, public = f.periode, f.rilis
    info = queries.warehouse_info(con)
    kode = f.area or info["kode"] or ""
    tingkat = level_of(kode)
    name = queries.area_label(con, kode) if kode else "Semua wilayah"
    caption = (f"Kode wilayah {kode} · " if kode else "") + f"{fmt.bulan(periode)} · sumber: laporan PSM di {info['nama']}" \
        + (" · DATA DEMO SINTETIS" if info["sintetis"] else "")

    pop = queries.population(con, tingkat, kode, periode)
    if pop.empty:
        population = "Jumlah penduduk: tidak tersedia."
    else:
        est = " (perkiraan)" if bool(pop["perkiraan"].iloc[0]) else ""
        population = f"Jumlah penduduk: {fmt.angka(int(pop['penduduk'].iloc[0]))} jiwa{est}; sumber: {pop['sumber_penduduk'].iloc[0]}."

    prof = queries.area_profile(con, kode, periode)
    peers = "kecamatan" if tingkat == "kecamatan" else "desa"
    released = release.rows(prof, public, derived=())
    shown = pd.DataFrame({
        "Indikator": prof["nama"],
        "Kelompok": prof["kelompok"],
        "Jumlah": [h or v for h, v in zip(released["rilis"], prof["jumlah"])],
    })
    if tingkat in ("kecamatan", "desa"):  # a kabupaten has no peers in its own warehouse
        shown["Peringkat"] = [f"{int(r)} dari {int(d)} {peers}" if pd.notna(r) and not h else MISSING
                              for r, d, h in zip(prof["peringkat"], prof["dari"], released["rilis"])]
        shown[f"Median {peers} se-kabupaten"] = prof["median_kabupaten"]

    months = queries.periods(con)
    start = months[max(0, months.index(periode) - 11)] if periode in months else periode
    trend, _ = trend_chart(queries.trend(con, start, periode, Selection(area=kode)), public,
                           "Tren 12 bulan, semua indikator (jiwa)", height=300, steady=tingkat != "desa")
    status = queries.report_status(con, start, periode, kode, settings.due_day)
    history = [f"{fmt.bulan_pendek(p)} {fmt.angka(int((part['status'] != 'belum lapor').sum()))}/{fmt.angka(len(part))}"
               for p, part in status.groupby("periode")]
    kab_name = con.execute("select nama from wilayah where kode = ?", [kode[:5]]).fetchone()
    facts = Facts(
        kode=kode, nama=full_name(name, tingkat), kabupaten=full_name(kab_name[0] if kab_name else kode[:5], "kabupaten"),
        penduduk=None if pop.empty else float(pop["penduduk"].iloc[0]),
        perkiraan=False if pop.empty else bool(pop["perkiraan"].iloc[0]),
        sources=queries.population_sources(con, periode, kode)["sumber_penduduk"].tolist(),
    )
    return ProfilView(
        facts=facts, header=name, caption=caption, brief_kode=kode[:8], population=population,
        prompt=PROMPT.format(nama=name) if tingkat not in ("kecamatan", "desa") else None,
        warning=f"{name} belum melapor untuk {fmt.bulan(periode)}." if prof["jumlah"].isna().all() else None,
        release_notice=release.notice(public),
        table=table(shown, {"Jumlah": 0, f"Median {peers} se-kabupaten": 1}),
        trend_chart=trend,
        history="**Riwayat laporan:** " + "; ".join(history),
    )



def full_name(name: str, tingkat: str) -> str:
    """'Kecamatan Palang' from 'Kec. Palang', 'Kabupaten Tuban' from 'Tuban' (a Kota keeps its name)."""
    if tingkat == "kecamatan":
        return name.replace("Kec. ", "Kecamatan ")
    if tingkat == "desa":
        return name
    return name if name.lower().startswith(("kab", "kota")) else f"Kabupaten {name}"
