"""The admin's controls on Pengguna & Pengaturan for what the server's command line did alone: managing the users
(`accounts.store`, the same rules and code path as `python -m etl user`) and importing a desa boundary file (`etl.reference.boundaries`, the same
code path as `python -m etl boundaries BERKAS`). Every change is audited and written through `ui.write`."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from accounts import store as accounts
from accounts import users as rules
from common import fmt
from common.errors import PMKSError
from dashboard import queries, session, ui

MESSAGE = "pengaturan_pesan"  # shown at the top of the page after the rerun
PROBLEM = "pengaturan_galat"
GIS_TYPES = ["geojson", "json", "gpkg", "zip"]


def _flash(text: str, problem: bool = False) -> None:
    st.session_state[PROBLEM if problem else MESSAGE] = text


# --- users ---------------------------------------------------------------------------------------


def _kecamatan_names() -> dict[str, str]:
    return ui.kecamatan_names()


def check_user(login: str, peran: str, kecamatan: str, password: str, repeat: str, names: dict) -> str:
    """The stored login of a valid new or changed user; PMKSError (Indonesian) for what the form itself can tell
    (the rules that need every user - first user an admin, the last admin stays - are the store's, checked in its
    transaction)."""
    login = rules.clean_login(login)
    if peran not in rules.ALL_ROLES:
        raise PMKSError(f"Peran harus salah satu dari {', '.join(rules.ROLE_LABEL.values())}.")
    if kecamatan and kecamatan not in names:
        raise PMKSError(f"Kecamatan {kecamatan} tidak ada di basis data ini; pilih kecamatan dari daftar.")
    rules.check_new_password(password)
    if password != repeat:
        raise PMKSError("Kedua kata sandi tidak sama; ketik ulang.")
    return login


def _save_user() -> None:
    """Button callback: validate, store (audited, in one transaction); the outcome is shown after the rerun."""
    s = st.session_state
    try:
        login = check_user(s["akun_login"], s["akun_peran"], s["akun_kecamatan"] or "", s["akun_sandi"], s["akun_sandi2"],
                           _kecamatan_names())
        login, existed = accounts.save_user(ui.data.store(), login, s["akun_nama"], s["akun_peran"], s["akun_kecamatan"] or "",
                                            s["akun_sandi"], ui.user_name())
    except PMKSError as exc:
        _flash(f"Pengguna tidak disimpan: {exc.short}", problem=True)
        return
    role = rules.ROLE_LABEL[s["akun_peran"]]
    _flash(f"Pengguna {login} ({role}) " + ("diubah; sesi lamanya berakhir." if existed else "ditambahkan."))
    for key in ("akun_login", "akun_nama", "akun_sandi", "akun_sandi2"):
        s[key] = ""


def _remove_user() -> None:
    """Button callback: remove the chosen user (never the last admin: the store refuses), audited."""
    login = st.session_state["akun_hapus"]
    try:
        accounts.remove_user(ui.data.store(), login, ui.user_name())
    except PMKSError as exc:
        _flash(f"Pengguna tidak dihapus: {exc.short}", problem=True)
        return
    st.session_state["akun_yakin_hapus"] = False
    _flash(f"Pengguna {login} dihapus; semua sesinya berakhir.")


def users_section(people: pd.DataFrame) -> None:
    """The users table, the add/change form and the removal, for the admin."""
    known = session.users()
    if not known:
        st.info("Belum ada pengguna: basis data demo ini terbuka tanpa login. Setelah pengguna pertama (seorang admin) "
                "ditambahkan di bawah, akses demo berakhir dan setiap orang harus masuk dengan nama pengguna dan kata sandinya.")
    else:
        ui.table(people, hide_index=True, key="akun_tabel")
        st.caption("Kata sandi disimpan sebagai hash scrypt bergaram, tidak pernah sebagai teks biasa.")
    names = _kecamatan_names()
    with st.expander("Tambah pengguna atau ganti kata sandi/peran", expanded=not known):
        a, b = st.columns(2)
        a.text_input("Nama akun (dipakai untuk masuk)", key="akun_login", max_chars=64,
                     help="Huruf, angka, titik, garis bawah, @ atau tanda hubung, tanpa spasi. Nama yang sudah ada diubah.")
        b.text_input("Nama lengkap", key="akun_nama")
        a.selectbox("Peran", [*rules.ROLES, "verifikator"], index=1 if known else rules.ROLES.index("admin"), format_func=lambda r: rules.ROLE_LABEL[r], key="akun_peran")
        b.selectbox("Wilayah", [None, *names], format_func=lambda k: "Semua kecamatan" if k is None else f"Kec. {names[k]}",
                    key="akun_kecamatan", help="Pengguna kecamatan hanya melihat dan mengunggah data kecamatannya.")
        a.text_input("Sandi baru (minimal 8 karakter)", type="password", key="akun_sandi")
        b.text_input("Ulangi sandi baru", type="password", key="akun_sandi2")
        st.button("Simpan pengguna", key="akun_simpan", type="primary", on_click=_save_user)
    if known:
        with st.expander("Hapus pengguna"):
            st.selectbox("Pengguna", sorted(known), key="akun_hapus",
                         format_func=lambda k: f"{k} — {known[k].get('nama', '')} ({rules.ROLE_LABEL[known[k]['peran']]})")
            sure = st.checkbox("Ya, hapus pengguna ini (semua sesinya berakhir)", key="akun_yakin_hapus")
            st.button("Hapus pengguna", key="akun_hapus_tombol", disabled=not sure, on_click=_remove_user)


# --- boundaries ----------------------------------------------------------------------------------


def _plan(name: str, data: bytes):
    """(match result, rows to store, source) of an uploaded GIS file, read as `python -m etl boundaries` reads it;
    kept for the session per file content, so reruns do not read it again."""
    from etl.reference import boundaries as bnd
    key = ("batas_rencana", hashlib.sha256(data).hexdigest())
    if st.session_state.get("batas_rencana_kunci") == key:
        return st.session_state["batas_rencana"]
    safe = Path(name).name or "batas.geojson"
    with tempfile.TemporaryDirectory(prefix="pmks_batas_") as folder:
        path = Path(folder) / safe
        path.write_bytes(data)
        gdf = bnd.read_boundaries_file(path)
        with ui.data.store().read() as con:
            desa = bnd.official_desa(con)
        source = f"berkas {safe}"
        result, rows = bnd.plan_import(gdf, desa, source)
    st.session_state["batas_rencana_kunci"], st.session_state["batas_rencana"] = key, (result, rows, source)
    return result, rows, source


def _save_boundaries(rows: pd.DataFrame, source: str) -> None:
    from etl.reference import boundaries as bnd

    try:
        ui.write(lambda con: bnd.save_import(con, rows, ui.user_name(), source))
    except PMKSError as exc:
        _flash(f"Batas wilayah tidak disimpan: {exc}", problem=True)
        return
    n_desa = int((rows["tingkat"] == "desa").sum())
    _flash(f"Batas {fmt.angka(n_desa)} desa dan {fmt.angka(len(rows) - n_desa)} kecamatan disimpan ({source}); peta memakainya sekarang.")
    st.session_state["batas_nonce"] = st.session_state.get("batas_nonce", 0) + 1
    st.session_state.pop("batas_rencana_kunci", None)


def _shipped_plan():
    """What the boundaries shipped with the app would add (None: nothing missing, or none shipped for this region)."""
    from etl.reference import shipped_boundaries as bnd

    with ui.data.store().read() as con:
        return bnd.plan_shipped(con)


def _install_shipped() -> None:
    """Button callback: fill in the missing boundaries from the copy shipped with the app (no internet needed)."""
    plan = _shipped_plan()
    if plan is None:
        _flash("Batas wilayah sudah lengkap; tidak ada yang diubah.")
        return
    _, rows, source = plan
    _save_boundaries(rows, source)


def boundary_section(stored: int) -> None:
    """Install the boundaries shipped with the app where some are missing; import a desa boundary file: upload,
    preview of what matched, confirmation, save."""
    from etl.read.sheets import MAX_FILE_BYTES

    st.caption(f"Tersimpan: batas {fmt.angka(stored)} wilayah (desa dan kecamatan). " if stored else
               "Belum ada batas wilayah: peta belum dapat digambar. ")
    if (plan := _shipped_plan()) is not None:
        missing = int((plan[1]["tingkat"] == "desa").sum())
        st.info(f"{fmt.angka(missing)} desa/kelurahan belum berbatas. Aplikasi membawa batas desa wilayah ini (sumber "
                "publik cahyadsn/wilayah_boundaries, lisensi MIT, disederhanakan); memasangnya tidak memerlukan internet "
                "dan tidak mengubah batas yang sudah ada.", icon=":material/map:")
        st.button("Pasang batas desa bawaan", key="batas_bawaan", type="primary", on_click=_install_shipped)
    nonce = st.session_state.setdefault("batas_nonce", 0)
    upload = st.file_uploader("Berkas batas desa dari GIS (kode atau nama desa per poligon)", type=GIS_TYPES, key=f"batas_berkas_{nonce}")
    ui.upload_hint("Format yang diterima: GeoJSON (.geojson, .json), GeoPackage (.gpkg) atau Shapefile dalam .zip (berisi "
                   ".shp, .shx dan .dbf).")
    if upload is None:
        st.session_state.pop("batas_rencana", None)  # the prepared rows of a file no longer chosen
        st.session_state.pop("batas_rencana_kunci", None)
        return
    if upload.size > MAX_FILE_BYTES:
        st.error(f"Berkas {upload.name} ({fmt.angka(upload.size / 1048576, 1)} MB) melebihi batas {MAX_FILE_BYTES // 1048576} MB. "
                 "Tidak ada yang diubah.")
        return
    try:
        result, rows, source = _plan(upload.name, upload.getvalue())
    except PMKSError as exc:
        st.error(f"{exc} Tidak ada yang diubah.")
        return
    except Exception:  # a GIS file that geopandas reads but whose geometry cannot be used
        st.error(f"Berkas {upload.name} tidak dapat dipakai sebagai batas desa (geometrinya bukan poligon yang sah). "
                 "Tidak ada yang diubah.")
        return
    desa = rows[rows["tingkat"] == "desa"]
    total = len(desa) + len(result.missing)
    st.success(f"**{upload.name}**: {fmt.angka(len(desa))} dari {fmt.angka(total)} desa cocok (menurut {result.method}); "
               f"{fmt.angka(len(rows) - len(desa))} kecamatan dibentuk dari desanya.")
    if result.unmatched:
        st.warning(f"{fmt.angka(len(result.unmatched))} fitur tidak cocok dengan desa mana pun dan tidak diimpor:")
        ui.table(pd.DataFrame({"Kode/nama dalam berkas": result.unmatched}), key="batas_tidak_cocok",
                 column_config={"Kode/nama dalam berkas": st.column_config.TextColumn()})
    if result.missing:
        st.info(f"{fmt.angka(len(result.missing))} desa tidak ada dalam berkas; batas lamanya (bila ada) tetap dipakai.")
        names = ui.q(queries.desa_list).set_index("kode")
        ui.table(pd.DataFrame({"Kode desa": result.missing, "Desa/Kelurahan": names["nama"].reindex(result.missing).tolist(),
                               "Kecamatan": names["kecamatan"].reindex(result.missing).tolist()}), key="batas_hilang",
                 column_config={"Kode desa": st.column_config.TextColumn()})
    sure = st.checkbox(f"Ganti batas {fmt.angka(len(desa))} desa yang cocok dengan isi berkas ini", key="batas_yakin")
    st.button("Simpan batas wilayah", key="batas_simpan", type="primary", disabled=not sure, on_click=_save_boundaries, args=(rows, source))


def retention_section() -> None:
    """How long the imported files are kept (`etl.write.kept`; 0 = forever): saving removes those past it now."""
    st.number_input("Simpan berkas asli selama … bulan (0 = selamanya)", 0, 600, ui.keep_months(), key="pengaturan_simpan_berkas",
                    help="Setiap berkas laporan dan penduduk yang diimpor disimpan persis seperti diterima, untuk panel 'Dari mana "
                         "angka ini?'. Berkas yang lebih lama dihapus; nama berkas, lembar dan selnya tetap tercatat.")
    st.button("Simpan masa simpan berkas", key="pengaturan_simpan_retensi", on_click=_save_retention)


def _save_retention() -> None:
    """Store the retention and remove the files past it, audited, in one write (a button callback)."""
    from etl.write.kept import set_retention

    months = int(st.session_state["pengaturan_simpan_berkas"])
    try:
        removed = ui.write(lambda con: set_retention(con, months, ui.user_name()))
    except PMKSError as exc:
        st.session_state["pengaturan_galat"] = f"Pengaturan tidak disimpan: {ui.plain(exc.short)}"
        return
    kept = "selamanya" if not months else f"{months} bulan"
    st.session_state["pengaturan_pesan"] = (f"Berkas asli kini disimpan {kept}." +
                                            (f" {fmt.angka(removed)} berkas yang lebih lama dihapus (tercatat di audit)." if removed else ""))
