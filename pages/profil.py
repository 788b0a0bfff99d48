"""Profil Wilayah: one kecamatan or desa, every indicator with trend, rank and the kabupaten median."""

import pandas as pd
import streamlit as st

from dashboard import charts, ui
from etl import fmt

info, f = ui.page_filters("profil")
periode = f["periode"]
st.title("Profil Wilayah")
scope = ui.current_user().kecamatan
kec = ui.q("kecamatan_list")
kec = kec[kec["kode"].str.startswith(scope)]
desa = ui.q("desa_list", scope)
options = {k: f"Kec. {n}" for k, n in zip(kec["kode"], kec["nama"])}
options.update({k: f"{n} (Kec. {kc})" for k, n, kc in zip(desa["kode"], desa["nama"], desa["kecamatan"])})
default = f["desa"] or f["kecamatan"] or kec["kode"].iloc[0]
kode = st.selectbox("Cari kecamatan atau desa/kelurahan", list(options), index=list(options).index(default),
                    format_func=options.get, key="profil_wilayah")
tingkat = "kecamatan" if kode in set(kec["kode"]) else "desa"
st.header(options[kode])
st.caption(f"{fmt.bulan(periode)} · sumber: laporan PSM di {info['nama']}" + (" · DATA DEMO SINTETIS" if info["sintetis"] else ""))
left, right = st.columns([1, 3])
with left:
    ui.print_button("Cetak A4")
with right:  # the brief is per kecamatan: a desa's brief is its kecamatan's, with the desa among the priorities
    ui.brief_button(kode[:8], periode, f["rilis"], key="profil_pdf")

pop = ui.q("population", tingkat, kode, periode)
if pop.empty:
    st.caption("Jumlah penduduk: tidak tersedia.")
else:
    est = " (perkiraan)" if bool(pop["perkiraan"].iloc[0]) else ""
    st.caption(f"Jumlah penduduk: {fmt.angka(int(pop['penduduk'].iloc[0]))} jiwa{est}; sumber: {pop['sumber_penduduk'].iloc[0]}.")

prof = ui.q("area_profile", kode, periode)
peers = "kecamatan" if tingkat == "kecamatan" else "desa"
if prof["jumlah"].isna().all():
    st.warning(f"{options[kode]} belum melapor untuk {fmt.bulan(periode)}.")
public = f["rilis"]
released = ui.release_rows(prof, public, derived=())
ui.release_notice(public)
table = prof.assign(
    Peringkat=[f"{int(r)} dari {int(d)} {peers}" if pd.notna(r) and not h else "–" for r, d, h in zip(prof["peringkat"], prof["dari"], released["rilis"])],
    median_kabupaten=prof["median_kabupaten"].map(lambda v: fmt.angka(v, 1)),
    jumlah=[h or fmt.angka(v) for h, v in zip(released["rilis"], prof["jumlah"])],
).rename(columns={"nama": "Indikator", "kelompok": "Kelompok", "jumlah": "Jumlah", "median_kabupaten": f"Median {peers} se-kabupaten"})
shown = table[["Indikator", "Kelompok", "Jumlah", "Peringkat", f"Median {peers} se-kabupaten"]]
# A static table (not the scrolling grid), so that the browser prints every row.
st.markdown(ui.html_table(shown), unsafe_allow_html=True)

months = ui.q("periods")
start = months[max(0, months.index(periode) - 11)]
tr = ui.q("area_trend_by_indikator", kode, start, periode)
total = ui.release_trend(tr.groupby("periode", as_index=False)["jumlah"].sum(), public)
st.plotly_chart(charts.line_trend(total, "jumlah", "Tren 12 bulan, semua indikator (jiwa)", height=260), key="profil_trend")
status = ui.q("report_status", start, periode, kode if tingkat == "desa" else kode, ui.due_day())
hist = status.groupby("periode")["status"].agg(lambda s: (s != "belum lapor").sum()).reset_index()
st.markdown("**Riwayat laporan:** " + "; ".join(f"{fmt.bulan_pendek(p)} {n}/{len(status[status['periode'] == p])}" for p, n in zip(hist["periode"], hist["status"])))
