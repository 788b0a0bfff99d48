"""Verifikasi Laporan (issue 25): the kecamatan's verifikator checks the PSM reports sent from its desa and verifies
or returns them with a comment; Dinsos (analis, admin) approves verified reports in bulk; an admin may withdraw an
approval with a reason (widgets: dashboard.verifikasi_view; rules and writes: lapor)."""

import streamlit as st

import lapor
from accounts import rulebook
from common.errors import PMKSError
from dashboard import lapor_view, ui, verifikasi_view

user, _ = ui.open_page("verifikasi", reports=False)
st.title("Verifikasi Laporan")
store = ui.data.store()
lapor_view.flash()
try:
    items = lapor.queue(store, user)
except PMKSError as exc:
    st.error(exc.short, icon=":material/block:")
    st.stop()
approver = rulebook.may(user, "lapor_setujui")
waiting = [i for i in items if i.status == "dikirim"]
verified = [i for i in items if i.status == "diverifikasi"]

if approver:  # Dinsos: the verified reports of every kecamatan
    st.subheader("Menunggu persetujuan Dinsos")
    verifikasi_view.approval_queue(verified)
    if waiting:  # sent from a kecamatan without a verifikator account: Dinsos verifies them itself
        st.subheader("Menunggu verifikasi (kecamatan tanpa verifikator)")
        ui.list_table(verifikasi_view.queue_table(waiting), label="Laporan menunggu verifikasi")
else:  # the kecamatan's verifikator: the reports its desa sent
    st.subheader("Menunggu verifikasi")
    if waiting:
        ui.list_table(verifikasi_view.queue_table(waiting), label="Laporan menunggu verifikasi")
    else:
        st.caption("Tidak ada laporan yang menunggu verifikasi.")

st.subheader("Buka laporan")
chosen = verifikasi_view.choose_report(waiting + verified)
if chosen is not None:
    verifikasi_view.report(*chosen)
if rulebook.may(user, "lapor_batal_setuju"):
    st.subheader("Batalkan persetujuan")
    verifikasi_view.unapprove_section()
