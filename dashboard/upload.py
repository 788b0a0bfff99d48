"""The upload page's actions: reading files in the sandbox once per content, the blank form, saving an alias and
saving checked files (button callbacks, which run before the next run draws the page)."""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard import data
from dashboard.session import current_user, user_name
from dashboard.wording import plain
from etl import fmt
from etl.config import db_path
from etl.errors import PMKSError
from etl.sheets import MAX_FILE_BYTES, Unreadable

LIMIT_MB = MAX_FILE_BYTES // 1048576


def template() -> bytes:
    """The blank PSM form (.xlsx) with this warehouse's kecamatan and desa lists."""
    from etl.template import template_for

    return data.made_file(template_for)


def read(uploaded) -> list[tuple[str, bytes, object]]:
    """(name, bytes, sheets or Unreadable) per uploaded file, each read in the sandbox once per content (a hostile
    file costs its time limit once, not on every rerun); files over the limit are refused here, in Indonesian."""
    cache = st.session_state.setdefault("unggah_baca", {})
    files = []
    for upload in uploaded:
        # Streamlit's own limit (.streamlit/config.toml) sits above ours, so the refusal is ours and in Indonesian.
        if upload.size > MAX_FILE_BYTES:
            st.error(f"Berkas {upload.name} ({fmt.angka(upload.size / 1048576, 1)} MB) melebihi batas {LIMIT_MB} MB per berkas "
                     "dan tidak diperiksa. Hapus lembar atau baris yang tidak perlu, atau bagi laporannya menjadi beberapa "
                     "berkas, lalu unggah ulang.")
            continue
        content = upload.getvalue()
        key = hashlib.sha256(content).hexdigest()
        bar = st.progress(0.0, text=f"{upload.name}: membaca …")
        if key not in cache:
            try:
                cache[key] = data.sheet_reader().read(content, upload.name)
            except Unreadable as exc:
                cache[key] = exc
        bar.progress(1.0, text=f"{upload.name}: {'tidak terbaca' if isinstance(cache[key], Unreadable) else 'terbaca'}")
        files.append((upload.name, content, cache[key]))
    return files


def save_alias(kecamatan: str, written: str, widget: str) -> None:
    """Remember that a name written in a report means the desa picked in `widget` (audited)."""
    from etl.load import save_desa_alias
    from etl.match import normalize_name
    from store.schema import audit

    code = st.session_state[widget]

    def action(con):
        save_desa_alias(con, kecamatan, normalize_name(written), code, user_name())
        audit(con, user_name(), "alias", written, None)

    try:
        data.write(action)
    except PMKSError as exc:
        st.session_state["unggah_galat"] = f"Alias tidak disimpan: {plain(exc.short)}"
        return
    st.session_state["unggah_pesan"] = f"Alias disimpan: '{written}' berarti {code}. Berkas diperiksa ulang."


def save(files, results, snapshot, replace: bool, given: dict) -> None:
    """Write the checked files in one batch (re-checked in the write transaction), audited there (`impor`); a fresh,
    empty uploader after."""
    from etl.importer import write_files

    try:
        final, batch = write_files(db_path(), files, data.sheet_reader(), results, snapshot, replace=replace, user=user_name(),
                                   scope=current_user().kecamatan, wait=data.WRITE_WAIT, **given)
    except PMKSError as exc:
        st.session_state["unggah_galat"] = plain(exc.short)
        return
    if batch is None:
        st.session_state["unggah_galat"] = "Data berubah sejak diperiksa dan tidak ada berkas yang masih dapat disimpan; periksa ulang."
        return
    saved = [r for r in final if r.status == "accepted"]
    st.session_state["unggah_pesan"] = (f"Tersimpan sebagai batch impor {batch}: {len(saved)} berkas, "
                                        f"{fmt.angka(sum(len(r.reports) for r in saved))} laporan desa.")
    st.session_state["unggah_nonce"] = st.session_state.get("unggah_nonce", 0) + 1
