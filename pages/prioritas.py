"""Prioritas Intervensi: desa (or kecamatan) ranked by a composite index of PMKS rates whose weights policy staff set
here (the model is dashboard.views.prioritas)."""

import dataclasses
from datetime import date

import streamlit as st

from dashboard import asal_ui, priority, queries, ui
from dashboard.data import derived
from dashboard.export import report_xlsx
from dashboard.views import prioritas

info, f = ui.page_filters("prioritas")
user = ui.current_user()
st.title("Prioritas Intervensi")
levels = prioritas.levels(f)
if len(levels) > 1:
    tingkat = st.radio("Tingkat", levels, horizontal=True, key="prioritas_tingkat", format_func=prioritas.LEVEL_LABEL.get)
else:  # one option is no choice: say what the list is
    tingkat = levels[0]
    st.caption(prioritas.level_note(tingkat))
groups = prioritas.groups(ui.q(queries.indikator_list))
# the weights in a closed box whose title says them: the ranking comes first, on a phone too (issue 27)
chosen = {g: st.session_state.get(f"bobot_{g}", priority.DEFAULT_WEIGHT) for g in groups}
with st.expander(prioritas.weights_title(chosen, st.session_state.get("prioritas_susut", True)), icon=":material/tune:", key="prioritas_bobot"):
    st.markdown(prioritas.WEIGHTS_HELP)
    weights = {g: col.number_input(prioritas.label(g), min_value=0, max_value=10, value=priority.DEFAULT_WEIGHT, step=1, key=f"bobot_{g}")
               for col, g in zip(st.columns(len(groups)), groups)}
    shrinkage = st.toggle(prioritas.SHRINKAGE_LABEL, value=True, key="prioritas_susut")

v = ui.view(prioritas.build, f, tingkat=tingkat, weights=tuple(weights.items()), shrinkage=shrinkage,
            author=ui.user_name(), today=date.today(), width=ui.page_width())
if v.empty:
    st.warning(v.empty)
    st.stop()
st.caption(v.caption)
if v.release_notice:
    st.caption(v.release_notice)
if v.mixed_note:
    st.warning(v.mixed_note)
st.caption(v.ranked_note)
if v.none_ranked:
    st.info(v.none_ranked)
# list and map in tabs, each drawn only while shown: a grid and a map on one screen cost the browser most (issue 13)
daftar, peta = (st.tabs(["Daftar peringkat", "Peta prioritas"], key="prioritas_tampilan", on_change="rerun")
                if v.map_chart is not None else (st.container(), None))
if peta is None or daftar.open:  # type: ignore[attr-defined]  # a tab's `.open` (Streamlit 1.67) is not in its stubs
    ui.table(v.table, daftar, hide_index=True, height=560, key="prioritas_tabel", column_config={
        **{c: st.column_config.TextColumn(alignment="right") for c in v.numbers},
        "Indeks prioritas": st.column_config.TextColumn(
            alignment="right", help="0 = paling rendah, 100 = paling tinggi di antara wilayah yang dibandingkan"),
        "Kuintil": st.column_config.TextColumn(help=prioritas.QUINTILE_HELP),
        prioritas.SPARKLINE: st.column_config.LineChartColumn(help="PMKS per 1.000 penduduk, 12 bulan terakhir; bulan tanpa laporan dilewati"),
    })
# where a ranked area's counts come from, with the population its rate divides by (in rank order)
asal_ui.picker(dataclasses.replace(asal_ui.question(f), ukuran="per1000"), asal_ui.areas(v.table), key="prioritas_asal")
if peta is not None and peta.open:
    ui.chart(v.map_chart, peta, key="prioritas_peta", name=v.file_name.removesuffix(".xlsx"))
with st.expander("Cara menghitung indeks", icon=":material/functions:"):
    st.markdown(v.method)
    st.markdown(v.weights_note)

if not ui.offer("Unduh daftar prioritas (XLSX)", v.file_name, ui.XLSX, key="prioritas_xlsx",
                data_bytes=derived(report_xlsx, v.export, v.cover, v.export_title, number_formats=v.number_formats)):
    st.caption("Unduhan daftar tersedia untuk staf, analis dan admin.")
ui.brief_button(f.kecamatan or info["kode"], f, key="prioritas_pdf")
