"""Unggah Data: analysts upload PSM reports, see what is wrong or what will change, and confirm."""

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import queries, ui
from etl import fmt
from etl.config import db_path
from etl.errors import PMKSError
from etl.importer import LAYOUT, STATUS, read_only_check, write_files
from etl.sheets import MAX_FILE_BYTES, Unreadable

user, info = ui.open_page("unggah", reports=False)
st.title("Unggah Laporan PSM")
st.caption("Formulir desa, rekap kecamatan atau tabel panjang (.xlsx, .xls, .ods, .csv). Tidak ada yang disimpan "
           "sebelum Anda menekan **Simpan**; berkas dengan kesalahan tidak disimpan sama sekali.")


@st.cache_data(show_spinner=False)
def _template(path: str, token: tuple) -> bytes:  # noqa: ARG001 - token keys the cache
    from etl.db import connect
    from etl.template import template_for

    con = connect(path, read_only=True)
    try:
        return template_for(con)
    finally:
        con.close()


st.download_button("Unduh formulir PSM kosong (.xlsx)", _template(str(db_path()), ui.data.db_token(db_path())), "formulir_psm.xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="unggah_formulir")

if message := st.session_state.pop("unggah_pesan", None):
    st.success(message)
if problem := st.session_state.pop("unggah_galat", None):
    st.error(problem)

nonce = st.session_state.setdefault("unggah_nonce", 0)
uploaded = st.file_uploader("Pilih satu atau beberapa berkas laporan", type=["xlsx", "xlsm", "xls", "ods", "csv"],
                            accept_multiple_files=True, key=f"unggah_berkas_{nonce}",
                            help=f"Paling besar {MAX_FILE_BYTES // 1048576} MB per berkas.")
st.caption(f"Format yang diterima: .xlsx, .xlsm, .xls, .ods dan .csv; paling besar {MAX_FILE_BYTES // 1048576} MB per berkas.")
replace = st.checkbox("Ganti laporan desa × bulan yang sudah tersimpan (perubahannya ditampilkan dulu)", key="unggah_ganti")
# What the analyst knows about files that do not say it themselves; used only where a file is silent.
kecamatan_names = dict(ui.q(queries.kecamatan_list).itertuples(index=False))
if user.kecamatan:
    kecamatan_names = {k: v for k, v in kecamatan_names.items() if k == user.kecamatan}
today = date.today()
months = [date((today.year * 12 + today.month - 1 - i) // 12, (today.year * 12 + today.month - 1 - i) % 12 + 1, 1) for i in range(25)]
picked = st.columns(2)
given = {
    "kecamatan": picked[0].selectbox("Kecamatan (bila berkas tidak menyebutnya)", [None, *kecamatan_names], key="unggah_kecamatan",
                                     format_func=lambda k: "– dari berkas –" if k is None else f"{kecamatan_names[k]} ({k})"),
    "periode": picked[1].selectbox("Bulan laporan (bila berkas tidak menyebutnya)", [None, *months], key="unggah_periode",
                                   format_func=lambda m: "– dari berkas –" if m is None else fmt.bulan(m)),
}
if not uploaded:
    st.info("Pilih berkas untuk diperiksa.")
    st.stop()

# Read every file in the sandbox once per content (a hostile file costs its time limit once, not on every rerun).
cache = st.session_state.setdefault("unggah_baca", {})
reader = ui.sheet_reader()
files = []
for upload in uploaded:
    # Streamlit's own limit (.streamlit/config.toml) sits above ours, so the refusal is ours and in Indonesian.
    if upload.size > MAX_FILE_BYTES:
        st.error(f"Berkas {upload.name} ({fmt.angka(upload.size / 1048576, 1)} MB) melebihi batas {MAX_FILE_BYTES // 1048576} MB "
                 "per berkas dan tidak diperiksa. Hapus lembar atau baris yang tidak perlu, atau bagi laporannya menjadi "
                 "beberapa berkas, lalu unggah ulang.")
        continue
    data = upload.getvalue()
    key = hashlib.sha256(data).hexdigest()
    bar = st.progress(0.0, text=f"{upload.name}: membaca …")
    if key not in cache:
        try:
            cache[key] = reader.read(data, upload.name)
        except Unreadable as exc:
            cache[key] = exc
    bar.progress(1.0, text=f"{upload.name}: {'tidak terbaca' if isinstance(cache[key], Unreadable) else 'terbaca'}")
    files.append((upload.name, data, cache[key]))

if not files:
    st.stop()
try:
    results, snapshot = read_only_check(db_path(), files, reader, replace=replace, user=ui.user_name(), scope=user.kecamatan, **given)
except PMKSError as exc:
    st.error(str(exc))
    st.stop()

summary = pd.DataFrame({
    "Berkas": [r.file for r in results],
    "Status": [STATUS[r.status].capitalize() for r in results],
    "Bentuk": [", ".join(sorted({LAYOUT[x] for x in r.layouts})) or "–" for r in results],
    "Laporan desa": [len(r.reports) if r.status == "accepted" else 0 for r in results],
    "Kesalahan": [len(r.errors) for r in results],
    "Peringatan": [len(r.warnings) for r in results],
})
st.dataframe(summary, hide_index=True, key="unggah_ringkasan")


def _save_alias(kecamatan: str, written: str, widget: str) -> None:
    from etl.db import audit
    from etl.load import save_desa_alias
    from etl.match import normalize_name

    code = st.session_state[widget]

    def action(con):
        save_desa_alias(con, kecamatan, normalize_name(written), code, ui.user_name())
        audit(con, ui.user_name(), "alias", written, None)

    ui.write(action)
    st.session_state["unggah_pesan"] = f"Alias disimpan: '{written}' berarti {code}. Berkas diperiksa ulang."


for index, result in enumerate(results):
    label = f"{STATUS[result.status].capitalize()} — {result.file}"
    with st.expander(label, expanded=result.status != "unchanged"):
        if result.note:
            st.caption(result.note)
        if result.issues:
            st.dataframe(pd.DataFrame({
                "Tingkat": ["kesalahan" if i.severity == "error" else "peringatan" for i in result.issues],
                "Lembar": [i.sheet or "–" for i in result.issues],
                "Baris": [i.row for i in result.issues],
                "Kolom": [i.column or "–" for i in result.issues],
                "Pesan": [i.message for i in result.issues],
                "Saran": [i.suggestion or "" for i in result.issues],
            }), hide_index=True, key=f"unggah_masalah_{index}")
        for n, issue in enumerate(i for i in result.issues if i.choices):
            choice = issue.choices
            widget = f"unggah_alias_{index}_{n}"
            cols = st.columns([3, 1])
            cols[0].selectbox(f"'{choice['nama']}' ({issue.sheet or 'CSV'}, baris {issue.row}) adalah desa …", [c for c, _ in choice["kandidat"]],
                              format_func=dict(map(tuple, choice["kandidat"])).get, key=widget)
            cols[1].button("Simpan alias", key=f"{widget}_simpan", on_click=_save_alias, args=(choice["kode_kecamatan"], choice["nama"], widget))
        if result.status == "accepted":
            reports = result.reports.assign(
                Desa=[ui.q(queries.area_label, k) for k in result.reports["kode_desa"]],
                Bulan=[fmt.bulan(p) for p in result.reports["periode"]],
            ).rename(columns={"values": "Nilai", "jumlah": "Jumlah jiwa", "sheet": "Lembar"})
            st.dataframe(reports[["Desa", "Bulan", "Nilai", "Jumlah jiwa", "Lembar"]], hide_index=True, key=f"unggah_laporan_{index}")
        if result.changes:
            st.markdown("**Perubahan terhadap data tersimpan:**")
            st.code("\n".join(result.changes[:200]) + (f"\n… dan {len(result.changes) - 200} lainnya" if len(result.changes) > 200 else ""), language=None)

accepted = [r for r in results if r.status == "accepted"]
if not accepted:
    st.warning("Tidak ada berkas yang dapat disimpan. Perbaiki kesalahan di atas lalu unggah ulang.")
    st.stop()
replacing = sum(r.replaces for r in accepted)
n_reports = sum(len(r.reports) for r in accepted)
confirmed = True
if replacing:
    confirmed = st.checkbox(f"Saya sudah memeriksa perubahan di atas dan setuju mengganti {fmt.angka(replacing)} laporan yang tersimpan.",
                            key="unggah_setuju_ganti")
rejected = len(results) - len(accepted) - sum(r.status == "unchanged" for r in results)
note = f" Berkas yang ditolak ({rejected}) tidak ikut disimpan." if rejected else ""
st.caption(f"Akan disimpan: {len(accepted)} berkas, {fmt.angka(n_reports)} laporan desa.{note}")


def _save(files, results, snapshot, replace, given) -> None:
    """Write the checked files (runs as the button's callback, before the next run draws the page)."""
    from etl.db import audit

    try:
        final, batch = write_files(db_path(), files, ui.sheet_reader(), results, snapshot, replace=replace, user=ui.user_name(),
                                   scope=ui.current_user().kecamatan, **given)
    except PMKSError as exc:
        st.session_state["unggah_galat"] = str(exc)
        return
    if batch is None:
        st.session_state["unggah_galat"] = "Data berubah sejak diperiksa dan tidak ada berkas yang masih dapat disimpan; periksa ulang."
        return
    saved = [r for r in final if r.status == "accepted"]
    st.session_state["unggah_pesan"] = (f"Tersimpan sebagai batch impor {batch}: {len(saved)} berkas, "
                                        f"{fmt.angka(sum(len(r.reports) for r in saved))} laporan desa.")
    ui.write(lambda con: audit(con, ui.user_name(), "unggah", f"batch {batch}", None))
    st.session_state["unggah_nonce"] = st.session_state.get("unggah_nonce", 0) + 1  # a fresh, empty uploader


st.button("Simpan ke basis data", type="primary", disabled=not confirmed, key="unggah_simpan",
          on_click=_save, args=(files, results, snapshot, replace, given))
