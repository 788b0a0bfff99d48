"""Asal Angka: "Dari mana angka ini?" for one area × month × indicators (model: dashboard.views.asal). Every page's
numbers link here with the question in the URL; the original files download for analysts and admins only."""

import mimetypes
from datetime import date
from functools import partial

import streamlit as st

from accounts import rulebook
from dashboard import asal_ui, data, queries, ui
from dashboard.views import asal

user, info = ui.open_page("asal")
st.title("Dari mana angka ini?")
months = ui.q(queries.periods)
latest = ui.q(queries.latest_complete_month, date.today(), ui.due_day())
question = asal.from_params(st.query_params.to_dict(), ui.release_threshold(), ui.area(), latest or months[-1])
if isinstance(question, str):
    st.warning(question)
    st.stop()
if not rulebook.covers(user, question.area):  # by URL too: a scoped user never sees another kecamatan's panel
    st.error("Wilayah ini di luar wilayah akun Anda; asal angkanya tidak dapat ditampilkan.", icon=":material/block:")
    st.stop()
v = data.provenance(question)
if v.stop:
    st.warning(v.stop)
    st.stop()
st.subheader(v.heading)
st.markdown(v.number)
for line in v.population:
    st.markdown(asal_ui.escape(line))
if v.missing:
    st.caption(asal_ui.escape(v.missing))
if v.release_notice:
    st.caption(v.release_notice)

st.markdown(f"**Rincian per {v.level}**")
ui.table(v.parts_table, hide_index=True, key="asal_bagian")
named = {k: n for k, n in zip(v.parts["kode"], v.parts["nama"]) if k != question.area}
if named:
    asal_ui.picker(question, named, key="asal_turun")
if not v.cells_table.empty:
    st.markdown("**Nilai dan sel sumbernya**")
    st.caption("Sel menunjuk ke lembar dan sel berkas asli tempat nilai itu dibaca (L + P bila kolom Jumlah tidak diisi).")
    ui.table(v.cells_table, hide_index=True, key="asal_sel")
if not v.history_table.empty:
    st.markdown("**Riwayat laporan**")
    ui.table(v.history_table, hide_index=True, key="asal_riwayat")

if not v.files.empty:
    st.markdown("**Berkas asli**")
    for row in v.files.itertuples():
        if rulebook.may(user, "asli") and rulebook.covers(user, row.wilayah):
            ui.offer(f"Unduh berkas asli: {row.nama_berkas}", row.nama_berkas,
                     mimetypes.guess_type(row.nama_berkas)[0] or "application/octet-stream", key=f"asal_berkas_{row.sha256[:16]}",
                     build=partial(data.kept_file, row.sha256), action="asli", area=row.wilayah,
                     help=f"SHA-256 {row.sha256}; setiap unduhan tercatat di audit")
        else:
            st.caption(f"{asal_ui.escape(row.nama_berkas)}: berkas asli dapat diunduh oleh analis dan admin wilayahnya.")
