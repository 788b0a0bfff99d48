"""Peta: where PMKS are, by kecamatan or desa, drawn offline; rates as a choropleth, counts as circles."""

import streamlit as st

from dashboard import maps, ui
from dashboard.queries import Selection
from etl import fmt

info, f = ui.page_filters("peta")
periode, sel = f["periode"], f["sel"]
kec_code = f["kecamatan"]
st.title(f"Peta PMKS — {f['area_nama'] or info['nama']}")

if not info["batas"]:
    st.warning("Batas wilayah belum diimpor, sehingga peta belum dapat digambar. "
               "Jalankan `python -m etl boundaries --download` atau impor berkas GIS dengan `python -m etl boundaries BERKAS`.")
    st.stop()

months = ui.q("periods")
scope = ui.current_user().kecamatan
kecamatan = ui.q("kecamatan_list")
kecamatan = kecamatan[kecamatan["kode"].str.startswith(scope)]
names = dict(zip(kecamatan["kode"], kecamatan["nama"]))


def _drill_from_map() -> None:
    """A click on a kecamatan shows its desa (the selection arrives before the next run)."""
    event = st.session_state.get("peta_map")
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else getattr(getattr(event, "selection", None), "points", [])
    if points and st.session_state.get("peta_level") == "kecamatan":
        codes = st.session_state.get("peta_codes", [])
        location = points[0].get("location")  # features are numbered in the order of the map geometry
        code = codes[int(location)] if isinstance(location, (int, float)) and 0 <= int(location) < len(codes) else None
        if code in names:
            st.session_state["f_kec"], st.session_state["f_desa"] = code, ""


def _drill_from_select() -> None:
    st.session_state["f_kec"], st.session_state["f_desa"] = st.session_state["peta_kec"], ""


c1, c2, c3 = st.columns([2, 2, 3])
with c1:
    st.session_state["peta_kec"] = kec_code
    st.selectbox("Kecamatan (pilih untuk melihat desanya)", ([] if scope else [""]) + list(kecamatan["kode"]), key="peta_kec",
                 on_change=_drill_from_select, format_func=lambda k: "— semua kecamatan —" if not k else f"Kec. {names[k]}",
                 disabled=bool(scope))
    if kec_code and not scope:
        st.button("Kembali ke seluruh kabupaten", on_click=lambda: st.session_state.update(f_kec="", f_desa=""), key="peta_up")
with c2:
    level = "desa" if kec_code else st.radio("Tingkat", ["kecamatan", "desa"], horizontal=True, key="peta_tingkat",
                                              format_func=lambda t: "Kecamatan" if t == "kecamatan" else "Desa/kelurahan")
    mode = st.radio("Tampilan", ["sebaran", "perubahan"], horizontal=True, key="peta_mode",
                    format_func=lambda m: "Sebaran" if m == "sebaran" else "Perubahan antarbulan")
with c3:
    span = st.radio("Periode", ["bulan", "rata", "jumlah"], horizontal=True, key="peta_periode",
                    format_func={"bulan": f"{fmt.bulan(periode)}", "rata": "Rata-rata rentang", "jumlah": "Jumlah rentang"}.get)
    if span != "bulan":
        start, end = st.select_slider("Rentang", options=months, value=(months[max(0, months.index(periode) - 11)], periode),
                                      format_func=fmt.bulan, key="peta_rentang")
    else:
        start = end = periode
st.session_state["peta_level"] = level

per1000 = f["ukuran"] == "per1000"
value = "per_1000" if per1000 else "jumlah"
unit = "per 1.000 penduduk" if per1000 else "jiwa"
decimals = 1 if per1000 or span == "rata" else 0
area = Selection(area=kec_code, indikator=sel.indikator)
how = "mean" if span == "rata" else "sum"
public = f["rilis"]
data = ui.release_rows(ui.q("map_values", start, end, area, level, how), public)
geometry = ui.q("map_geometry", level, kec_code)

c4, c5, c6, c7 = st.columns([2, 2, 2, 3])
style = c4.selectbox("Gaya", ["otomatis", "koroplet", "lingkaran"], key="peta_gaya",
                     format_func={"otomatis": "Otomatis (sesuai ukuran)", "koroplet": "Koroplet (warna)", "lingkaran": "Lingkaran proporsional"}.get)
method = c5.selectbox("Klasifikasi", list(maps.METHODS), format_func=maps.METHODS.get, key="peta_metode")
k = c6.slider("Jumlah kelas", 3, 7, 5, key="peta_kelas")
stable = c7.checkbox("Kelas tetap saat bulan diganti (dari 12 bulan terakhir)", key="peta_tetap")

period_label = fmt.bulan(periode) if span == "bulan" else f"{'rata-rata' if span == 'rata' else 'jumlah'} {fmt.bulan(start)} – {fmt.bulan(end)}"
where = f"Kec. {names[kec_code]}" if kec_code else info["nama"]
if mode == "perubahan":
    earlier = [m for m in months if m < periode]
    default = periode.replace(year=periode.year - 1) if periode.replace(year=periode.year - 1) in months else (earlier[-1] if earlier else None)
    if default is None:
        st.info("Belum ada bulan sebelumnya untuk dibandingkan.")
        st.stop()
    other = st.selectbox("Dibandingkan dengan", earlier[::-1], index=earlier[::-1].index(default), format_func=fmt.bulan, key="peta_banding")
    before = ui.release_rows(ui.q("map_values", other, other, area, level, "sum"), public).set_index("kode")
    now = ui.release_rows(ui.q("map_values", periode, periode, area, level, "sum"), public).set_index("kode")
    data = now.copy()
    data[value] = now[value] - before[value]
    data = data.reset_index()
    classes = maps.classify(data[value], k=k, decimals=decimals, diverging=True)
    fig = maps.choropleth(data, geometry, value, classes, f"Perubahan PMKS ({unit}), {fmt.bulan(other)} → {fmt.bulan(periode)} — {where}",
                          f"perubahan {unit}", level, decimals)
    st.caption("Biru: turun, merah: naik; abu-abu: salah satu bulan tidak ada laporan" + (" atau penduduk" if per1000 else "") + ".")
else:
    circles = style == "lingkaran" or (style == "otomatis" and not per1000)
    if circles:
        fig = maps.circles(data, geometry, value, f"PMKS ({unit}), {period_label} — {where}", unit, level, decimals)
    else:
        pool = data[value]
        if stable and span == "bulan":  # classes from the latest 12 months, the same whichever month is shown
            recent = months[-12:]
            pool = [v for m in recent for v in ui.q("map_values", m, m, area, level, "sum")[value].dropna()]
        classes = maps.classify(pool, method, k, decimals)
        fig = maps.choropleth(data, geometry, value, classes, f"PMKS ({unit}), {period_label} — {where}", unit, level, decimals)

st.session_state["peta_codes"] = geometry["kode"].tolist()
st.plotly_chart(fig, key="peta_map", on_select=_drill_from_map, selection_mode="points",
                config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": f"peta_pmks_{level}_{periode:%Y-%m}", "scale": 2}})
received, total = int(data["laporan"].sum()), int(data["desa"].sum())
st.caption(f"{ui.completeness(received if span == 'bulan' else int(ui.q('total_for_month', periode, area)['laporan']), total)} pada {fmt.bulan(periode)}. "
           "Klik kecamatan di peta (atau pilih di atas) untuk melihat desanya; tombol kamera di pojok peta menyimpan PNG.")
if per1000:
    ui.rate_notes(data)
ui.release_notice(public)

shown = maps.with_rank(data, value)
table = shown.assign(
    Wilayah=shown["nama"], Kecamatan=shown["kecamatan"] if level == "desa" else shown["nama"],
    Nilai=[r or v for r, v in zip(shown["rilis"], shown[value].astype("Float64").round(decimals))] if public
    else shown[value].astype("Float64").round(decimals), Peringkat=shown["peringkat"].astype("Int64"),
    **{"Desa melapor": [f"{int(a)}/{int(b)}" for a, b in zip(shown["laporan"], shown["desa"])]},
    Penduduk=shown["penduduk"].astype("Float64") if not public else None,
    **{"Penduduk perkiraan": ["ya" if e is True or e == 1 else "tidak" for e in shown["perkiraan"]],
       "Sumber penduduk": shown["sumber_penduduk"].fillna("–") if "sumber_penduduk" in shown else "–"},
)[["Wilayah", "Kecamatan", "Nilai", "Peringkat", "Desa melapor", "Penduduk", "Penduduk perkiraan", "Sumber penduduk"]]
if public:  # population beside a rate would give the hidden count back
    table = table.drop(columns=["Penduduk"])
table = table.rename(columns={"Nilai": f"Nilai ({unit})" if mode == "sebaran" else f"Perubahan ({unit})"}).sort_values("Peringkat", na_position="last")
with st.expander("Tabel di balik peta", expanded=False):
    shown_table = table.map(lambda v: fmt.angka(v, decimals) if isinstance(v, float) else v) if public else table
    st.dataframe(shown_table, hide_index=True)
    ui.download_buttons(table, f"peta_pmks_{level}_{periode:%Y-%m}", "peta")
