"""Riwayat Impor: every import batch (who, when, files, SHA-256), rollback, and the audit log."""

import streamlit as st

from common import fmt
from common.errors import PMKSError
from dashboard import ui
from dashboard.views import riwayat

user, info = ui.open_page("riwayat", reports=False)
st.title("Riwayat Impor")
if message := st.session_state.pop("riwayat_pesan", None):
    st.success(message)
if problem := st.session_state.pop("riwayat_galat", None):
    st.error(problem)

v = ui.view(riwayat.build_for, None, audit=True)
if v.batches.empty:
    st.info("Belum ada impor.")
    st.stop()
ui.table(v.batches, hide_index=True, key="riwayat_tabel")
if ui.area():
    st.caption("Kolom Laporan menghitung laporan di kecamatan Anda saja; batch yang juga menyentuh kecamatan lain hanya dapat "
               "dibatalkan admin seluruh kabupaten.")
ui.download_buttons(v.batches, "riwayat_impor", "riwayat")

if user.peran != "admin":
    st.caption("Pembatalan batch dan catatan audit hanya untuk admin.")
    st.stop()

st.subheader("Batalkan satu batch impor")
st.caption("Laporan dari batch itu dicabut dan laporan yang digantinya dipulihkan persis seperti semula; pembatalan "
           "dicatat sebagai batch tersendiri. Batch yang sebagian laporannya sudah diganti impor berikutnya harus "
           "menunggu impor berikutnya itu dibatalkan dulu. Laporan dari Lapor Bulanan ditarik di halaman Verifikasi "
           "(Kembalikan, atau Batalkan persetujuan), agar statusnya ikut tercatat.")


def _rollback(batch: int) -> None:
    """Undo a batch (the button's callback, before the next run draws the page)."""
    import json

    from etl.write.load import rollback_batch
    from store.schema import audit

    def action(con):
        result = rollback_batch(con, batch, ui.user_name())
        audit(con, ui.user_name(), "rollback", f"batch {batch}", json.dumps(result))
        return result

    try:
        result = ui.write(action)
    except PMKSError as exc:
        st.session_state["riwayat_galat"] = ui.plain(exc.short)
        return
    st.session_state["riwayat_pesan"] = (f"Batch {batch} dibatalkan: {fmt.angka(result['dihapus'])} laporan dicabut, "
                                         f"{fmt.angka(result['dipulihkan'])} laporan lama dipulihkan.")


if not v.undoable:
    st.info("Tidak ada batch yang dapat dibatalkan.")
else:
    chosen = st.selectbox("Batch", list(v.undoable), key="riwayat_batch", format_func=v.undoable.get)
    typed = st.text_input("Ketik nomor batch untuk memastikan", key="riwayat_konfirmasi")
    st.button("Batalkan batch ini", disabled=typed.strip() != str(chosen), key="riwayat_batal", on_click=_rollback, args=(int(chosen),))

st.subheader("Catatan audit")
ui.table(v.audit, hide_index=True, key="riwayat_audit")
ui.download_buttons(v.audit, "catatan_audit", "audit")
