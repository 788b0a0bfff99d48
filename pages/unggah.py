"""Unggah Data: analysts upload PSM reports, see what is wrong or what will change, and confirm (model:
dashboard.views.unggah; actions: dashboard.upload)."""

from datetime import date
from typing import Any

import streamlit as st

from common import fmt
from common.config import db_path
from common.errors import PMKSError
from dashboard import queries, ui, upload
from dashboard.views import unggah
from etl.cli.reports import STATUS, read_only_check

user, info = ui.open_page("unggah", reports=False)
st.title("Unggah Laporan PSM")
st.caption("Formulir desa, rekap kecamatan atau tabel panjang (.xlsx, .xls, .ods, .csv). Tidak ada yang disimpan "
           "sebelum Anda menekan **Simpan**; berkas dengan kesalahan tidak disimpan sama sekali.")
ui.offer("Unduh formulir PSM kosong (.xlsx)", "formulir_psm.xlsx", ui.XLSX, key="unggah_formulir", data_bytes=upload.template(),
         action="unggah")
if message := st.session_state.pop("unggah_pesan", None):
    st.success(message)
if problem := st.session_state.pop("unggah_galat", None):
    st.error(problem)

uploaded = st.file_uploader("Pilih satu atau beberapa berkas laporan", type=["xlsx", "xlsm", "xls", "ods", "csv"], accept_multiple_files=True,
                            key=f"unggah_berkas_{st.session_state.setdefault('unggah_nonce', 0)}", help=f"Paling besar {upload.LIMIT_MB} MB per berkas.")
ui.upload_hint()
replace = st.checkbox("Ganti laporan desa × bulan yang sudah tersimpan (perubahannya ditampilkan dulu)", key="unggah_ganti")
# What the analyst knows about files that do not say it themselves; used only where a file is silent.
names = {k: v for k, v in ui.kecamatan_names().items() if k.startswith(ui.area())}
left, right = st.columns(2)
given: dict[str, Any] = {
    "kecamatan": left.selectbox("Kecamatan (bila berkas tidak menyebutnya)", [None, *names], key="unggah_kecamatan",
                                format_func=lambda k: "– dari berkas –" if k is None else f"{names[k]} ({k})"),
    "periode": right.selectbox("Bulan laporan (bila berkas tidak menyebutnya)", [None, *unggah.months_offered(date.today())],
                               key="unggah_periode", format_func=lambda m: "– dari berkas –" if m is None else fmt.bulan(m)),
}
if not uploaded:
    st.info("Pilih berkas untuk diperiksa.")
    st.stop()
if not (files := upload.read(uploaded)):
    st.stop()
try:
    results, snapshot = read_only_check(db_path(), files, ui.sheet_reader(), replace=replace, user=ui.user_name(), scope=ui.area(),
                                        aliases=dict(st.session_state.setdefault("unggah_pilihan", {})), **given)
except PMKSError as exc:
    st.error(ui.plain(exc.short))
    st.stop()
ui.table(unggah.summary(results), hide_index=True, key="unggah_ringkasan")

for index, result in enumerate(results):
    with st.expander(f"{STATUS[result.status].capitalize()} — {result.file}", expanded=result.status != "unchanged"):
        if result.note:
            st.caption(result.note)
        if result.issues:  # a plain table: long messages and suggestions wrap instead of being cut
            ui.list_table(unggah.issues(result), height=420 if len(result.issues) > 10 else None, label=f"Masalah dalam {result.file}")
        upload.pickers(index, result)
        if result.tally:
            st.caption("Setiap angka dalam berkas: dibaca, jumlah/total yang diperiksa, diabaikan (dengan alasannya), tidak terbaca.")
            ui.table(unggah.tally(result), hide_index=True, key=f"unggah_angka_{index}")
        if result.status == "accepted":
            labels = {k: ui.q(queries.area_label, k) for k in result.reports["kode_desa"]}
            ui.table(unggah.preview(result, labels), hide_index=True, key=f"unggah_laporan_{index}")
        if text := unggah.changes(result):
            st.markdown("**Perubahan terhadap data tersimpan:**")
            st.code(text, language=None)

plan = unggah.plan(results)
if not plan.accepted:
    st.warning("Tidak ada berkas yang dapat disimpan. Perbaiki kesalahan di atas lalu unggah ulang.")
    st.stop()
confirmed = not plan.replacing or st.checkbox(f"Saya sudah memeriksa perubahan di atas dan setuju mengganti {fmt.angka(plan.replacing)} "
                                              "laporan yang tersimpan.", key="unggah_setuju_ganti")
st.caption(plan.caption)
st.button("Simpan ke basis data", type="primary", disabled=not confirmed, key="unggah_simpan",
          on_click=upload.save, args=(files, results, snapshot, replace, given))
