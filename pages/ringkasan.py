"""Ringkasan: the morning view for leadership."""

import streamlit as st

from dashboard import charts, maps, ui
from dashboard.queries import Selection
from etl import fmt

info, f = ui.page_filters("ringkasan")
periode, sel = f["periode"], f["sel"]
where = f["area_nama"] or info["nama"]
st.title(f"Ringkasan PMKS — {where}")
st.caption(f"{fmt.bulan(periode)} · {f['indikator_label']}")
ui.brief_button(f["kecamatan"] or info["kode"], periode, f["rilis"], key="ringkasan_pdf")

months = ui.q("periods")
prev = max((p for p in months if p < periode), default=None)
year_ago = periode.replace(year=periode.year - 1)
now = ui.q("total_for_month", periode, sel)
if now["laporan"] == 0:
    st.warning(f"Belum ada laporan untuk {fmt.bulan(periode)} di wilayah ini.")
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric("Total PMKS (jiwa)", fmt.angka(now["jumlah"]), help="Jumlah dari laporan yang sudah masuk.")
c1.caption(ui.completeness(now["laporan"], now["desa"]))
for col, other, label in ((c2, prev, "bulan lalu"), (c3, year_ago if year_ago in months else None, "tahun lalu")):
    if other is None:
        col.metric(f"Dibanding {label}", "–")
        col.caption("Tidak ada data pembanding.")
        continue
    then = ui.q("total_for_month", other, sel)
    same = ui.q("like_for_like", periode, other, sel)
    delta = same["sekarang"] - same["pembanding"]
    share = f" ({'+' if delta >= 0 else ''}{fmt.persen(delta / same['pembanding'])})" if same["pembanding"] else ""
    col.metric(f"Dibanding {label}", f"{'+' if delta >= 0 else ''}{fmt.angka(delta)}{share}", delta=None,
               help="Perubahan sebanding: hanya desa yang melapor di kedua bulan, agar naik-turun jumlah desa pelapor tidak terbaca sebagai perubahan PMKS.")
    col.caption(f"Sebanding pada {fmt.angka(same['desa'])} desa yang melapor {fmt.bulan(other)} dan {fmt.bulan(periode)}. "
                f"Total {fmt.bulan(other)}: {fmt.angka(then['jumlah'])} ({ui.completeness(then['laporan'], then['desa'])}).")
c4.metric("Laporan diterima", f"{fmt.angka(now['laporan'])}/{fmt.angka(now['desa'])}")
c4.caption(f"{fmt.persen(now['laporan'] / now['desa'])} desa/kelurahan sudah melapor")

ind = ui.release_rows(ui.q("by_indikator", periode, sel), f["rilis"])
ui.release_notice(f["rilis"])
top3 = ind.dropna(subset=["jumlah"]).head(3)
st.markdown("**Tiga indikator terbesar:** " + "; ".join(f"{r.nama} {fmt.angka(r.jumlah)}" for r in top3.itertuples()))

left, right = st.columns(2)
left.plotly_chart(charts.bar_ranked(ind, "nama", "jumlah", f"PMKS per indikator, {fmt.bulan(periode)}"), key="bar_ind")
if hidden := [f"{n} ({r})" for n, r in zip(ind["nama"], ind["rilis"]) if r]:
    left.caption("Tidak digambar (mode rilis publik): " + ", ".join(hidden) + ".")
start = months[max(0, months.index(periode) - 11)]
tr = ui.release_trend(ui.q("trend", start, periode, sel), f["rilis"])
right.plotly_chart(charts.line_trend(tr, "jumlah", "Tren 12 bulan (jiwa)"), key="trend")
right.caption("Jumlah laporan per bulan: " + ", ".join(f"{fmt.bulan_pendek(p)} {n}" for p, n in zip(tr["periode"], tr["laporan"])))

kec_sel = Selection(area=f["kecamatan"], indikator=sel.indikator)
wil = ui.release_rows(ui.q("by_wilayah", periode, kec_sel, "kecamatan" if not f["kecamatan"] else "desa"), f["rilis"])
per1000 = f["ukuran"] == "per1000"
value = "per_1000" if per1000 else "jumlah"
shown = ui.mark_estimates(wil) if per1000 else wil
level = "kecamatan" if not f["kecamatan"] else "desa"
unit = "per 1.000 penduduk" if per1000 else "jiwa"
map_col, bar_col = st.columns([3, 2]) if info["batas"] else (None, st.container())
if map_col is not None:  # the kecamatan map; the Peta page has the full controls
    geometry = ui.q("map_geometry", level, f["kecamatan"])
    data = ui.release_rows(ui.q("map_values", periode, periode, kec_sel, level, "sum"), f["rilis"])
    title = f"PMKS ({unit}) per {'kecamatan' if level == 'kecamatan' else 'desa'}"
    if per1000:
        fig = maps.choropleth(data, geometry, value, maps.classify(data[value], "quantile", 5, 1), title, unit, level, 1, size=(760, 480))
    else:
        fig = maps.circles(data, geometry, value, title, unit, level, size=(760, 480))
    map_col.plotly_chart(fig, key="peta_ringkasan", config={"displaylogo": False})
bar_col.plotly_chart(
    charts.bar_ranked(shown, "nama", value, ("PMKS per 1.000 penduduk" if per1000 else "PMKS (jiwa)") + (" per kecamatan" if not f["kecamatan"] else " per desa"), decimals=1 if per1000 else 0,
                      source="sumber_penduduk" if per1000 else None),
    key="bar_wil",
)
if per1000:
    ui.rate_notes(wil)

st.subheader("Perlu perhatian")
a, b = st.columns(2)
with a:
    st.markdown(f"**Kenaikan tertajam** dari {fmt.bulan(prev) if prev else '–'}")
    if prev:
        rises = ui.q("sharpest_rises", periode, prev, sel)
        if t := f["rilis"]:  # a small value is hidden, and so is the rise, which would give it back
            small = {c: rises[c].between(1, t - 1) for c in ("sebelumnya", "sekarang")}
            either = small["sebelumnya"] | small["sekarang"]
            rises = rises.astype({"sebelumnya": object, "sekarang": object, "kenaikan": object})
            for c in small:
                rises.loc[small[c], c] = f"<{t}"
            rises.loc[either, "kenaikan"] = "x"
        st.dataframe(
            rises.rename(columns={"nama": "Desa/Kelurahan", "kecamatan": "Kecamatan", "sebelumnya": "Sebelumnya", "sekarang": "Sekarang", "kenaikan": "Kenaikan"}).drop(columns="kode"),
            hide_index=True,
        )
with b:
    missing = ui.q("not_reported", periode, f["area"])
    st.markdown(f"**Belum melapor** {fmt.bulan(periode)}: {fmt.angka(len(missing))} desa/kelurahan")
    st.dataframe(missing.rename(columns={"nama": "Desa/Kelurahan", "kecamatan": "Kecamatan"}).drop(columns="kode"), hide_index=True)
