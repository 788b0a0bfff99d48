"""The widgets of a desa-month report (issue 25), shared by Lapor Bulanan (the PSM enters it) and Verifikasi Laporan
(the verifikator reads it): the status line, the rows as number inputs that save a draft on every change, the rows as
a read-only table, and the history of status changes. The rules and the writes are `lapor`'s; this module only draws
and calls.

Why number inputs and not `st.data_editor`: on a 390 px phone the grid is a canvas that scrolls sideways, opens its
own overlay editor for every cell and gives no note column room; one number input per value is a real <input> with
the phone's numeric keyboard (`inputmode=numeric`, set by `dashboard.chrome`), its own label for screen readers,
and its own change event, so every value is saved the moment the PSM leaves it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import lapor
from accounts.users import User
from common import fmt
from common.errors import PMKSError
from dashboard import data

STATUS_LABEL = {"belum": "Belum diisi", "draf": "Draf (belum dikirim)", "dikirim": "Dikirim, menunggu verifikasi",
                "dikembalikan": "Dikembalikan untuk diperbaiki", "diverifikasi": "Diverifikasi, menunggu persetujuan",
                "disetujui": "Disetujui"}
STATUS_ICON = {"belum": ":material/edit_note:", "draf": ":material/edit_note:", "dikirim": ":material/send:",
               "dikembalikan": ":material/undo:", "diverifikasi": ":material/task_alt:", "disetujui": ":material/verified:"}
FORM = "lapor_form"  # session_state: the Form last read or written by this session
NOTICE, PROBLEM = "lapor_pesan", "lapor_galat"  # session_state: shown at the top after the rerun
ISSUES = "lapor_masalah"  # session_state: why the last Kirim was refused, shown above the button


def own_desa(user) -> str:
    """The desa a PSM reports for ('' for any other role)."""
    return getattr(user, "desa", "") or ""


def key(kind: str, kode: str) -> str:
    """The widget key of one value of a row: kind L, P or C (the note)."""
    return f"lapor_{kind}_{kode}"


def status_line(form: lapor.Form) -> None:
    """The status, the closing day and the verifikator's return comment, above the form."""
    text = f"**{STATUS_LABEL.get(form.status, form.status)}**"
    if form.nihil:
        text += " · dilaporkan **nihil** (semua nol)"
    st.markdown(f"{text}  \nBatas pengisian: **{fmt.tanggal(form.tutup)}**"
                + ("" if form.terbuka else " (sudah ditutup)"))
    if form.status == "dikembalikan" and form.komentar:
        st.warning(f"Catatan verifikator: {form.komentar}", icon=":material/undo:")


def flash() -> bool:
    """The outcome of the last action (a callback), shown once; whether it was a refusal."""
    if message := st.session_state.pop(NOTICE, None):
        st.success(message, icon=":material/check_circle:")
    if problem := st.session_state.pop(PROBLEM, None):
        st.error(problem, icon=":material/error:")
    return bool(problem)


def load(form: lapor.Form) -> None:
    """Put a form read from the server into the widgets (before they are drawn): done whenever the server's version
    differs from the one this session last wrote, so a copy, a conflict or another device's change shows at once."""
    seen = st.session_state.get(FORM)
    if seen is not None and (seen.kode_desa, seen.periode, seen.versi) == (form.kode_desa, form.periode, form.versi):
        return
    for row in form.rows:
        st.session_state[key("L", row.kode_indikator)] = row.laki_laki
        st.session_state[key("P", row.kode_indikator)] = row.perempuan
        st.session_state[key("C", row.kode_indikator)] = row.catatan
    st.session_state[FORM] = form


def _int(value) -> int | None:
    return None if value is None else int(value)


def _both(values) -> str:
    """A row's values as the conflict message names them: 'L 5, P 6 (catatan: …)'."""
    if isinstance(values, dict):
        note = str(values.get("catatan") or "").strip()
        return (f"L {fmt.angka(values.get('laki_laki'))}, P {fmt.angka(values.get('perempuan'))}"
                + (f" (catatan: {note})" if note else ""))
    return "–" if values is None else str(values)


def _conflict(exc: lapor.Conflict) -> None:
    """A stale save: nothing was overwritten; both values named; the form reloads with the server's."""
    who = f" oleh **{exc.oleh}**" if exc.oleh else ""
    text = f"Tidak disimpan: formulir ini sudah diubah{who} sesudah Anda membukanya."
    if exc.theirs is not None or exc.yours is not None:
        text += f" Nilai tersimpan: {_both(exc.theirs)}; nilai Anda: {_both(exc.yours)}."
    text += " Formulir kini menampilkan nilai tersimpan; periksa lalu ubah lagi bila perlu."
    st.session_state[PROBLEM] = text
    if exc.form is not None:
        st.session_state.pop(FORM, None)  # reload every widget from the server's form on this rerun


def act(call, *args, done: str = "") -> None:
    """Run a `lapor` write with this session's user and the form version it saw; keep the new form or say why not."""
    try:
        new = call(data.store(), st_user(), *args)
    except lapor.Conflict as exc:
        _conflict(exc)
        return
    except lapor.Problems as exc:  # Kirim refused: say why, row by row, under the form
        st.session_state[PROBLEM] = exc.short
        st.session_state[ISSUES] = [(i.message, i.blocking) for i in exc.issues]
        return
    except PMKSError as exc:  # closed, out of scope, not allowed now: the widgets show the server's values again
        st.session_state[PROBLEM] = exc.short
        st.session_state.pop(FORM, None)
        return
    seen = st.session_state.get(FORM)
    if isinstance(new, lapor.Form) and call is lapor.save_value and seen is not None and new.versi == seen.versi + 1:
        st.session_state[FORM] = new  # nothing but this save since the widgets were filled: they hold what was saved
    elif isinstance(new, lapor.Form) and call is lapor.save_value:
        # another tab or person saved other rows meanwhile: every widget shows the server's values again, or a stale
        # one would be sent (and accepted) with the next change of its row
        st.session_state.pop(FORM, None)
        st.session_state[NOTICE] = ("Tersimpan. Baris lain formulir ini baru diubah di tab atau perangkat lain, atau oleh orang "
                                    "lain; semua nilai kini menampilkan yang tersimpan.")
        done = ""
    else:
        st.session_state.pop(FORM, None)  # a copy, Nihil, a sending: every widget shows the server's form again
    if done:
        st.session_state[NOTICE] = done


def reason(field: str, missing: str, problem: str = PROBLEM) -> str:
    """The text typed in `field` (a reason, a comment), stripped; '' after noting `missing` as the problem to show."""
    text = str(st.session_state.get(field) or "").strip()
    if not text:
        st.session_state[problem] = missing
    return text


def st_user() -> User:
    """The signed-in user of this run; a refusal (Indonesian) when the session has just ended."""
    from dashboard.session import current_user

    user = current_user()
    if user is None:
        raise PMKSError("Sesi Anda sudah berakhir; masuk lagi untuk melanjutkan.")
    return user


def _save_row(kode: str) -> None:
    """Callback of a row's L, P or note: save the row as a draft on the server at once."""
    form = st.session_state[FORM]
    s = st.session_state
    act(lapor.save_value, form.kode_desa, form.periode, kode, _int(s[key("L", kode)]), _int(s[key("P", kode)]),
        str(s[key("C", kode)] or "").strip(), form.versi)


def entry_rows(form: lapor.Form, disabled: bool) -> None:
    """One block per indicator: its name, L and P (numbers, saved on change), Jumlah, and a note."""
    for row in form.rows:
        kode = row.kode_indikator
        with st.container(border=True, key=f"lapor_baris_{kode}", gap="small"):
            st.markdown(f"**{row.nama}** ({kode})")
            line = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
            for kind, label in (("L", "Laki-laki"), ("P", "Perempuan")):
                line.number_input(label, min_value=0, max_value=1_000_000, step=1, value=None, key=key(kind, kode),
                                  on_change=_save_row, args=(kode,), disabled=disabled, width=112)
            line.markdown(f"Jumlah  \n**{fmt.angka(row.jumlah)}**", width="content")
            st.text_input("Catatan (bila perlu)", key=key("C", kode), on_change=_save_row, args=(kode,),
                          disabled=disabled, max_chars=300, placeholder="Catatan (bila perlu)",
                          label_visibility="collapsed")
            if row.jauh:
                median = f" (biasanya sekitar {fmt.angka(row.median)})" if row.median is not None else ""
                (st.caption if row.catatan else st.warning)(
                    f"Jumlah ini jauh dari riwayat desa{median}: tulis catatan alasannya sebelum mengirim.")


def send_check(form: lapor.Form) -> None:
    """Above Kirim: what still stops sending, counted (every row is marked in the form itself); after a refused Kirim,
    every reason."""
    issues = lapor.problems(form)
    empty = sum(1 for r in form.rows if r.laki_laki is None or r.perempuan is None)
    notes = sum(1 for i in issues if not i.blocking)
    if empty:
        st.caption(f"{fmt.angka(empty)} dari {fmt.angka(len(form.rows))} indikator belum diisi (isi 0 bila tidak ada).")
    if notes:
        st.caption(f"{fmt.angka(notes)} indikator jauh dari riwayat desa memerlukan catatan.")
    refused = st.session_state.pop(ISSUES, None)
    if refused:
        st.error("Laporan belum dapat dikirim:\n" + "\n".join(f"- {m}" for m, _ in refused))


def rows_table(form: lapor.Form) -> pd.DataFrame:
    """The form's rows as a table to read (the verifikator's view)."""
    return pd.DataFrame({
        "Indikator": [r.nama for r in form.rows],
        "L": [fmt.angka(r.laki_laki) for r in form.rows],
        "P": [fmt.angka(r.perempuan) for r in form.rows],
        "Jumlah": [fmt.angka(r.jumlah) for r in form.rows],
        "Catatan": [("⚠ jauh dari riwayat. " if r.jauh else "") + r.catatan for r in form.rows],
    })


def steps_table(form: lapor.Form) -> pd.DataFrame:
    """Every status change of the form: when, who, from, to, comment."""
    return pd.DataFrame({
        "Waktu": [f"{fmt.tanggal(s.waktu.date())} {s.waktu:%H:%M}" for s in form.langkah],
        "Oleh": [s.oleh for s in form.langkah],
        "Dari": [STATUS_LABEL.get(s.dari, s.dari) for s in form.langkah],
        "Ke": [STATUS_LABEL.get(s.ke, s.ke) for s in form.langkah],
        "Komentar": [s.komentar or "–" for s in form.langkah],
    })


WAITING_ON_PSM = ("dikembalikan", "belum", "draf")  # what a PSM should open first, in this order


def month_choice(months: list[date], status: dict[date, str], key_name: str) -> date:
    """The month to work on: the only open one, or a choice (newest first, each with its status) that starts where
    the PSM is needed: a returned report, else the oldest month not yet sent, else the oldest."""
    if len(months) == 1:
        return months[0]
    ordered = sorted(months, reverse=True)
    if st.session_state.get(key_name) not in ordered:  # set once: the choice then stays while statuses change
        st.session_state[key_name] = next((m for want in WAITING_ON_PSM for m in reversed(ordered) if status.get(m) == want),
                                           ordered[-1])
    return st.selectbox("Bulan laporan", ordered, key=key_name, format_func=fmt.bulan)
