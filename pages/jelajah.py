"""Jelajah Data: pivot, ranking and time series for policy staff, every table downloadable."""

import pandas as pd
import streamlit as st

from dashboard import charts, ui
from etl import fmt

info, f = ui.page_filters("jelajah")
periode, sel = f["periode"], f["sel"]
st.title("Jelajah Data")
st.caption(f"{f['area_nama'] or info['nama']} · {fmt.bulan(periode)} · {f['indikator_label']}")

tingkat = st.radio("Tingkat", ["desa"] if f["desa"] else ["kecamatan", "desa"], horizontal=True, key="jelajah_tingkat",
                   format_func=lambda t: "Kecamatan" if t == "kecamatan" else "Desa/kelurahan")
wide = ui.q("pivot_wide", periode, sel, tingkat)
if wide.empty:
    st.warning("Tidak ada laporan untuk pilihan ini — bukan berarti nol PMKS.")
    st.stop()
label = "Kecamatan" if tingkat == "kecamatan" else "Desa/Kelurahan"
order = [c for c in wide.columns if c not in ("kode", "nama")]
pivot = wide.set_index(["kode", "nama"])
pivot["Total"] = pivot.sum(axis=1)
wil = ui.q("by_wilayah", periode, sel, tingkat).set_index("kode")
table = pivot.reset_index(level="nama").rename(columns={"nama": label})
table.insert(1, "Desa melapor", [f"{int(wil.at[k, 'laporan'])}/{int(wil.at[k, 'desa'])}" for k in table.index])
per1000 = f["ukuran"] == "per1000"
if per1000:  # rates only where population is known; estimated population said in its own column
    pop = wil.reindex(table.index)
    table["Penduduk"] = pop["penduduk"].astype("Float64")
    table["Per 1.000 penduduk"] = (table["Total"] / table["Penduduk"] * 1000).round(1)
    table["Penduduk perkiraan"] = ["ya" if e is True or e == 1 else ("tidak" if p == p and p is not None else "–")
                                   for e, p in zip(pop["perkiraan"], pop["penduduk"])]
    table["Sumber penduduk"] = pop["sumber_penduduk"].fillna("–").to_numpy()
sort_by = "Per 1.000 penduduk" if per1000 else "Total"
table = table.reset_index(drop=True).sort_values(sort_by, ascending=False, na_position="last")
public = f["rilis"]
if public and len(table) > ui.RELEASE_MAX_ROWS:
    st.warning(f"Tabel {fmt.angka(len(table))} baris terlalu besar untuk disiapkan sebagai rilis publik di sini. "
               "Pilih satu kabupaten atau kecamatan di samping, atau tingkat kecamatan.")
    st.stop()
if public:  # small counts hidden, with complementary cells so that no row or column total gives them away
    sup = ui.suppressed(table[order].fillna(0), public)
    shown_cells = sup.display(total_label="Total")
    released = table[[label, "Desa melapor"]].copy()
    released.loc["Total"] = ["Total", ""]
    table = pd.concat([released, shown_cells], axis=1).reset_index(drop=True)
    per1000 = False  # a rate next to its population would give a hidden count back
total = ui.q("total_for_month", periode, sel)
st.markdown(f"**Total {fmt.angka(total['jumlah'])} jiwa**, {ui.completeness(total['laporan'], total['desa'])}.")
numbers = order + ["Total"] + (["Penduduk", "Per 1.000 penduduk"] if per1000 else [])
ui.release_notice(public)
if public:  # numbers and '<3'/'x' in one column: shown as text in Indonesian format
    st.dataframe(table.map(lambda v: fmt.angka(v) if isinstance(v, (int, float)) else v), hide_index=True)
else:
    st.dataframe(table, hide_index=True, column_config={c: st.column_config.NumberColumn(format="localized") for c in numbers})
if per1000:
    ui.rate_notes(wil)
ui.download_buttons(table, f"pmks_{tingkat}_{periode:%Y-%m}", "pivot")

if per1000:
    ranked = table[table["Per 1.000 penduduk"].notna()]
    ranked = ranked.assign(**{label: [f"{n} *" if e == "ya" else n for n, e in zip(ranked[label], ranked["Penduduk perkiraan"])]})
    st.plotly_chart(charts.bar_ranked(ranked, label, "Per 1.000 penduduk", f"Peringkat {label.lower()} menurut PMKS per 1.000 penduduk", decimals=1,
                                       source="Sumber penduduk"), key="rank")
else:
    ranked = table[[label, "Total"]]
    if public:
        ranked = ranked[ranked[label] != "Total"].assign(Total=pd.to_numeric(ranked["Total"], errors="coerce"))
    st.plotly_chart(charts.bar_ranked(ranked, label, "Total", f"Peringkat {label.lower()} menurut jumlah PMKS"), key="rank")

months = ui.q("periods")
start = st.select_slider("Rentang waktu", options=months, value=(months[max(0, len(months) - 12)], periode),
                         format_func=fmt.bulan, key="jelajah_rentang")
raw_trend = ui.q("trend", start[0], start[1], sel)
tr = ui.release_trend(raw_trend, public)
st.plotly_chart(charts.line_trend(tr, "jumlah", "Tren bulanan pilihan ini (jiwa)"), key="trend")
series = tr.assign(Periode=[fmt.bulan(p) for p in tr["periode"]]).rename(columns={"jumlah": "Jumlah", "laporan": "Desa melapor"})[["Periode", "Jumlah", "Desa melapor"]]
if public:  # hidden months say so in the export
    series["Jumlah"] = [f"<{public}" if pd.isna(v) and pd.notna(r) else v for v, r in zip(tr["jumlah"], raw_trend["jumlah"])]
ui.download_buttons(series, f"pmks_tren_{start[0]:%Y-%m}_{start[1]:%Y-%m}", "trend")
