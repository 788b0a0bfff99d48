"""The Streamlit side of a desa population upload (admin page): the check shown before saving, and the save.

Kept apart from `ui.py` so that the admin page stays a thin page; the checking itself is `etl.penduduk_import`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import queries, ui
from dashboard.views import unggah
from etl import fmt
from etl.errors import PMKSError
from etl.penduduk_import import SUMBER, Acuan, PopulationResult, analyse, commit
from etl.penduduk_read import LAYOUT

STATUS = {"accepted": "diterima", "rejected": "ditolak", "unchanged": "tidak berubah"}


def show_population_check(result: PopulationResult) -> None:
    """Status, every issue with sheet/row/column, the desa figures, changes and the kecamatan comparison."""
    layouts = ", ".join(sorted({LAYOUT[x] for x in result.layouts}))
    line = f"**{result.file}**: {STATUS[result.status]}" + (f" ({layouts})" if layouts else "")
    if result.status == "accepted":
        line += f"; {fmt.angka(len(result.rows))} desa, {fmt.angka(int(result.rows['jumlah'].sum()))} jiwa"
    (st.error if result.status == "rejected" else st.success if result.status == "accepted" else st.info)(line)
    if result.note:
        st.caption(result.note)
    if result.issues:
        ui.table(unggah.issues(result), hide_index=True, key="penduduk_masalah")
    if result.changes:
        st.markdown(f"**Perubahan ({fmt.angka(len(result.changes))})**")
        st.code("\n".join(result.changes[:200]), language=None)
    if result.status == "accepted":
        names = ui.q(queries.desa_list)[["kode", "nama", "kecamatan"]].set_index("kode")
        preview = result.rows.join(names, on="kode_wilayah")
        ui.table(pd.DataFrame({"Desa/Kelurahan": preview["nama"], "Kecamatan": preview["kecamatan"], "L": preview["laki_laki"].astype("Int64"),
                                   "P": preview["perempuan"].astype("Int64"), "Jumlah": preview["jumlah"], "Baris": preview["baris"]}),
                 hide_index=True, key="penduduk_pratinjau")
    if not result.kecamatan.empty and result.status != "rejected":
        k = result.kecamatan
        st.markdown("**Jumlah desa dibanding angka kecamatan** (sebagai informasi, tidak dipaksakan sama)")
        ui.table(pd.DataFrame({
            "Kecamatan": k["kecamatan"], "Desa dalam berkas": [f"{a}/{b}" for a, b in zip(k["desa_berkas"], k["desa_kecamatan"])],
            "Jumlah desa": k["jumlah_desa"], "Angka kecamatan": k["sensus"].astype("Int64"), "Tahun": k["tahun_sensus"].astype("Int64"),
            "Selisih": [fmt.persen(v) if pd.notna(v) else "–" for v in k["selisih"]],
        }), hide_index=True, key="penduduk_kecamatan")


def save_population(name: str, data: bytes, sheets, acuan: Acuan, sumber: str, replace: bool) -> None:
    """Button callback: check again under the write lock, then write one batch (or nothing)."""
    user = ui.current_user()

    def action(con):
        result = analyse(con, name, data, sheets, acuan, replace=replace, scope=user.kecamatan or "")
        return result, commit(con, result, acuan, sumber, ui.user_name())

    try:
        result, batch = ui.write(action)
    except PMKSError as exc:
        st.session_state["pengaturan_galat"] = f"Penduduk tidak disimpan: {ui.plain(exc.short)}"
        return
    if batch is None:
        st.session_state["pengaturan_pesan"] = f"Tidak ada yang disimpan: {result.file} {STATUS[result.status]}."
    else:
        st.session_state["pengaturan_pesan"] = (f"Penduduk {fmt.angka(len(result.rows))} desa ({SUMBER[sumber]} {acuan.label}) "
                                                f"disimpan dalam batch {batch}.")
        st.session_state["penduduk_nonce"] = st.session_state.get("penduduk_nonce", 0) + 1


def population_upload(user) -> None:
    """The admin's upload of a desa population file: template, source and date, check, preview and confirmed save."""
    from datetime import date

    from etl.penduduk_import import parse_acuan
    from etl.sheets import Unreadable

    today = date.today()
    from etl.penduduk_cli import build_template

    st.download_button("Unduh templat penduduk desa kosong (.xlsx)", ui.data.made_file(build_template),
                       "templat_penduduk_desa.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="penduduk_templat")
    choices = []
    for year in range(today.year, today.year - 8, -1):
        for code in (f"{year}-S2", f"{year}-S1", f"{year}"):
            try:
                choices.append(parse_acuan(code, today))
            except PMKSError:
                continue  # not yet reached
    cols = st.columns(2)
    sumber = cols[0].selectbox("Sumber", list(SUMBER), format_func=lambda k: SUMBER[k] if k != "desa" else "Profil desa", key="penduduk_sumber")
    acuan = cols[1].selectbox("Keadaan data", choices, format_func=lambda a: a.label + (" (31 Desember)" if "-" not in a.kode else ""),
                              key="penduduk_acuan")
    replace = st.checkbox("Ganti angka desa yang sudah tersimpan untuk keadaan yang sama (perubahannya ditampilkan dulu)", key="penduduk_ganti")
    nonce = st.session_state.setdefault("penduduk_nonce", 0)
    upload = st.file_uploader("Berkas penduduk desa (Dukcapil, BPS, profil desa; .xlsx, .xls, .ods, .csv)",
                              type=["xlsx", "xlsm", "xls", "ods", "csv"], key=f"penduduk_berkas_{nonce}")
    ui.upload_hint()
    if upload is not None:
        data = upload.getvalue()
        try:
            sheets = ui.sheet_reader().read(data, upload.name)
        except Unreadable as exc:
            sheets = exc
        try:
            with ui.data.store().read() as con:
                result = analyse(con, upload.name, data, sheets, acuan, replace=replace, scope=user.kecamatan or "")
        except PMKSError as exc:
            st.error(ui.plain(exc.short))
            st.stop()
        show_population_check(result)
        if result.status == "accepted":
            confirmed = True
            if result.replaces:
                confirmed = st.checkbox(f"Saya sudah memeriksa {fmt.angka(result.replaces)} perubahan di atas", key="penduduk_yakin")
            st.button("Simpan penduduk", key="penduduk_simpan", type="primary", disabled=not confirmed, on_click=save_population,
                      args=(upload.name, data, sheets, acuan, sumber, replace))
