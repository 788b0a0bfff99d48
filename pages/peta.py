"""Peta: where PMKS are, drawn offline (model: dashboard.views.peta); this page holds the map's own controls."""

import streamlit as st

from accounts import rulebook
from common import fmt
from dashboard import asal_ui, maps, queries, ui
from dashboard.filters import set_area
from dashboard.views import peta

info, f = ui.page_filters("peta")
st.title(peta.heading(f, info["nama"]))
if not info["batas"]:  # nothing to draw on: say so before any map control
    st.warning(ui.view(peta.build, f).stop)
    if rulebook.may_open(ui.current_user(), "pengaturan"):  # the admin can install them in a click
        st.page_link("pages/pengaturan.py", label="Buka Pengguna & Pengaturan", icon=":material/arrow_forward:")
    st.stop()
months, scope = ui.q(queries.periods), ui.area()
names = ui.kecamatan_names()


def _drill_from_map() -> None:
    """A click on a kecamatan shows its desa; a click on any area offers where its number comes from (the selection
    arrives before the next run)."""
    code = asal_ui.clicked(st.session_state.get("peta_map"), st.session_state.get("peta_codes", []))
    st.session_state["peta_asal"] = code
    if code and st.session_state.get("peta_level") == "kecamatan" and code in names:
        set_area(code)


c1, c2, c3 = st.columns([2, 2, 3])
with c1:  # the kecamatan is the sidebar's; a click on the map or the button changes it
    level = "desa" if f.kecamatan else st.radio("Tingkat", ["kecamatan", "desa"], horizontal=True, key="peta_tingkat",
                                                 format_func=lambda t: "Kecamatan" if t == "kecamatan" else "Desa/kelurahan")
    if f.kecamatan and not scope:
        st.button("Kembali ke seluruh kabupaten", on_click=set_area, args=("",), key="peta_up")
with c2:
    mode = st.radio("Tampilan", ["sebaran", "perubahan"], horizontal=True, key="peta_mode",
                    format_func=lambda m: "Sebaran" if m == "sebaran" else "Perubahan antarbulan")
with c3:
    span = st.radio("Periode", ["bulan", "rata", "jumlah"], horizontal=True, key="peta_periode",
                    format_func={"bulan": fmt.bulan(f.periode), "rata": "Rata-rata rentang", "jumlah": "Jumlah rentang"}.get)
    start, end = (st.select_slider("Rentang", options=months, value=(months[max(0, months.index(f.periode) - 11)], f.periode),
                                   format_func=fmt.bulan, key="peta_rentang") if span != "bulan" else (None, None))
st.session_state["peta_level"] = level
c4, c5, c6, c7 = st.columns([2, 2, 2, 3])
style = c4.selectbox("Gaya", ["otomatis", "koroplet", "lingkaran"], key="peta_gaya",
                     format_func=lambda s: {"otomatis": "Otomatis", "koroplet": "Warna (koroplet)", "lingkaran": "Lingkaran"}[s],
                     help="Otomatis: warna untuk laju per 1.000 penduduk, lingkaran proporsional untuk jumlah jiwa.")
method, k, stable = "quantile", 5, False
if not peta.uses_circles(f, mode, style):  # circles have no classes
    method = c5.selectbox("Klasifikasi", list(maps.METHODS), format_func=lambda m: maps.METHODS[m], key="peta_metode")
    k = c6.slider("Jumlah kelas", 3, 7, 5, key="peta_kelas")
    stable = c7.checkbox("Kelas tetap antarbulan", key="peta_tetap",
                         help="Batas kelas dihitung dari 12 bulan terakhir, sehingga warna yang sama berarti nilai yang sama "
                              "bulan apa pun yang ditampilkan.")
other = None
if mode == "perubahan" and (earlier := [m for m in months if m < f.periode][::-1]):
    other = st.selectbox("Dibandingkan dengan", earlier, index=earlier.index(peta.compare_default(months, f.periode)),
                         format_func=fmt.bulan, key="peta_banding")

choice = peta.MapChoice(level, mode, span, start, end, style, method, k, stable, other, ui.page_width())
v = ui.view(peta.build, f, choice=choice)
if v.stop:
    st.warning(v.stop)
    st.stop()
st.session_state["peta_codes"] = v.codes
ui.chart(v.figure, key="peta_map", name=v.name, on_select=_drill_from_map, selection_mode="points")
asal_ui.map_link(f, st.session_state.get("peta_asal"), info["kode"] or "", end if span != "bulan" else None)
for note in v.notes:
    st.caption(note)
if rulebook.may(ui.current_user(), "unduh"):  # leadership gets no camera: no downloads (README, Security model)
    st.caption(peta.CAMERA_NOTE)
if v.release_notice:
    st.caption(v.release_notice)
table_box = st.expander("Tabel di balik peta", expanded=False, key="peta_tabel", on_change="rerun")
if table_box.open:  # drawn only when opened: the page's first view needs no table code in the browser
    with table_box:
        ui.table(v.table, hide_index=True)
        ui.download_buttons(v.export, v.name, "peta")
