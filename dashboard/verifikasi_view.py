"""The widgets of Verifikasi Laporan (issue 25): the queues, one report opened to verify or return, the bulk approval
of Dinsos and an admin's withdrawal of an approval. The rules and writes are `lapor`'s (scope-checked there through
the rulebook); every outcome is shown once after the rerun (`lapor_view.flash`)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import lapor
from accounts import rulebook
from common import fmt
from common.errors import PMKSError
from dashboard import data, lapor_view, ui
from dashboard.lapor_view import NOTICE, PROBLEM


def _when(value) -> str:
    return "–" if value is None else f"{fmt.tanggal(value.date())} {value:%H:%M}"


def queue_table(items: list[lapor.QueueItem]) -> pd.DataFrame:
    """The waiting reports, oldest first, as a list to read."""
    return pd.DataFrame({
        "Desa": [i.nama_desa for i in items], "Kecamatan": [i.nama_kecamatan for i in items],
        "Bulan": [fmt.bulan(i.periode) for i in items], "Dikirim": [_when(i.dikirim) for i in items],
        "Oleh": [i.oleh for i in items], "Baris bercatatan": [fmt.angka(i.catatan) for i in items],
    })


def _period(text: str) -> date | None:
    """The month a URL names (YYYY-MM), or None for anything else, a year outside 2000–2100 included (the workflow's
    month arithmetic must not leave the calendar)."""
    try:
        year, month = (int(x) for x in str(text)[:7].split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


def choose_report(items: list[lapor.QueueItem]) -> tuple[str, date] | None:
    """The report to open: one of the queue, or the one the URL names (?desa=…&periode=YYYY-MM; its scope is checked
    when it is read)."""
    asked, month = st.query_params.get("desa"), _period(st.query_params.get("periode", ""))
    if asked and month:
        return str(asked), month
    if not items:
        st.caption("Tidak ada laporan yang menunggu Anda.")
        return None
    labels = {(i.kode_desa, i.periode): f"{i.nama_desa} (Kec. {i.nama_kecamatan}) · {fmt.bulan(i.periode)}" for i in items}
    return st.selectbox("Laporan", list(labels), format_func=lambda k: labels[k], key="verif_pilih")


def _do(call, *args, done: str) -> None:
    """Callback: one `lapor` write as the signed-in user; the outcome after the rerun."""
    _try(call, *args, done=done)


def _try(call, *args, done: str) -> bool:
    """`_do`, saying whether the write went through (False: refused, the reason shown after the rerun)."""
    try:
        call(data.store(), lapor_view.st_user(), *args)
    except PMKSError as exc:
        st.session_state[PROBLEM] = exc.short
        return False
    st.session_state[NOTICE] = done
    return True


def _give_back(kode_desa: str, periode: date, versi: int, field: str) -> None:
    comment = lapor_view.reason(field, "Tulis komentar untuk PSM: apa yang perlu diperbaiki.")
    if not comment:
        return
    if _try(lapor.give_back, kode_desa, periode, comment, versi, done="Laporan dikembalikan ke PSM dengan komentar Anda."):
        st.session_state[field] = ""  # a refused return keeps the comment typed


def report(kode_desa: str, periode: date) -> None:
    """One desa-month: status, rows, history, and the actions the user may take on it now."""
    user = lapor_view.st_user()
    try:
        form = lapor.form(data.store(), user, kode_desa, periode)
    except PMKSError as exc:
        st.error(exc.short, icon=":material/block:")
        return
    st.markdown(f"#### {form.nama_desa} · {fmt.bulan(form.periode)}")
    lapor_view.status_line(form)
    ui.list_table(lapor_view.rows_table(form), label=f"Laporan {form.nama_desa} {fmt.bulan(form.periode)}")
    if form.langkah:
        with st.expander("Riwayat status laporan"):
            ui.list_table(lapor_view.steps_table(form), label="Riwayat status laporan")
    may_check = rulebook.may(user, "lapor_verifikasi") and form.status in ("dikirim", "diverifikasi")
    if may_check:
        field = f"verif_komentar_{kode_desa}_{periode:%Y%m}"
        st.text_area("Komentar untuk PSM (wajib bila dikembalikan)", key=field, max_chars=500)
        row = st.container(horizontal=True, gap="small")
        if form.status == "dikirim":
            row.button("Verifikasi", key="verif_ok", type="primary", icon=":material/task_alt:", on_click=_do,
                       args=(lapor.verify, kode_desa, periode, form.versi),
                       kwargs={"done": f"Laporan {form.nama_desa} {fmt.bulan(periode)} diverifikasi."})
        row.button("Kembalikan ke PSM", key="verif_kembali", icon=":material/undo:", on_click=_give_back,
                   args=(kode_desa, periode, form.versi, field))
    if form.status == "diverifikasi" and rulebook.may(user, "lapor_setujui"):
        st.button("Setujui laporan ini", key="verif_setuju_satu", icon=":material/verified:", on_click=_do,
                  args=(lapor.approve, [(kode_desa, periode)]), kwargs={"done": "1 laporan disetujui."})


def _approve(items: list[tuple[str, date]]) -> None:
    if not items:
        st.session_state[PROBLEM] = "Pilih dulu laporan yang disetujui."
        return
    try:
        n = lapor.approve(data.store(), lapor_view.st_user(), items)
    except PMKSError as exc:
        st.session_state[PROBLEM] = exc.short
        return
    st.session_state[NOTICE] = f"{fmt.angka(n)} laporan disetujui dan kini dihitung di dasbor."


def approval_queue(items: list[lapor.QueueItem]) -> None:
    """Verified reports with a tick each, approved together (one transaction)."""
    if not items:
        st.caption("Tidak ada laporan terverifikasi yang menunggu persetujuan.")
        return
    frame = queue_table(items)
    frame.insert(0, "Setujui", True)
    edited = st.data_editor(frame, key="verif_setuju_tabel", hide_index=True, disabled=list(frame.columns[1:]),
                            column_config={"Setujui": st.column_config.CheckboxColumn("Setujui", width="small")})
    chosen = [(i.kode_desa, i.periode) for i, tick in zip(items, edited["Setujui"]) if tick]
    st.button(f"Setujui {fmt.angka(len(chosen))} laporan terpilih", key="verif_setuju", type="primary",
              icon=":material/verified:", on_click=_approve, args=(chosen,))


def _unapprove() -> None:
    s = st.session_state
    reason = lapor_view.reason("batal_alasan", "Tulis alasan pembatalan persetujuan; alasan itu dicatat di log audit.")
    if not reason:
        return
    if _try(lapor.unapprove, s["batal_desa"], s["batal_bulan"], reason,
           done="Persetujuan dibatalkan; laporan kembali ke status diverifikasi dan alasan Anda tercatat."):
        s["batal_alasan"] = ""  # a refused call keeps the reason typed


def desa_choices() -> dict[str, str]:
    """{desa code: 'Desa (Kec. …)'} of the user's area, for the admin's pickers."""
    from dashboard import queries

    frame = ui.q(queries.desa_list, "")
    return {k: f"{n} (Kec. {kn})" for k, n, kn in frame[["kode", "nama", "kecamatan"]].itertuples(index=False)}


def months(back: int = 12) -> list[date]:
    """The current month and the `back` before it, newest first (a report in the app may not be counted yet, so the
    warehouse's report months are not enough)."""
    today = date.today()
    index = today.year * 12 + today.month - 1
    return [date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(back + 1)]


def unapprove_section() -> None:
    """Admin only: an approved desa-month back to verified, with a reason (recorded)."""
    names = desa_choices()
    st.selectbox("Desa", list(names), format_func=lambda k: names[k], key="batal_desa")
    st.selectbox("Bulan", months(), format_func=fmt.bulan, key="batal_bulan")
    st.text_input("Alasan", key="batal_alasan", max_chars=300)
    st.button("Batalkan persetujuan", key="batal_setuju", icon=":material/remove_done:", on_click=_unapprove)
