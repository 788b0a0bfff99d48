"""Prioritas Intervensi: the ranked list of desa (or kecamatan) by the priority index, as a model the page only draws.

The weights, the level and the shrinkage switch are the page's own widgets and come in as plain arguments. The
model ranks (`dashboard.priority`), derives the 12-month sparklines, the notes, the formatted table, the map, the
method text, and the cover sheet and frame of the XLSX export; `priorities` is the ranking the PDF brief reuses.

The classes K1-K5 are the ranking's quintiles (`priority.composite`), computed once over every area ranked together
(the warehouse's region, for every user whatever their area) before the list is cut to a chosen kecamatan: the table, the export,
the map (`quintile_classes`) and the PDF brief all show that one class per area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from common import fmt
from dashboard import maps, priority, queries, release
from dashboard.views import MISSING, Filters, Settings, completeness, table
from dashboard.views.frozen import Model

LEVEL_LABEL = {"desa": "Desa/kelurahan", "kecamatan": "Kecamatan"}
SPARKLINE = "Tren 12 bulan"  # the one column of the table that holds numbers (a line per row), not text
WEIGHTS_HELP = "**Bobot kelompok PMKS** (0 = tidak dihitung; bawaan: semua 1, artinya setiap kelompok sama penting)"
SHRINKAGE_LABEL = "Susutkan laju wilayah berpenduduk kecil ke laju wilayah induknya (disarankan)"
QUINTILE_HELP = ("K1 = 20% wilayah dengan indeks tertinggi di antara semua yang diperingkat bersama (se-kabupaten, juga "
                 "bila satu kecamatan dipilih); kelas yang sama dipakai peta, unduhan XLSX dan ringkasan PDF.")
NO_WEIGHT = "Isi bobot lebih dari 0 untuk setidaknya satu kelompok."
NONE_RANKED = ("Belum ada wilayah yang dapat diberi peringkat untuk bulan ini: indeks memerlukan laporan bulan itu dan "
               "jumlah penduduk tiap wilayah. Admin dapat mengimpor berkas penduduk desa (Dukcapil, BPS atau profil "
               "desa) di halaman Pengguna & Pengaturan.")


def levels(f: Filters) -> list[str]:
    """The levels the list can be made at: only desa when a kecamatan is chosen (or fixed by the user's area)."""
    return ["desa"] if f.kecamatan else ["desa", "kecamatan"]


def level_note(tingkat: str) -> str:
    """What the page says instead of a choice with one option."""
    return f"Tingkat: {LEVEL_LABEL[tingkat].lower()} (kecamatan dipilih di panel Filter; kosongkan untuk memilih tingkat kecamatan)."


def weights_title(weights: dict[str, int], shrinkage: bool) -> str:
    """The title of the box that holds the weights, saying what is in use: 'Bobot: semua kelompok 1 (sama penting),
    laju disusutkan' or 'Bobot: Anak 3, Kemiskinan 2, lainnya 1 · laju mentah'."""
    values = set(weights.values())
    if len(values) == 1:
        text = f"semua kelompok {fmt.angka(values.pop())}" + (" (sama penting)" if weights else "")
    else:
        common = max(values, key=lambda w: sum(v == w for v in weights.values()))
        text = ", ".join(f"{label(g)} {fmt.angka(w)}" for g, w in weights.items() if w != common) + f", lainnya {fmt.angka(common)}"
    return f"Bobot: {text} · {'laju disusutkan' if shrinkage else 'laju mentah'} — ubah"


def label(group: str) -> str:
    """'lanjut usia' -> 'Lanjut usia'."""
    return group[:1].upper() + group[1:]


def groups(indikator: pd.DataFrame) -> list[str]:
    """The indicator groups that get a weight, from `queries.indikator_list` (active indicators)."""
    return sorted(indikator["kelompok"].unique())


@dataclass
class PrioritasView(Model):
    title: str = "Prioritas Intervensi"
    empty: str | None = None  # a warning: the page says it and stops
    caption: str = ""
    release_notice: str | None = None
    table: pd.DataFrame | None = None  # Indonesian text, sorted by rank; SPARKLINE holds the monthly rates
    numbers: list[str] = field(default_factory=list)  # the columns of the table that are numbers written as text
    ranked_note: str = ""
    none_ranked: str | None = None
    mixed_note: str | None = None  # the ranking compares real and estimated population
    map_chart: go.Figure | None = None
    method: str = ""
    weights_note: str = ""
    cover: list[tuple[str, str]] = field(default_factory=list)
    export: pd.DataFrame | None = None  # the table as numbers, for the XLSX
    export_title: str = ""
    number_formats: dict[str, str] = field(default_factory=dict)
    file_name: str = ""


def too_few(compared: int, tingkat: str, periode: date) -> str:
    """Why a month with fewer than `priority.MIN_COMPARED` comparable areas has no ranking, in one sentence."""
    what = "desa/kelurahan" if tingkat == "desa" else "kecamatan"
    return (f"Baru {fmt.angka(compared)} {what} yang dapat dibandingkan untuk {fmt.bulan(periode)} (sudah melapor dan "
            f"jumlah penduduknya diketahui). Peringkat dan indeks prioritas memerlukan setidaknya "
            f"{priority.MIN_COMPARED} wilayah, sehingga belum ditampilkan; pilih bulan lain di panel Filter atau tunggu "
            "laporan berikutnya.")


def mixed_note(ranked: pd.DataFrame, where: str) -> str | None:
    """The warning when a ranking compares areas with real and with estimated population (never mixed silently)."""
    mixed = ranked[ranked["indeks"].notna()]["perkiraan"].fillna(False).astype(bool)
    if mixed.nunique() < 2:
        return None
    return (f"Peringkat ini mencampur penduduk nyata dan perkiraan: {fmt.angka(int(mixed.sum()))} wilayah memakai "
            f"penduduk perkiraan {where}; laju dan indeksnya kurang sebanding.")


def ranking(counts: pd.DataFrame, tingkat: str = "desa", weights: dict[str, float] | None = None,
            shrinkage: bool = True) -> pd.DataFrame:
    """`priority.priority_table` of `queries.priority_counts` at desa or kecamatan level, with the count each rate
    rests on (`jumlah:<group>`, missing where the area did not report), sorted by rank. `banding` marks the areas
    with a rate in every group; when fewer than `priority.MIN_COMPARED` have one, nobody gets an index, a rank or a
    quintile (an index of one area is 0 whatever its counts)."""
    areas = priority.areas(counts, tingkat)
    groups_ = sorted(counts["kelompok"].unique())
    weights = weights if weights is not None else dict.fromkeys(groups_, priority.DEFAULT_WEIGHT)
    ranked = priority.priority_table(areas, weights, shrinkage)
    ranked["banding"] = ranked["indeks"].notna()
    if 0 < int(ranked["banding"].sum()) < priority.MIN_COMPARED:
        ranked["indeks"], ranked["utama"] = float("nan"), None
        ranked["peringkat"] = ranked["kuintil"] = pd.array([pd.NA] * len(ranked), dtype="Int64")
    raw = areas.set_index(["kode", "kelompok"])["jumlah"].unstack("kelompok").reindex(columns=groups_)
    raw.columns = [f"jumlah:{g}" for g in groups_]
    return ranked.join(raw, on="kode")


def priorities(con, periode: date, root: str, tingkat: str = "desa", weights: dict[str, float] | None = None,
               shrinkage: bool = True) -> pd.DataFrame:
    """The ranked areas of `root` (ranked together) in a month; equal weights unless given."""
    return ranking(queries.priority_counts(con, periode, root), tingkat, weights, shrinkage)


def group_rate(rate, count, threshold: int | None, decimals: int = 1):
    """A group's rate per 1.000 as shown, or '<3 kasus' in release mode when it rests on 1..threshold-1 cases."""
    shown = release.rate_or_label(rate, count, threshold)
    return shown if isinstance(shown, str) or pd.isna(shown) else round(float(shown), decimals)


def build(con, f: Filters, settings: Settings, *, tingkat: str = "desa", weights: tuple = (),  # noqa: ARG001
          shrinkage: bool = True, author: str = "", today: date | None = None, width: int | None = None) -> PrioritasView:
    """The priority list for these filters. `weights`: ((group, weight), ...), all groups weight 1 when empty;
    every area of the warehouse's region is ranked together, whoever asks, and the chosen kecamatan cuts the list;
    `author` and `today` go on the export's cover sheet; `width`: the page's width in the browser (the map fits it)."""
    view = PrioritasView()
    info = queries.warehouse_info(con)
    root = info["kode"] or ""  # one index on one stated basis for everyone; the user's area only filters the rows
    counts = queries.priority_counts(con, f.periode, root)
    groups_ = sorted(counts["kelompok"].unique())
    chosen = dict(weights) if weights else dict.fromkeys(groups_, priority.DEFAULT_WEIGHT)
    chosen = {g: chosen.get(g, 0) for g in groups_}
    if not any(w > 0 for w in chosen.values()):
        view.empty = NO_WEIGHT
        return view
    tingkat = tingkat if tingkat in levels(f) else "desa"
    together = ranking(counts, tingkat, chosen, shrinkage)  # ranked, and classed, all together
    ranked = together
    if f.kecamatan and tingkat == "desa":
        ranked = together[together["induk"] == f.kecamatan].reset_index(drop=True)
    reported = int((ranked["laporan"] > 0).sum()) if tingkat == "desa" else int(ranked["laporan"].sum())
    done = completeness(reported, int(ranked["desa"].sum()))
    where = (f.area_nama if f.kecamatan else info["nama"]) or ""
    root_name = info["nama"]
    among = f" · peringkat dan kuintil se-{root_name}" if f.kecamatan else ""
    view.caption = f"{where} · {fmt.bulan(f.periode)} · {done}{among}"
    view.release_notice = release.notice(f.rilis)

    data, lines = _frame(con, f, ranked, groups_, tingkat, root, shrinkage)
    decimals = {"Peringkat": 0, "Indeks prioritas": 1, "Penduduk": 0, "Perubahan 12 bln (per 1.000)": 1}
    decimals |= {f"{label(g)} per 1.000": 1 for g in groups_}
    view.table = table(data, decimals)
    view.numbers = [c for c in decimals if c in data.columns]
    view.table.insert(view.table.columns.get_loc("Laporan 12 bln"), SPARKLINE, lines)
    view.ranked_note = (f"{fmt.angka(int(ranked['indeks'].notna().sum()))} wilayah berperingkat; wilayah yang belum "
                        "melapor atau tanpa data penduduk tidak diberi indeks (bukan berarti tanpa PMKS).")
    compared = int(together["banding"].sum())
    view.none_ranked = (None if ranked["indeks"].notna().any() else
                        too_few(compared, tingkat, f.periode) if compared else NONE_RANKED)
    view.mixed_note = mixed_note(ranked, "(lihat kolom Sumber penduduk dan Catatan)")
    if info["batas"]:
        view.map_chart = _map(con, ranked, together, tingkat, f.kecamatan, where, root_name, width)

    weights_text = "; ".join(f"{label(g)} {fmt.angka(w)}" for g, w in chosen.items())
    view.method = _method(shrinkage)
    view.weights_note = f"Bobot yang dipakai: {weights_text}. Laju kecamatan dihitung atas desa yang melapor saja."
    view.cover = _cover(f, info, ranked, where, tingkat, done, weights_text, view.method, f"{fmt.tanggal(today or date.today())} oleh {author}")
    view.export = data
    view.export_title = f"Daftar prioritas intervensi PMKS — {where}, {fmt.bulan(f.periode)}"
    view.number_formats = {c: "#,##0.0" for c in data.columns if c.endswith("per 1.000") or c.startswith("Perubahan")}
    view.number_formats |= {"Indeks prioritas": "0.0", "Penduduk": "#,##0"}
    view.file_name = f"prioritas_{tingkat}_{f.periode:%Y-%m}.xlsx"
    return view


def _frame(con, f: Filters, ranked: pd.DataFrame, groups_: list[str], tingkat: str, root: str,
           shrinkage: bool) -> tuple[pd.DataFrame, list[list]]:
    """The list as numbers and words (rounded as shown; rates resting on few cases hidden in release mode), and
    the sparkline of each row: PMKS per 1.000 penduduk in each of the last 12 months (None: no report or hidden)."""
    months = queries.periods(con)
    start = months[max(0, months.index(f.periode) - 11)] if f.periode in months else f.periode
    window = [m for m in months if start <= m <= f.periode]
    monthly_query = queries.area_monthly_rates if tingkat == "desa" else queries.area_monthly
    monthly = release.trend(monthly_query(con, start, f.periode, tingkat, root), f.rilis)
    pop = ranked.set_index("kode")["penduduk"]
    lines, change, received = {}, {}, {}
    for kode, part in monthly.groupby("kode"):
        by_month = {pd.Timestamp(m).date(): v for m, v in zip(part["periode"], part["jumlah"])}
        if "penduduk" in part:  # each month over the population figure of that month
            p_month = {pd.Timestamp(m).date(): v for m, v in zip(part["periode"], part["penduduk"])}
        else:
            p_month = dict.fromkeys(window, pop.get(kode))
        rates = [float(by_month[m]) / p_month[m] * 1000 if m in by_month and pd.notna(by_month[m]) and _usable(p_month.get(m)) else None
                 for m in window]
        lines[kode] = rates
        known = [r for r in rates if r is not None]
        change[kode] = round(known[-1] - known[0], 1) if len(known) >= 2 else None
        received[kode] = int(part["laporan"].sum())

    shown = "susut" if shrinkage else "laju"
    data = pd.DataFrame({"Peringkat": ranked["peringkat"], "Kode": ranked["kode"],
                         "Desa/Kelurahan" if tingkat == "desa" else "Kecamatan": ranked["nama"]})
    if tingkat == "desa":  # 11 desa names occur twice in Tuban: kecamatan and kode tell them apart
        data["Kecamatan"] = ranked["kecamatan"]
    data["Indeks prioritas"] = ranked["indeks"].round(1)
    data["Kuintil"] = [priority.QUINTILE_LABEL.get(int(q)) if pd.notna(q) else MISSING for q in ranked["kuintil"]]
    data["Kelompok paling menonjol"] = [label(g) if isinstance(g, str) else MISSING for g in ranked["utama"]]
    for g in groups_:
        data[f"{label(g)} per 1.000"] = [group_rate(r, n, f.rilis) for r, n in zip(ranked[f"{shown}:{g}"], ranked[f"jumlah:{g}"])]
    if not f.rilis:  # a population beside a hidden rate would give the count back
        data["Penduduk"] = ranked["penduduk"].astype("Float64").round().astype("Int64")
    if "sumber_penduduk" in ranked:
        data["Sumber penduduk"] = ranked["sumber_penduduk"].fillna(MISSING)
    data["Perubahan 12 bln (per 1.000)"] = [change.get(k) for k in ranked["kode"]]
    data["Laporan 12 bln"] = [f"{fmt.angka(received.get(k, 0))} dari {fmt.angka(len(window) * int(d))}"  # '11/12' is a date to Excel
                              for k, d in zip(ranked["kode"], ranked["desa"])]
    data["Catatan"] = [_note(row, shrinkage) for row in ranked.itertuples()]
    return data.reset_index(drop=True), [lines.get(k, []) for k in ranked["kode"]]


def _cover(f: Filters, info: dict, ranked: pd.DataFrame, where: str | None, tingkat: str, done: str, weights_text: str,
           method: str, made: str) -> list[tuple[str, str]]:
    """The Keterangan sheet of the XLSX export: what the list is, how it was made, from which data."""
    cover = [
        ("Wilayah", where or ""),
        ("Periode", fmt.bulan(f.periode)),
        ("Tingkat", "desa/kelurahan" if tingkat == "desa" else "kecamatan"),
        ("Kelengkapan laporan", done),
        ("Bobot kelompok", weights_text),
        ("Metode", method),
        ("Sumber data", (f"Laporan PSM yang diimpor ke Dasbor PMKS {info['nama']}"
                         + (" — DATA DEMO SINTETIS, bukan data PMKS sebenarnya" if info["sintetis"] else ""))),
        ("Sumber penduduk", "; ".join(sorted(set(ranked["sumber_penduduk"].dropna()))) if "sumber_penduduk" in ranked else MISSING),
        ("Dibuat", made),
    ]
    if f.rilis:
        cover.append(("Mode rilis publik", (f"ya: laju yang bertumpu pada 1–{f.rilis - 1} kasus disembunyikan; "
                                            "jumlah penduduk tidak disertakan")))
    return cover


def _usable(population) -> bool:
    return population is not None and pd.notna(population) and population > 0


def _note(row, shrinkage: bool) -> str:
    note = []
    if row.laporan == 0:
        note.append("belum melapor bulan ini")
    if row.kecil:
        note.append(f"penduduk < {fmt.angka(priority.SMALL_POPULATION)}: laju kurang stabil" + (", disusutkan" if shrinkage else ""))
    if pd.isna(row.penduduk):
        note.append("tanpa data penduduk")
    elif bool(row.perkiraan):
        note.append("penduduk perkiraan")
    return "; ".join(note)


def quintile_classes(ranked: pd.DataFrame) -> maps.Classes:
    """The map classes of the ranking's own quintiles (`kuintil`, over every area ranked together): class c holds
    the indices of quintile 6 - c, so an area's colour is its K in the table whatever part of the list is drawn.

    Quintiles follow the rank and ties share a rank, so each quintile's indices lie strictly above the next one's:
    its highest index is an exact upper bound."""
    scored = ranked.dropna(subset=["indeks", "kuintil"])
    if scored.empty:
        return maps.Classes(0.0, [], [], [])
    per = scored.groupby(scored["kuintil"].astype(int))["indeks"].agg(["min", "max"]).sort_index(ascending=False)
    palette = maps.SEQUENTIAL[5]
    return maps.Classes(
        low=float(per["min"].min()), bounds=[float(b) for b in per["max"]],
        labels=[f"K{q} ({fmt.angka(lo, 1)} – {fmt.angka(hi, 1)})" for q, lo, hi in zip(per.index, per["min"], per["max"])],
        colors=[palette[5 - q] for q in per.index],
    )


def _map(con, ranked: pd.DataFrame, together: pd.DataFrame, tingkat: str, area: str, where: str, root_name: str,
         width: int | None = None) -> go.Figure:
    """Where the priorities are: the index in the quintiles of all areas ranked `together` (K1 = their highest
    fifth); the hover gives the rank among all of them, as the table does."""
    geometry = queries.map_geometry(con, tingkat, area)
    mapped = ranked.assign(laporan=ranked["laporan"] if tingkat == "kecamatan" else ranked["laporan"].clip(upper=1),
                           dari=int(together["indeks"].notna().sum()))
    return maps.choropleth(mapped, geometry, "indeks", quintile_classes(together), f"Indeks prioritas per {tingkat} — {where} (kuintil se-{root_name})",
                           "indeks (0–100)", tingkat, 1, size=maps.size((940, 520), width, 600))


def _method(shrinkage: bool) -> str:
    return (
        "Laju = PMKS bulan ini per 1.000 penduduk, per kelompok jenis PMKS (Permensos 08/2012). "
        + ("Laju wilayah berpenduduk kecil disusutkan ke laju wilayah induknya (desa ke kecamatan, kecamatan ke kabupaten) "
           "dengan estimator Bayes empiris Marshall (1991): laju_susut = b + w·(laju − b), b = laju induk, "
           "w = a / (a + b/penduduk), a = ragam antarwilayah di luar ragam acak. Makin kecil penduduknya, makin kuat tarikannya. "
           if shrinkage else "Laju mentah, tanpa penyusutan. ")
        + "Setiap kelompok diskalakan 0–100 antara wilayah terendah dan tertinggi; indeks = rata-rata berbobot skor kelompok. "
        "Peringkat 1 = indeks tertinggi; K1 = 20% wilayah dengan indeks tertinggi."
    )
