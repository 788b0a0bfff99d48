"""Pengguna & Pengaturan (admin): who may use the dashboard, the reporting due day, the public release threshold."""

import pandas as pd
import streamlit as st

from dashboard import queries, session, ui
from etl.users import ROLE_LABEL, users_file

user, info = ui.open_page("pengaturan", reports=False)
st.title("Pengguna & Pengaturan")
if message := st.session_state.pop("pengaturan_pesan", None):
    st.success(message)

st.subheader("Pengguna")
known = session.users()
if not known:
    st.info("Belum ada pengguna: aplikasi berjalan tanpa login (mode demo). Tambahkan pengguna di server dengan "
            "`python -m etl user add NAMA --role analis [--kecamatan 35.23.18]`; setelah itu setiap orang harus masuk.")
else:
    st.dataframe(pd.DataFrame({
        "Nama pengguna": list(known),
        "Nama": [e.get("nama", "") for e in known.values()],
        "Peran": [ROLE_LABEL[e["peran"]] for e in known.values()],
        "Kecamatan": [ui.q(queries.area_label, e["kecamatan"]) if e.get("kecamatan") else "semua" for e in known.values()],
    }), hide_index=True)
    st.caption(f"Berkas pengguna: {users_file()} (kata sandi disimpan sebagai hash scrypt bergaram). "
               "Ubah dengan `python -m etl user add` / `python -m etl user remove`.")



def _save(key: str, widget: str, message: str) -> None:
    """Store one setting from its widget, audited; `message` is formatted with the value."""
    from etl.db import audit, set_setting

    value = int(st.session_state[widget])

    def action(con):
        set_setting(con, key, str(value))
        audit(con, ui.user_name(), "pengaturan", f"{key}={value}", None)

    ui.write(action)
    st.session_state["pengaturan_pesan"] = message.format(value=value, below=value - 1)


st.subheader("Batas tepat waktu laporan")
st.number_input("Laporan tepat waktu bila diterima paling lambat tanggal … bulan berikutnya", 1, 28, ui.due_day(), key="pengaturan_hari")
st.button("Simpan pengaturan", key="pengaturan_simpan", on_click=_save,
          args=("hari_batas_laporan", "pengaturan_hari", "Laporan bulan B kini tepat waktu bila diterima paling lambat tanggal {value} bulan B+1."))

st.subheader("Mode rilis publik")
st.number_input("Sembunyikan jumlah di bawah …", 2, 20, ui.release_threshold(), key="pengaturan_ambang",
                help="Jumlah 1 sampai ambang-1 ditampilkan sebagai <ambang pada tabel, grafik dan PDF saat mode rilis publik dinyalakan.")
st.button("Simpan ambang", key="pengaturan_simpan_ambang", on_click=_save,
          args=("ambang_rilis", "pengaturan_ambang", "Mode rilis publik kini menyembunyikan jumlah 1 sampai {below} (ditulis <{value})."))
