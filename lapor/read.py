"""Reading a desa-month inside the caller's snapshot or transaction: its state, values, history, steps, and the form
they make. Portable SQL (both stores)."""

from __future__ import annotations

import statistics
from datetime import date, datetime

from common.errors import PMKSError
from lapor.model import BELUM, Form, Row, Step
from lapor.settings import closing_day, read_settings

HISTORY_MONTHS = 24  # the importer's window (etl.check.rules.history_jumps)


def month(periode: date) -> date:
    return periode.replace(day=1)


def months_back(periode: date, n: int) -> date:
    year, mon = divmod(periode.year * 12 + periode.month - 1 - n, 12)
    return date(year, mon + 1, 1)


def state(con, kode_desa: str, periode: date) -> dict | None:
    """The workflow row of the desa-month, or None when nothing was entered."""
    row = con.execute("""select status, versi, nihil, komentar, diubah_oleh, batch_id, dikirim_oleh from lapor
                         where kode_desa = ? and periode = ?""", [kode_desa, periode]).fetchone()
    if row is None:
        return None
    return dict(zip(("status", "versi", "nihil", "komentar", "diubah_oleh", "batch_id", "dikirim_oleh"), row))


def desa_name(con, kode_desa: str) -> str:
    row = con.execute("select nama from wilayah where kode = ? and tingkat = 'desa'", [kode_desa]).fetchone()
    if row is None:
        raise PMKSError(f"Desa dengan kode '{kode_desa}' tidak ada di daftar wilayah.")
    return str(row[0])


def indicators(con) -> list[tuple[str, str]]:
    """(kode, nama) of the active indicators, in the catalogue's order."""
    return [(r[0], r[1]) for r in con.execute("select kode, nama from indikator where aktif order by nomor").fetchall()]


def values(con, kode_desa: str, periode: date) -> dict[str, tuple]:
    """kode_indikator → (laki_laki, perempuan, catatan, versi, diubah_oleh) of the draft."""
    rows = con.execute("""select kode_indikator, laki_laki, perempuan, catatan, versi, diubah_oleh from lapor_nilai
                          where kode_desa = ? and periode = ?""", [kode_desa, periode]).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def history(con, kode_desa: str, periode: date) -> dict[str, tuple[int, float, float]]:
    """kode_indikator → (months, median, MAD) of the desa's active reports in the 24 months before `periode`."""
    rows = con.execute("""
        select n.kode_indikator, n.jumlah from laporan l join laporan_nilai n on n.laporan_id = l.id
        where l.kode_desa = ? and l.aktif and l.periode < ? and l.periode >= ?""",
                       [kode_desa, periode, months_back(periode, HISTORY_MONTHS)]).fetchall()
    series: dict[str, list[int]] = {}
    for kode, jumlah in rows:
        series.setdefault(kode, []).append(int(jumlah))
    found = {}
    for kode, numbers in series.items():
        median = float(statistics.median(numbers))
        found[kode] = (len(numbers), median, float(statistics.median(abs(x - median) for x in numbers)))
    return found


def last_report(con, kode_desa: str, periode: date) -> dict[str, tuple[int | None, int | None, int]]:
    """kode_indikator → (L, P, Jumlah) of the desa's active report of the month before `periode` (empty when none)."""
    rows = con.execute("""
        select n.kode_indikator, n.laki_laki, n.perempuan, n.jumlah from laporan l join laporan_nilai n on n.laporan_id = l.id
        where l.kode_desa = ? and l.aktif and l.periode = ?""", [kode_desa, months_back(periode, 1)]).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def steps(con, kode_desa: str, periode: date) -> tuple[Step, ...]:
    rows = con.execute("""select dari, ke, pengguna, waktu, komentar from lapor_langkah where kode_desa = ? and periode = ?
                          order by id""", [kode_desa, periode]).fetchall()
    return tuple(Step(*r) for r in rows)


def exception_until(con, kode_desa: str, periode: date) -> date | None:
    row = con.execute("select sampai from lapor_buka where kode_desa = ? and periode = ?", [kode_desa, periode]).fetchone()
    return None if row is None else _as_date(row[0])


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def closing(con, kode_desa: str, periode: date) -> date:
    """The last day of entry: the settings' closing day, or an admin's later exception."""
    day = closing_day(periode, read_settings(con))
    until = exception_until(con, kode_desa, periode)
    return max(day, until) if until else day


def is_open(con, kode_desa: str, periode: date, today: date) -> tuple[bool, date]:
    """(open for entry today, closing day): a month opens on its first day and closes after `closing`."""
    last = closing(con, kode_desa, periode)
    return month(periode) <= today <= last, last


def open_months(con, kode_desa: str, today: date) -> list[date]:
    """The months open for entry today, newest first: from the current month back, each whose closing day has not
    passed, and the months an admin reopened."""
    found = read_settings(con)
    current = month(today)
    back = (found.hari_kunci + found.hari_tempo) // 28 + 2  # no month further back can still be open
    months = [m for m in (months_back(current, n) for n in range(back)) if closing_day(m, found) >= today]
    rows = con.execute("select periode from lapor_buka where kode_desa = ? and sampai >= ?", [kode_desa, today]).fetchall()
    months += [_as_date(r[0]) for r in rows if _as_date(r[0]) <= current]
    return sorted(set(months), reverse=True)


def build_form(con, kode_desa: str, periode: date, today: date) -> Form:
    """The form of a desa-month as the connection's snapshot holds it."""
    periode = month(periode)
    name = desa_name(con, kode_desa)
    found = state(con, kode_desa, periode) or {"status": BELUM, "versi": 0, "nihil": False, "komentar": "",
                                                "diubah_oleh": "", "batch_id": None}
    entered = values(con, kode_desa, periode)
    past = history(con, kode_desa, periode)
    rows = []
    for kode, nama in indicators(con):
        lp = entered.get(kode, (None, None, "", 0, ""))
        rows.append(Row(kode, nama, lp[0], lp[1], lp[2] or "", past.get(kode)))
    terbuka, tutup = is_open(con, kode_desa, periode, today)
    return Form(kode_desa=kode_desa, nama_desa=name, periode=periode, status=found["status"], versi=int(found["versi"]),
                rows=tuple(rows), nihil=bool(found["nihil"]), komentar=found["komentar"] or "", terbuka=terbuka,
                tutup=tutup, langkah=steps(con, kode_desa, periode), diubah_oleh=found["diubah_oleh"] or "",
                laporan_id=_published_report(con, found["batch_id"]))


def _published_report(con, batch_id) -> int | None:
    if batch_id is None:
        return None
    row = con.execute("select id from laporan where batch_id = ? and aktif", [batch_id]).fetchone()
    return None if row is None else int(row[0])


def display_name(con, login: str) -> str:
    """'Nama (login)' of a user for a message, or the login alone."""
    row = con.execute("select nama from pengguna where login = ?", [login]).fetchone()
    return f"{row[0]} ({login})" if row and row[0] and row[0] != login else login
