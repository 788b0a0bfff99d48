"""Pengguna & Pengaturan (admin): who may use the dashboard, the reporting due day, the public release threshold,
the desa population files the rates stand on and the desa boundaries the maps draw (sections: dashboard.admin_view)."""

import streamlit as st

from common.errors import PMKSError
from dashboard import admin_view, lapor_admin, session, ui
from dashboard.penduduk_view import population_upload
from dashboard.views import pengaturan

user, info = ui.open_page("pengaturan", reports=False)
st.title("Pengguna & Pengaturan")
if message := st.session_state.pop("pengaturan_pesan", None):
    st.success(message)
if problem := st.session_state.pop("pengaturan_galat", None):
    st.error(problem)

st.subheader("Pengguna")
known = session.users()
v = ui.view(pengaturan.build, None, users=tuple((k, e["nama"], e["peran"], e["kecamatan"], e.get("desa") or "")
                                                         for k, e in known.items()))
admin_view.users_section(v.users)
lapor_admin.passwords_ready()  # the one-time passwords just created, above everything else of the section
with st.expander("Akun PSM sekaligus dari berkas (CSV/XLSX)", key="psm_massal"):
    lapor_admin.bulk_accounts_section()


def _save(key: str, widget: str, message: str) -> None:
    """Store one setting from its widget, audited; `message` is formatted with the value."""
    from store.schema import audit, set_setting

    value = int(st.session_state[widget])

    def action(con):
        set_setting(con, key, str(value))
        audit(con, ui.user_name(), "pengaturan", f"{key}={value}", None)

    try:
        ui.write(action)
    except PMKSError as exc:
        st.session_state["pengaturan_galat"] = f"Pengaturan tidak disimpan: {ui.plain(exc.short)}"
        return
    st.session_state["pengaturan_pesan"] = message.format(value=value, below=value - 1)


st.subheader("Batas tepat waktu laporan")
st.number_input("Laporan tepat waktu bila diterima paling lambat tanggal … bulan berikutnya", 1, 28, ui.due_day(), key="pengaturan_hari")
st.button("Simpan pengaturan", key="pengaturan_simpan", on_click=_save,
          args=("hari_batas_laporan", "pengaturan_hari", "Laporan bulan B kini tepat waktu bila diterima paling lambat tanggal {value} bulan B+1."))
lapor_admin.settings_section()
with st.expander("Buka kembali pengisian satu desa (pengecualian)", key="buka_kembali"):
    lapor_admin.reopen_section()

st.subheader("Mode rilis publik")
st.number_input("Sembunyikan jumlah di bawah …", 2, 20, ui.release_threshold(), key="pengaturan_ambang",
                help="Jumlah 1 sampai ambang-1 ditampilkan sebagai <ambang pada tabel, grafik dan PDF saat mode rilis publik dinyalakan.")
st.button("Simpan ambang", key="pengaturan_simpan_ambang", on_click=_save,
          args=("ambang_rilis", "pengaturan_ambang", "Mode rilis publik kini menyembunyikan jumlah 1 sampai {below} (ditulis <{value})."))



st.subheader("Berkas asli yang diimpor")
admin_view.retention_section()

st.subheader("Penduduk desa (penyebut laju per 1.000)")
st.markdown(v.coverage_headline)
ui.table(v.coverage, hide_index=True, key="penduduk_cakupan")
st.caption("Jumlah desa dan angka kecamatan berasal dari sumber dan tanggal berbeda; keduanya ditampilkan berdampingan, "
           "tidak dipaksakan sama. Laju kecamatan memakai angka kecamatan.")
population_upload(user)

st.subheader("Batas wilayah desa (peta)")
admin_view.boundary_section(info["batas"])
