"""The upload page's actions: reading files in the sandbox once per content, the blank form, the pickers of labels
the reader could not place, and saving checked files with the labels placed (button callbacks, which run before the
next run draws the page)."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from accounts import rulebook
from common import fmt
from common.config import db_path
from common.errors import PMKSError
from dashboard import data
from dashboard.session import current_user, user_name
from dashboard.wording import plain
from etl.read.sheets import MAX_FILE_BYTES, Unreadable

LIMIT_MB = MAX_FILE_BYTES // 1048576


def template() -> bytes:
    """The blank PSM form (.xlsx) with this warehouse's kecamatan and desa lists."""
    from etl.cli.template import template_for

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


def pickers(index: int, result) -> None:
    """A picker for each label the reader could not place (a PMKS type, a desa of the file's kecamatan): the choice
    counts at once (the preview is checked again with it) and is saved as an alias, audited, with Simpan."""
    chosen = st.session_state.setdefault("unggah_pilihan", {})
    seen: set = set()
    for issue in result.issues:
        if not issue.choices:
            continue
        key = (issue.choices["jenis"], issue.choices["kode_kecamatan"] or "", issue.choices["nama"])
        if key in seen:
            continue
        seen.add(key)
        options = [None, *(code for code, _ in issue.choices["kandidat"])]
        labels = dict(map(tuple, issue.choices["kandidat"]))
        widget = "unggah_pilih_" + hashlib.sha1(repr(key).encode()).hexdigest()[:12]
        what = "jenis PMKS" if key[0] == "indikator" else "desa"
        where = ", ".join(x for x in (issue.sheet and f"lembar '{issue.sheet}'", issue.row and f"baris {issue.row}", issue.column and f"kolom {issue.column}") if x)
        st.selectbox(f"'{key[2]}' ({where or result.file}) adalah {what} …", options, key=widget,
                     index=options.index(chosen.get(key)) if chosen.get(key) in options else 0,
                     format_func=lambda code: "– pilih –" if code is None else labels[code], on_change=pick, args=(widget, key))


def pick(widget: str, key: tuple) -> None:
    """Keep the analyst's choice for a label until Simpan (or until changed back to '– pilih –')."""
    chosen = st.session_state.setdefault("unggah_pilihan", {})
    if st.session_state.get(widget) is None:
        chosen.pop(key, None)
    else:
        chosen[key] = st.session_state[widget]


def _save_aliases(con, chosen: dict, user: str) -> None:
    """The labels placed on this upload, kept as aliases for the next files (each one audited)."""
    from etl.resolve.match import normalize_label, normalize_name
    from etl.write.load import save_desa_alias, save_indicator_alias
    from store.schema import audit

    for (jenis, kecamatan, written), code in chosen.items():
        if jenis == "desa":
            save_desa_alias(con, kecamatan, normalize_name(written), code, user)
        else:
            save_indicator_alias(con, normalize_label(written), code, user)
        audit(con, user, "alias", written, json.dumps({"jenis": jenis, "kecamatan": kecamatan or None, "kode": code}, ensure_ascii=False))


def save(files, results, snapshot, replace: bool, given: dict) -> None:
    """Write the checked files in one batch (re-checked in the write transaction), audited there (`impor`); a fresh,
    empty uploader after."""
    from etl.cli.reports import write_files

    chosen = dict(st.session_state.get("unggah_pilihan", {}))
    try:
        if chosen:
            data.write(lambda con: _save_aliases(con, chosen, user_name()))
            st.session_state["unggah_pilihan"] = {}
        final, batch = write_files(db_path(), files, data.sheet_reader(), results, snapshot, replace=replace, user=user_name(),
                                   scope=rulebook.area(current_user()) or "", wait=data.WRITE_WAIT, **given)
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
