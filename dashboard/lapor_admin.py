"""The admin's controls of Lapor Bulanan on Pengguna & Pengaturan (issue 25): PSM accounts in bulk from a CSV/XLSX
(preview, then one-time passwords as printable PDF and XLSX downloads), the lock days beside the due day, what the
dashboards count of the web reports, and reopening one desa x month as a recorded exception. The rules and writes are
`accounts.bulk` and `lapor`'s; every outcome is shown once at the top of the page after the rerun."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

import lapor
from accounts import bulk
from common import fmt
from common.errors import PMKSError
from dashboard import data, lapor_view, ui, verifikasi_view
from etl.resolve import accounts as read_accounts

MESSAGE, PROBLEM = "pengaturan_pesan", "pengaturan_galat"  # shown at the top of Pengguna & Pengaturan
PASSWORDS = "psm_sandi_baru"  # session_state: the one-time passwords just created (shown once, this session only)
COUNT_LABEL = {lapor.COUNT_APPROVED: "Hanya laporan yang sudah disetujui Dinsos",
               lapor.COUNT_SENT: "Setiap laporan yang sudah dikirim (yang belum disetujui ditandai)"}


def _preview(name: str, raw: bytes) -> bulk.Preview:
    """The preview of an uploaded file, read once per file content for this session."""
    key = hashlib.sha256(raw).hexdigest()
    kept = st.session_state.get("psm_pratinjau")
    if kept is not None and kept[0] == key:
        return kept[1]
    preview = read_accounts.preview_accounts(data.store(), raw, name)
    st.session_state["psm_pratinjau"] = (key, preview)
    return preview


def _create(preview: bulk.Preview) -> None:
    """Button callback: every account of the preview in one transaction, audited; the passwords kept to download."""
    try:
        made = bulk.create_accounts(data.store(), lapor_view.st_user(), preview)
    except PMKSError as exc:
        st.session_state[PROBLEM] = f"Akun PSM tidak dibuat: {exc.short}"
        return
    st.session_state[PASSWORDS] = made
    st.session_state["psm_nonce"] = st.session_state.get("psm_nonce", 0) + 1
    st.session_state.pop("psm_pratinjau", None)
    st.session_state[MESSAGE] = (f"{fmt.angka(len(made))} akun PSM dibuat. Unduh dan cetak kata sandi sekali pakainya "
                                 "sekarang: kata sandi itu tidak dapat ditampilkan lagi.")


def _candidates(preview: bulk.Preview) -> pd.DataFrame:
    c = preview.candidates
    return pd.DataFrame({"Baris": [x.baris for x in c], "Nama": [x.nama for x in c], "Nama akun": [x.login for x in c],
                         "Desa": [x.nama_desa for x in c], "Kode desa": [x.kode_desa for x in c],
                         "Telepon": [x.telepon for x in c]})


def passwords_ready() -> None:
    """The one-time passwords just created: printable PDF and XLSX, offered to this session only (audited)."""
    made = st.session_state.get(PASSWORDS)
    if not made:
        return
    st.warning(f"Kata sandi sekali pakai {fmt.angka(len(made))} akun PSM siap diunduh. Setiap PSM wajib mengganti kata "
               "sandinya saat pertama masuk.", icon=":material/key:")
    row = st.container(horizontal=True, gap="small")
    ui.offer("Unduh kata sandi PSM (PDF untuk dicetak)", "sandi_psm.pdf", "application/pdf", key="psm_sandi_pdf",
             data_bytes=bulk.onetime_passwords_pdf(made), action="pengguna", target=row)
    ui.offer("Unduh kata sandi PSM (XLSX)", "sandi_psm.xlsx", ui.XLSX, key="psm_sandi_xlsx",
             data_bytes=bulk.onetime_passwords_xlsx(made), action="pengguna", target=row)
    st.button("Selesai: hapus kata sandi dari layar", key="psm_sandi_selesai",
              on_click=lambda: st.session_state.pop(PASSWORDS, None))


def bulk_accounts_section() -> None:
    """Upload a list of PSM (nama, desa code or name, phone), see what it would create, create every account."""
    nonce = st.session_state.setdefault("psm_nonce", 0)
    upload = st.file_uploader("Daftar PSM (kolom: nama, desa, telepon)", type=["csv", "xlsx"], key=f"psm_berkas_{nonce}")
    ui.upload_hint("Format yang diterima: .csv dan .xlsx; desa ditulis dengan kode (mis. 35.23.18.2001) atau nama.")
    if upload is None:
        return
    try:
        preview = _preview(upload.name, upload.getvalue())
    except PMKSError as exc:
        st.error(f"{exc.short} Tidak ada akun yang dibuat.")
        return
    for problem in preview.problems:
        st.error(problem)
    if preview.candidates:
        st.markdown(f"**Pratinjau: {fmt.angka(len(preview.candidates))} akun PSM**")
        ui.table(_candidates(preview), key="psm_pratinjau_tabel")
    if preview.ok:
        st.button(f"Buat {fmt.angka(len(preview.candidates))} akun PSM", key="psm_buat", type="primary",
                  on_click=_create, args=(preview,))
    elif preview.problems:
        st.caption("Perbaiki berkas lalu unggah lagi; tidak ada akun yang dibuat selama masih ada masalah.")


def _save_settings() -> None:
    s = st.session_state
    try:
        lapor.save_settings(data.store(), lapor_view.st_user(), int(s["lapor_kunci"]), s["lapor_hitung"])
    except PMKSError as exc:
        s[PROBLEM] = f"Pengaturan laporan tidak disimpan: {exc.short}"
        return
    s[MESSAGE] = (f"Pengisian laporan bulan B kini ditutup {fmt.angka(int(s['lapor_kunci']))} hari sesudah tanggal batas; "
                  f"dasbor menghitung: {COUNT_LABEL[s['lapor_hitung']].lower()}.")


def settings_section() -> None:
    """Beside the due day: the lock days and what the dashboards count of the web reports."""
    current = lapor.settings(data.store())
    st.number_input("Pengisian di aplikasi ditutup … hari sesudah tanggal batas", 0, 60, current.hari_kunci,
                    key="lapor_kunci", help="Sesudah itu PSM tidak dapat lagi mengubah laporan bulan itu; admin dapat "
                    "membukanya kembali untuk satu desa dan bulan dengan alasan.")
    st.radio("Dasbor menghitung laporan dari aplikasi", list(COUNT_LABEL), format_func=COUNT_LABEL.get,
             index=list(COUNT_LABEL).index(current.hitung) if current.hitung in COUNT_LABEL else 0, key="lapor_hitung")
    st.button("Simpan pengaturan laporan", key="lapor_atur_simpan", on_click=_save_settings)


def _reopen() -> None:
    s = st.session_state
    reason = lapor_view.reason("buka_alasan", "Tulis alasan membuka kembali; alasan itu dicatat di log audit.", PROBLEM)
    if not reason:
        return
    try:
        lapor.reopen(data.store(), lapor_view.st_user(), s["buka_desa"], s["buka_bulan"], reason, days=int(s["buka_hari"]))
    except PMKSError as exc:
        s[PROBLEM] = f"Laporan tidak dibuka kembali: {exc.short}"
        return
    s["buka_alasan"] = ""
    names = verifikasi_view.desa_choices()
    s[MESSAGE] = (f"Laporan {names.get(s['buka_desa'], s['buka_desa'])} {fmt.bulan(s['buka_bulan'])} dibuka kembali "
                  f"untuk PSM selama {int(s['buka_hari'])} hari; pengecualian ini tercatat.")


def reopen_section() -> None:
    """An admin's exception to the lock: one desa x month open again, with a reason (recorded)."""
    names = verifikasi_view.desa_choices()
    a, b = st.columns(2)
    a.selectbox("Desa", list(names), format_func=lambda k: names[k], key="buka_desa")
    b.selectbox("Bulan", verifikasi_view.months(), format_func=fmt.bulan, key="buka_bulan")
    st.number_input("Dibuka selama … hari", 1, 90, 7, key="buka_hari")
    st.text_input("Alasan", key="buka_alasan", max_chars=300)
    st.button("Buka kembali pengisian", key="buka_simpan", icon=":material/lock_open:", on_click=_reopen)
