"""The Streamlit side of a desa population upload (admin page): the check shown before saving, and the save.

Kept apart from `ui.py` so that the admin page stays a thin page; the checking itself is `etl.write.population`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from common import fmt
from common.errors import PMKSError
from dashboard import queries, ui
from dashboard.views import unggah
from etl.find.population import LAYOUT
from etl.write.population import SUMBER, Acuan, PopulationResult, analyse, commit

STATUS = {"accepted": "diterima", "rejected": "ditolak", "unchanged": "tidak berubah"}


def acuan_choices(today: date, sumber: str, years: int = 8) -> list[Acuan]:
    """The reference dates an admin may pick, newest first: only dates that have passed (a figure is a count at a
    date), one choice per date. 30 June is semester I; 31 December is semester II for Dukcapil's semester data and
    the year for the other sources (BPS 'Dalam Angka', profil desa)."""
    out = []
    for year in range(today.year, today.year - years, -1):
        for acuan in (Acuan(f"{year}-S2" if sumber == "dukcapil" else str(year), date(year, 12, 31)), Acuan(f"{year}-S1", date(year, 6, 30))):
            if acuan.tanggal <= today:
                out.append(acuan)
    return out


def acuan_label(acuan: Acuan) -> str:
    """'Semester I 2026 (30 Juni 2026)', '2025 (31 Desember 2025)'."""
    return f"{acuan.label} ({fmt.tanggal(acuan.tanggal)})"


def preview_frame(rows: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """The desa figures a checked file would store, as the admin reads them: names, and counts in Indonesian format
    ('4.191'); `names` is `queries.desa_list` indexed by kode."""
    from dashboard.views import table

    preview = rows.join(names, on="kode_wilayah")
    return table(pd.DataFrame({"Desa/Kelurahan": preview["nama"], "Kecamatan": preview["kecamatan"], "L": preview["laki_laki"].astype("Int64"),
                               "P": preview["perempuan"].astype("Int64"), "Jumlah": preview["jumlah"].astype("Int64"),
                               "Baris": preview["baris"].astype("Int64")}), {"L": 0, "P": 0, "Jumlah": 0, "Baris": 0})


def show_population_check(result: PopulationResult) -> None:
    """Status, every issue with sheet/row/column, the desa figures, changes and the kecamatan comparison."""
    layouts = ", ".join(sorted({LAYOUT[x] for x in result.layouts}))
    line = f"**{result.file}**: {STATUS[result.status]}" + (f" ({layouts})" if layouts else "")
    if result.status == "accepted":
        line += f"; {fmt.angka(len(result.rows))} desa, {fmt.angka(int(result.rows['jumlah'].sum()))} jiwa"
    (st.error if result.status == "rejected" else st.success if result.status == "accepted" else st.info)(line)
    if result.note:
        st.caption(result.note)
    if result.issues:  # a plain table: long messages wrap instead of being cut
        ui.list_table(unggah.issues(result), height=420 if len(result.issues) > 10 else None, label=f"Masalah dalam {result.file}")
    if result.tally:
        st.caption("Setiap angka dalam berkas: dibaca, jumlah/total yang diperiksa, diabaikan (dengan alasannya), tidak terbaca.")
        ui.table(unggah.tally(result), hide_index=True, key="penduduk_angka")
    if result.changes:
        st.markdown(f"**Perubahan ({fmt.angka(len(result.changes))})**")
        st.code("\n".join(result.changes[:200]), language=None)
    if result.status == "accepted":
        names = ui.q(queries.desa_list)[["kode", "nama", "kecamatan"]].set_index("kode")
        ui.table(preview_frame(result.rows, names), hide_index=True, key="penduduk_pratinjau")
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

    def action(con):
        result = analyse(con, name, data, sheets, acuan, replace=replace, scope=ui.area())
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
    from etl.cli.population import build_template
    from etl.read.sheets import Unreadable

    ui.offer("Unduh templat penduduk desa kosong (.xlsx)", "templat_penduduk_desa.xlsx", ui.XLSX, key="penduduk_templat",
             data_bytes=ui.data.made_file(build_template), action="atur")
    cols = st.columns(2)
    sumber = cols[0].selectbox("Sumber", list(SUMBER), format_func=lambda k: SUMBER[k] if k != "desa" else "Profil desa", key="penduduk_sumber")
    acuan = cols[1].selectbox("Keadaan data (tanggal angka penduduk)", acuan_choices(date.today(), sumber), format_func=acuan_label,
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
                result = analyse(con, upload.name, data, sheets, acuan, replace=replace, scope=ui.area())
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
