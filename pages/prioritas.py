"""Prioritas Intervensi: a ranked list of desa (or kecamatan) by a composite index of PMKS rates whose weights
policy staff set here, with the 12-month trend, completeness and an honest treatment of small populations."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import priority, ui
from dashboard.export import report_xlsx
from etl import fmt

info, f = ui.page_filters("prioritas")
periode = f["periode"]
user = ui.current_user()
st.title("Prioritas Intervensi")

level_options = ["desa", "kecamatan"] if not f["kecamatan"] else ["desa"]
tingkat = st.radio("Tingkat", level_options, horizontal=True, key="prioritas_tingkat",
                   format_func=lambda t: "Desa/kelurahan" if t == "desa" else "Kecamatan")
scope = user.kecamatan or ""
root = scope or info["kode"] or ""  # ranked together: the user's kecamatan, else the whole warehouse's region
counts = ui.q("priority_counts", periode, root)
groups = sorted(counts["kelompok"].unique())
label = {g: g[:1].upper() + g[1:] for g in groups}

st.markdown("**Bobot kelompok PMKS** (0 = tidak dihitung; bawaan: semua 1, artinya setiap kelompok sama penting)")
cols = st.columns(len(groups))
weights = {}
for col, g in zip(cols, groups):
    weights[g] = col.number_input(label[g], min_value=0, max_value=10, value=priority.DEFAULT_WEIGHT, step=1, key=f"bobot_{g}")
shrinkage = st.toggle("Susutkan laju wilayah berpenduduk kecil ke laju wilayah induknya (disarankan)", value=True,
                      key="prioritas_susut")
if not any(w > 0 for w in weights.values()):
    st.warning("Isi bobot lebih dari 0 untuk setidaknya satu kelompok.")
    st.stop()

areas = priority.areas(counts, tingkat)
table = priority.priority_table(areas, weights, shrinkage)
if f["kecamatan"] and tingkat == "desa":
    table = table[table["induk"] == f["kecamatan"]]
reported = int((table["laporan"] > 0).sum()) if tingkat == "desa" else int(table["laporan"].sum())
total_desa = int(table["desa"].sum())
where = f["area_nama"] if f["kecamatan"] else info["nama"]
st.caption(f"{where} · {fmt.bulan(periode)} · {ui.completeness(reported, total_desa)}"
           + (f" · peringkat se-{info['nama']}" if f["kecamatan"] else ""))

months = ui.q("periods")
start = months[max(0, months.index(periode) - 11)]
monthly = ui.q("area_monthly_rates" if tingkat == "desa" else "area_monthly", start, periode, tingkat, root)
window = [m for m in months if start <= m <= periode]
pop = table.set_index("kode")["penduduk"]
series, change, received = {}, {}, {}
for kode, part in monthly.groupby("kode"):
    by_month = {pd.Timestamp(m).date(): v for m, v in zip(part["periode"], part["jumlah"])}
    p = pop.get(kode)
    if tingkat == "desa":  # each month over the population figure of that month
        p_month = {pd.Timestamp(m).date(): v for m, v in zip(part["periode"], part["penduduk"])}
        rates = [by_month[m] / p_month[m] * 1000 if (m in by_month and p_month[m] == p_month[m] and p_month[m]) else None for m in window]
    else:
        rates = [by_month[m] / p * 1000 if (m in by_month and p == p and p) else None for m in window]
    series[kode] = rates
    known = [r for r in rates if r is not None]
    change[kode] = (known[-1] - known[0]) if len(known) >= 2 else None
    received[kode] = int(part["laporan"].sum())
expected = {k: len(window) * int(d) for k, d in zip(table["kode"], table["desa"])}

public = f["rilis"]
shown_rate = "susut" if shrinkage else "laju"
view = pd.DataFrame({
    "Peringkat": table["peringkat"],
    "Desa/Kelurahan" if tingkat == "desa" else "Kecamatan": table["nama"],
})
if tingkat == "desa":
    view["Kecamatan"] = table["kecamatan"].to_numpy()
view["Indeks prioritas"] = table["indeks"].round(1).to_numpy()
view["Kuintil"] = [priority.QUINTILE_LABEL.get(int(q)) if pd.notna(q) else "–" for q in table["kuintil"]]
view["Kelompok paling menonjol"] = [label.get(g, "–") if isinstance(g, str) else "–" for g in table["utama"]]
for g in groups:
    view[f"{label[g]} per 1.000"] = table[f"{shown_rate}:{g}"].round(2).to_numpy()
if not public:
    view["Penduduk"] = table["penduduk"].to_numpy()
if "sumber_penduduk" in table:
    view["Sumber penduduk"] = table["sumber_penduduk"].fillna("–").to_numpy()
view["Perubahan 12 bln (per 1.000)"] = [None if change.get(k) is None else round(change[k], 1) for k in table["kode"]]
view["Tren 12 bulan"] = [series.get(k, []) for k in table["kode"]]
view["Laporan 12 bln"] = [f"{received.get(k, 0)}/{expected[k]}" for k in table["kode"]]
notes = []
for row in table.itertuples():
    note = []
    if row.laporan == 0:
        note.append("belum melapor bulan ini")
    if row.kecil:
        note.append(f"penduduk < {fmt.angka(priority.SMALL_POPULATION)}: laju kurang stabil" + (", disusutkan" if shrinkage else ""))
    if pd.isna(row.penduduk):
        note.append("tanpa data penduduk")
    elif bool(row.perkiraan):
        note.append("penduduk perkiraan")
    notes.append("; ".join(note))
view["Catatan"] = notes
view = view.reset_index(drop=True)

if public:  # rates that rest on a count of 1..threshold-1 would point at people: hidden
    raw = areas.pivot_table(index="kode", columns="kelompok", values="jumlah", aggfunc="sum").reindex(table["kode"])
    for g in groups:
        small = ((raw[g] > 0) & (raw[g] < public)).to_numpy()
        view[f"{label[g]} per 1.000"] = [f"<{public} kasus" if s else v for s, v in zip(small, view[f"{label[g]} per 1.000"])]
    ui.release_notice(public)

rate_cols = {f"{label[g]} per 1.000": st.column_config.NumberColumn(format="localized") for g in groups} if not public else {}
st.dataframe(
    view, hide_index=True, height=560,
    column_config={
        **rate_cols,
        "Indeks prioritas": st.column_config.ProgressColumn(min_value=0, max_value=100, format="localized",
                                                            help="0 = paling rendah, 100 = paling tinggi di antara wilayah yang dibandingkan"),
        "Penduduk": st.column_config.NumberColumn(format="localized"),
        "Perubahan 12 bln (per 1.000)": st.column_config.NumberColumn(format="localized"),
        "Tren 12 bulan": st.column_config.LineChartColumn(help="PMKS per 1.000 penduduk, 12 bulan terakhir"),
    },
    key="prioritas_tabel",
)
ranked_rows = table[table["indeks"].notna()]
if ranked_rows["perkiraan"].fillna(False).astype(bool).nunique() > 1:  # never mixed silently
    st.warning(f"Peringkat ini mencampur penduduk nyata dan perkiraan: {fmt.angka(int(ranked_rows['perkiraan'].fillna(False).astype(bool).sum()))} "
               "wilayah memakai penduduk perkiraan (lihat kolom Sumber penduduk dan Catatan); laju dan indeksnya kurang sebanding.")
st.caption(f"{fmt.angka(int(table['indeks'].notna().sum()))} wilayah berperingkat; wilayah yang belum melapor "
           "atau tanpa data penduduk tidak diberi indeks (bukan berarti tanpa PMKS).")
if table["indeks"].isna().all():
    st.info("Belum ada wilayah yang dapat diberi peringkat untuk bulan ini: indeks memerlukan laporan bulan itu dan "
            "jumlah penduduk tiap wilayah (impor berkas penduduk desa di halaman Pengguna & Pengaturan atau dengan `python -m etl penduduk import BERKAS --sumber dukcapil --tanggal 2025-S2`).")

if info["batas"]:  # where the priorities are: the index by quintile on the map
    from dashboard import maps

    geometry = ui.q("map_geometry", tingkat, f["kecamatan"] or scope)
    mapped = table.assign(laporan=table["laporan"] if tingkat == "kecamatan" else table["laporan"].clip(upper=1))
    classes = maps.classify(mapped["indeks"], "quantile", 5, 1)
    classes.labels = [f"K{5 - i} ({label})" for i, label in enumerate(classes.labels)] if len(classes.labels) == 5 else classes.labels
    st.plotly_chart(maps.choropleth(mapped, geometry, "indeks", classes, f"Indeks prioritas per {'desa' if tingkat == 'desa' else 'kecamatan'} — {where}",
                                    "indeks (0–100)", tingkat, 1, size=(940, 520)), key="prioritas_peta", config={"displaylogo": False})

weights_text = "; ".join(f"{label[g]} {fmt.angka(w)}" for g, w in weights.items())
method = (
    "Laju = PMKS bulan ini per 1.000 penduduk, per kelompok jenis PMKS (Permensos 08/2012). "
    + ("Laju wilayah berpenduduk kecil disusutkan ke laju wilayah induknya (desa ke kecamatan, kecamatan ke kabupaten) "
       "dengan estimator Bayes empiris Marshall (1991): laju_susut = b + w·(laju − b), b = laju induk, "
       "w = a / (a + b/penduduk), a = ragam antarwilayah di luar ragam acak. Makin kecil penduduknya, makin kuat tarikannya. "
       if shrinkage else "Laju mentah, tanpa penyusutan. ")
    + "Setiap kelompok diskalakan 0–100 antara wilayah terendah dan tertinggi; indeks = rata-rata berbobot skor kelompok. "
    "Peringkat 1 = indeks tertinggi; K1 = 20% wilayah dengan indeks tertinggi."
)
with st.expander("Cara menghitung indeks", icon=":material/functions:"):
    st.markdown(method)
    st.markdown(f"Bobot yang dipakai: {weights_text}. Laju kecamatan dihitung atas desa yang melapor saja.")

cover = [
    ("Wilayah", where or ""),
    ("Periode", fmt.bulan(periode)),
    ("Tingkat", "desa/kelurahan" if tingkat == "desa" else "kecamatan"),
    ("Kelengkapan laporan", ui.completeness(reported, total_desa)),
    ("Bobot kelompok", weights_text),
    ("Metode", method),
    ("Sumber data", f"Laporan PSM yang diimpor ke Dasbor PMKS {info['nama']}"
                    + (" — DATA DEMO SINTETIS, bukan data PMKS sebenarnya" if info["sintetis"] else "")),
    ("Sumber penduduk", "; ".join(sorted(set(table["sumber_penduduk"].dropna()))) if "sumber_penduduk" in table else "–"),
    ("Dibuat", f"{fmt.tanggal(date.today())} oleh {ui.user_name()}"),
]
if public:
    cover.append(("Mode rilis publik", f"ya: laju yang bertumpu pada 1–{public - 1} kasus disembunyikan; jumlah penduduk tidak disertakan"))
export = view.drop(columns=["Tren 12 bulan"])
if user.can_export:
    st.download_button(
        "Unduh daftar prioritas (XLSX)",
        report_xlsx(export, cover, f"Daftar prioritas intervensi PMKS — {where}, {fmt.bulan(periode)}",
                    number_formats={c: "#,##0.00" for c in export.columns if c.endswith("per 1.000")} | {"Indeks prioritas": "0.0", "Penduduk": "#,##0"}),
        f"prioritas_{tingkat}_{periode:%Y-%m}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="prioritas_xlsx", on_click=ui.audit_action, args=("unduh", f"prioritas_{tingkat}_{periode:%Y-%m}.xlsx"),
    )
else:
    st.caption("Unduhan daftar tersedia untuk staf, analis dan admin.")
ui.brief_button(f["kecamatan"] or info["kode"], periode, public, key="prioritas_pdf")
