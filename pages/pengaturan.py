"""Pengguna & Pengaturan (admin): who may use the dashboard, the reporting due day, the public release threshold,
and the desa population files the rates stand on."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import queries, session, ui
from dashboard.penduduk_view import save_population, show_population_check
from etl import fmt
from etl.config import db_path
from etl.db import connect
from etl.errors import PMKSError
from etl.penduduk_import import SUMBER, analyse, parse_acuan
from etl.sheets import Unreadable
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


# --- desa population: the denominators of every rate per 1.000 -----------------------------------------------

st.subheader("Penduduk desa (penyebut laju per 1.000)")
_today = date.today()
_month = (ui.q(queries.periods) or [_today.replace(day=1)])[-1]
_cov = ui.q(queries.population_coverage, _month, user.kecamatan or "")
_totals = _cov[["angka nyata", "perkiraan", "tidak ada"]].sum()
st.markdown(f"Untuk laporan {fmt.bulan(_month)}: **{fmt.angka(int(_totals['angka nyata']))}** desa dengan angka penduduk nyata, "
            f"**{fmt.angka(int(_totals['perkiraan']))}** perkiraan, **{fmt.angka(int(_totals['tidak ada']))}** tanpa angka "
            "(laju per 1.000 dan indeks prioritas desa itu tidak dihitung).")
st.dataframe(_cov.rename(columns={"kecamatan": "Kecamatan", "angka nyata": "Angka nyata", "perkiraan": "Perkiraan",
                                  "tidak ada": "Tidak ada", "sumber": "Sumber dan keadaan", "jumlah_desa_nyata": "Jumlah desa (nyata)",
                                  "angka_kecamatan": "Angka kecamatan", "sumber_kecamatan": "Sumber angka kecamatan"}),
             hide_index=True, key="penduduk_cakupan",
             column_config={c: st.column_config.NumberColumn(format="localized") for c in ("Jumlah desa (nyata)", "Angka kecamatan")})
st.caption("Jumlah desa dan angka kecamatan berasal dari sumber dan tanggal berbeda; keduanya ditampilkan berdampingan, "
           "tidak dipaksakan sama. Laju kecamatan memakai angka kecamatan.")


@st.cache_data(show_spinner=False)
def _population_template(path: str, token: tuple) -> bytes:  # noqa: ARG001 - token keys the cache
    from etl.db import connect
    from etl.penduduk_cli import build_template

    con = connect(path, read_only=True)
    try:
        return build_template(con)
    finally:
        con.close()


st.download_button("Unduh templat penduduk desa kosong (.xlsx)", _population_template(str(db_path()), ui.data.db_token(db_path())),
                   "templat_penduduk_desa.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   key="penduduk_templat")
_choices = []
for _year in range(_today.year, _today.year - 8, -1):
    for _code in (f"{_year}-S2", f"{_year}-S1", f"{_year}"):
        try:
            _choices.append(parse_acuan(_code, _today))
        except PMKSError:
            continue  # not yet reached
cols = st.columns(2)
sumber = cols[0].selectbox("Sumber", list(SUMBER), format_func=lambda k: SUMBER[k] if k != "desa" else "Profil desa", key="penduduk_sumber")
acuan = cols[1].selectbox("Keadaan data", _choices, format_func=lambda a: a.label + (" (31 Desember)" if "-" not in a.kode else ""),
                          key="penduduk_acuan")
replace = st.checkbox("Ganti angka desa yang sudah tersimpan untuk keadaan yang sama (perubahannya ditampilkan dulu)", key="penduduk_ganti")
nonce = st.session_state.setdefault("penduduk_nonce", 0)
upload = st.file_uploader("Berkas penduduk desa (Dukcapil, BPS, profil desa; .xlsx, .xls, .ods, .csv)",
                          type=["xlsx", "xlsm", "xls", "ods", "csv"], key=f"penduduk_berkas_{nonce}")
if upload is not None:
    data = upload.getvalue()
    try:
        sheets = ui.sheet_reader().read(data, upload.name)
    except Unreadable as exc:
        sheets = exc
    con = connect(db_path(), read_only=True, wait=20)
    try:
        result = analyse(con, upload.name, data, sheets, acuan, replace=replace, scope=user.kecamatan or "")
    except PMKSError as exc:
        st.error(str(exc))
        st.stop()
    finally:
        con.close()
    show_population_check(result)
    if result.status == "accepted":
        confirmed = True
        if result.replaces:
            confirmed = st.checkbox(f"Saya sudah memeriksa {fmt.angka(result.replaces)} perubahan di atas", key="penduduk_yakin")
        st.button("Simpan penduduk", key="penduduk_simpan", type="primary", disabled=not confirmed, on_click=save_population,
                  args=(upload.name, data, sheets, acuan, sumber, replace))
