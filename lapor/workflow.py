"""The state machine of Lapor Bulanan: reading a form, saving values, sending, verifying, approving, reopening.

Every write is one store transaction (writers take turns on both stores), checks the caller's scope through the
rulebook, the period lock and the `versi` the caller saw, changes the desa-month, records the step and the audit
row, and publishes or withdraws the report as the count setting says (`lapor.publish`).

Optimistic concurrency: `versi` rises with every change of a desa-month. A value saved with an older `versi` is
still taken when nobody changed *that row* since (two tabs typing into different rows lose nothing); otherwise it
raises Conflict naming who changed it and both values, and writes nothing but an audit row (`lapor_konflik`).
A whole-form change (copy, Nihil, send, verify, give back) needs the current `versi`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from accounts import rulebook
from accounts.users import User
from common import fmt
from common.errors import PMKSError
from etl.read.cells import parse_count
from lapor import read
from lapor.errors import Closed, Conflict, Forbidden, Problems
from lapor.model import BELUM, DIKEMBALIKAN, DIKIRIM, DISETUJUI, DIVERIFIKASI, DRAF, STATUS_LABEL, Form, Issue, QueueItem
from lapor.publish import sync
from lapor.settings import read_settings
from store.schema import audit

EDITABLE = (BELUM, DRAF, DIKEMBALIKAN)
MAX_COUNT = 1_000_000  # more people than any desa has: a typing slip
MAX_NOTE = 500


def _today(today: date | None) -> date:
    return today or date.today()


def _target(kode_desa: str, periode: date) -> str:
    return f"{kode_desa} {periode:%Y-%m}"


def _check(user: User | None, action: str, kode_desa: str) -> User:
    """The rulebook's answer for this desa, or Forbidden (Indonesian)."""
    if user is None or not rulebook.may_report(user, action, kode_desa):
        raise Forbidden("Anda tidak berhak membuka atau mengubah laporan desa ini.")
    return user


# --- reading ---------------------------------------------------------------------------------------


def open_months(store, user: User | None, kode_desa: str | None = None, today: date | None = None) -> list[date]:
    """The months the desa (default: the PSM's own) may still enter today, newest first: the current month, every
    earlier month whose closing day has not passed, and months an admin reopened."""
    kode_desa = kode_desa or (user.desa if user else "")
    _check(user, "lapor_isi", kode_desa)
    with store.read() as con:
        return read.open_months(con, kode_desa, _today(today))


def form(store, user: User | None, kode_desa: str, periode: date, today: date | None = None) -> Form:
    """The desa-month's form (status, a row per active indicator, history, steps); scope-checked (Forbidden): a psm
    its own desa, a verifikator its kecamatan, analis/admin their area."""
    if not any(rulebook.may_report(user, a, kode_desa) for a in ("lapor_isi", "lapor_verifikasi", "lapor_setujui")):
        raise Forbidden("Anda tidak berhak membuka laporan desa ini.")
    with store.read() as con:
        return read.build_form(con, kode_desa, periode, _today(today))


def changes(store, user: User | None, kode_desa: str, periode: date) -> list[str]:
    """What sending this form would change in the stored report of the month (an imported one or an earlier web
    report), as the importer's replace-with-diff lines; [] when there is none or nothing differs."""
    from lapor.publish import active_report, differences

    current = form(store, user, kode_desa, periode)
    with store.read() as con:
        old = active_report(con, kode_desa, current.periode)
        if old is None or old["id"] == current.laporan_id:
            return []
        return differences(con, kode_desa, current.periode, old["nilai"], {r.kode_indikator: r.jumlah for r in current.rows})


def problems(form: Form) -> list[Issue]:
    """What stops the form from being sent, by the rules of a file import: a value that is empty or not a whole
    number ≥ 0, Jumlah ≠ L + P (blocking); a Jumlah far from the desa's history (the median/MAD rule) without a note
    (needs a note: `blocking` False). A Nihil form is the PSM's explicit word that the month is all zero: the jump
    rule does not ask again row by row."""
    issues = []
    for row in form.rows:
        if row.laki_laki is None or row.perempuan is None:
            issues.append(Issue(row.kode_indikator, f"{row.nama}: isi L dan P (isi 0 bila tidak ada)."))
            continue
        if min(row.laki_laki, row.perempuan) < 0:
            issues.append(Issue(row.kode_indikator, f"{row.nama}: jumlah harus bilangan bulat ≥ 0."))
        elif row.jumlah != row.laki_laki + row.perempuan:
            issues.append(Issue(row.kode_indikator, f"{row.nama}: Jumlah harus L + P."))
        elif row.jauh and not form.nihil and not row.catatan.strip():
            issues.append(Issue(row.kode_indikator, f"{row.nama}: {fmt.angka(row.jumlah)} jauh dari riwayat desa (median "
                                f"{fmt.angka(row.median, 0 if float(row.median or 0).is_integer() else 1)}); beri catatan "
                                "sebelum mengirim.", blocking=False))
    return issues


def queue(store, user: User | None) -> list[QueueItem]:
    """What waits for this user in their area: a verifikator the sent reports (dikirim) of their kecamatan; analis
    and admin the verified ones (diverifikasi) waiting for approval, and the sent ones of a kecamatan that has no
    verifikator account (so that no report waits for nobody)."""
    if rulebook.may(user, "lapor_setujui"):
        wanted, orphans = DIVERIFIKASI, DIKIRIM
    elif rulebook.may(user, "lapor_verifikasi"):
        wanted, orphans = DIKIRIM, ""
    else:
        raise Forbidden("Anda tidak berhak membuka antrean verifikasi.")
    area = rulebook.area(user) or ""
    with store.read() as con:
        rows = con.execute("""
            select s.kode_desa, d.nama, coalesce(k.nama, ''), s.periode, s.status, s.versi, s.dikirim, coalesce(s.dikirim_oleh, ''),
                   (select count(*) from lapor_nilai n where n.kode_desa = s.kode_desa and n.periode = s.periode and n.catatan <> '')
            from lapor s join wilayah d on d.kode = s.kode_desa left join wilayah k on k.kode = d.kode_induk
            where s.kode_desa like ? and (s.status = ? or (s.status = ? and not exists (
                select 1 from pengguna p where p.peran = 'verifikator' and p.kecamatan <> '' and s.kode_desa like p.kecamatan || '%')))
            order by s.periode, s.kode_desa""", [area + "%", wanted, orphans]).fetchall()
    return [QueueItem(r[0], r[1], r[2], r[3], r[4], int(r[5]), r[6], r[7], int(r[8])) for r in rows]


# --- writing ---------------------------------------------------------------------------------------


@contextmanager
def _changing(store, user: User, action: str, kode_desa: str, periode: date, bump: tuple[str, ...] = ("data",)) -> Iterator:
    """A transaction on one desa-month: yields (connection, state or None). A Conflict raised inside is recorded in
    the audit log in a transaction of its own, after the failed one rolled back."""
    _check(user, action, kode_desa)
    try:
        with store.transaction(bump=bump) as con:
            read.desa_name(con, kode_desa)
            yield con, read.state(con, kode_desa, read.month(periode))
    except Conflict as conflict:
        with store.transaction(bump=()) as con:
            audit(con, user.login, "lapor_konflik", _target(kode_desa, read.month(periode)),
                  json.dumps({"oleh": conflict.oleh, "milik_mereka": conflict.theirs, "milik_anda": conflict.yours}, default=str))
        raise


def _versi(found: dict | None) -> int:
    return 0 if found is None else int(found["versi"])


def _whole_form(con, user: User, found: dict | None, versi: int) -> None:
    """A whole-form change needs the current versi."""
    if versi != _versi(found):
        assert found is not None
        other = read.display_name(con, found["diubah_oleh"])
        who = "Anda sendiri (di tab atau perangkat lain)" if found["diubah_oleh"] == user.login else other
        raise Conflict(f"{who} sudah mengubah laporan ini (status {STATUS_LABEL[found['status']]}) sejak Anda membukanya. "
                       "Tidak ada yang ditimpa; muat ulang laporan lalu ulangi.", oleh=found["diubah_oleh"],
                       theirs={"status": found["status"], "versi": found["versi"]}, yours={"versi": versi})


def _editable(con, user: User, found: dict | None, kode_desa: str, periode: date, today: date) -> None:
    status = BELUM if found is None else found["status"]
    if status not in EDITABLE:
        raise PMKSError(f"Laporan ini berstatus {STATUS_LABEL[status]} dan tidak dapat diubah lagi"
                        + (" kecuali dikembalikan oleh verifikator." if status != DISETUJUI else "."))
    is_open, last = read.is_open(con, kode_desa, periode, today)
    if not is_open:
        if today < read.month(periode):
            raise Closed(f"Laporan {fmt.bulan(periode)} belum dapat diisi sebelum bulan itu tiba.")
        raise Closed(f"Pengisian laporan {fmt.bulan(periode)} sudah ditutup pada {fmt.tanggal(last)}. Minta admin Dinsos "
                     "membukanya kembali bila perlu.")


def _touch(con, user: User, kode_desa: str, periode: date, found: dict | None, **fields) -> int:
    """Raise the desa-month's versi (creating it as a draft), set `fields`; returns the new versi."""
    now = datetime.now()
    if found is None:
        con.execute("""insert into lapor (kode_desa, periode, status, versi, nihil, komentar, dibuat, diubah, diubah_oleh)
                       values (?, ?, ?, 0, false, '', ?, ?, ?)""", [kode_desa, periode, DRAF, now, now, user.login])
        _step(con, user, kode_desa, periode, BELUM, DRAF, "")
    names = "".join(f", {name} = ?" for name in fields)
    con.execute(f"update lapor set versi = versi + 1, diubah = ?, diubah_oleh = ?{names} where kode_desa = ? and periode = ?",  # noqa: S608 - own names
                [now, user.login, *fields.values(), kode_desa, periode])
    return int(con.execute("select versi from lapor where kode_desa = ? and periode = ?", [kode_desa, periode]).fetchone()[0])


def _step(con, user: User, kode_desa: str, periode: date, dari: str, ke: str, komentar: str, batch: int | None = None) -> None:
    con.execute("""insert into lapor_langkah (kode_desa, periode, dari, ke, pengguna, waktu, komentar, batch_id)
                   values (?, ?, ?, ?, ?, ?, ?, ?)""", [kode_desa, periode, dari, ke, user.login, datetime.now(), komentar, batch])


def _put(con, user: User, kode_desa: str, periode: date, kode: str, laki_laki, perempuan, catatan: str, versi: int) -> None:
    con.execute("""
        insert into lapor_nilai (kode_desa, periode, kode_indikator, laki_laki, perempuan, catatan, versi, diubah, diubah_oleh)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (kode_desa, periode, kode_indikator) do update set laki_laki = excluded.laki_laki,
            perempuan = excluded.perempuan, catatan = excluded.catatan, versi = excluded.versi, diubah = excluded.diubah,
            diubah_oleh = excluded.diubah_oleh""", [kode_desa, periode, kode, laki_laki, perempuan, catatan, versi, datetime.now(), user.login])


def _count(value, label: str) -> int | None:
    """A whole number ≥ 0 from the form (an int or text such as '1.234'); None for empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number, problem = parse_count(value)
    if problem or number is None:
        raise PMKSError(f"{label}: {problem or 'bukan angka'}; isi bilangan bulat ≥ 0.")
    if number > MAX_COUNT:
        raise PMKSError(f"{label}: {fmt.angka(number)} terlalu besar untuk satu desa; periksa angkanya.")
    return number


def _after(store, kode_desa: str, periode: date, today: date) -> Form:
    with store.read() as con:
        return read.build_form(con, kode_desa, periode, today)


def save_value(store, user: User | None, kode_desa: str, periode: date, kode_indikator: str, laki_laki, perempuan,
               catatan: str, versi: int, today: date | None = None) -> Form:
    """Save one row as a draft at once (L and P: whole numbers ≥ 0 or empty; a note up to 500 characters).

    Raises Conflict when someone changed this row since `versi` (nothing written but the audit row), Closed after
    the lock day, Forbidden outside the user's scope, PMKSError for a bad value or a report no longer editable."""
    today, periode = _today(today), read.month(periode)
    catatan = (catatan or "").strip()[:MAX_NOTE]
    user = _check(user, "lapor_isi", kode_desa)
    with _changing(store, user, "lapor_isi", kode_desa, periode, bump=()) as (con, found):
        names = dict(read.indicators(con))
        if kode_indikator not in names:
            raise PMKSError(f"Indikator '{kode_indikator}' tidak ada atau tidak aktif.")
        laki_laki = _count(laki_laki, f"{names[kode_indikator]}, L")
        perempuan = _count(perempuan, f"{names[kode_indikator]}, P")
        _editable(con, user, found, kode_desa, periode, today)
        mine = {"laki_laki": laki_laki, "perempuan": perempuan, "catatan": catatan}
        if versi != _versi(found):
            row = read.values(con, kode_desa, periode).get(kode_indikator)
            if versi > _versi(found) or (row is not None and row[3] > versi):
                who = row[4] if row is not None else (found or {}).get("diubah_oleh", "")
                theirs = {"laki_laki": row[0], "perempuan": row[1], "catatan": row[2]} if row else None
                other = "Anda sendiri (di tab atau perangkat lain)" if who == user.login else read.display_name(con, who)
                show = lambda v: "(kosong)" if v is None else fmt.angka(v)  # noqa: E731
                their_text = f"L {show(row[0])}, P {show(row[1])}" if row else "(kosong)"
                raise Conflict(f"{other} sudah mengubah {names[kode_indikator]} sejak Anda membukanya: nilainya {their_text}; "
                               f"nilai Anda L {show(laki_laki)}, P {show(perempuan)}. Tidak ada yang ditimpa; pilih nilai yang "
                               "benar lalu simpan lagi.", oleh=who, theirs=theirs, yours=mine)
        new = _touch(con, user, kode_desa, periode, found, nihil=False)
        _put(con, user, kode_desa, periode, kode_indikator, laki_laki, perempuan, catatan, new)
        audit(con, user.login, "lapor_simpan", _target(kode_desa, periode), json.dumps({"indikator": kode_indikator, **mine, "versi": new}))
    return _after(store, kode_desa, periode, today)


def _fill(store, user: User | None, kode_desa: str, periode: date, versi: int, today: date, action: str, nihil: bool) -> Form:
    """Copy last month or Nihil: every active indicator's row at once."""
    user = _check(user, "lapor_isi", kode_desa)
    with _changing(store, user, "lapor_isi", kode_desa, periode, bump=()) as (con, found):
        _editable(con, user, found, kode_desa, periode, today)
        _whole_form(con, user, found, versi)
        codes = [k for k, _ in read.indicators(con)]
        filled: dict[str, tuple[int | None, int | None]]
        if nihil:
            filled = {k: (0, 0) for k in codes}
        else:
            last = read.last_report(con, kode_desa, periode)
            if not last:
                raise PMKSError(f"Belum ada laporan {fmt.bulan(read.months_back(periode, 1))} desa ini untuk disalin.")
            filled = {k: (last[k][0], last[k][1]) if k in last else (None, None) for k in codes}
        new = _touch(con, user, kode_desa, periode, found, nihil=nihil)
        for kode, (laki_laki, perempuan) in filled.items():
            _put(con, user, kode_desa, periode, kode, laki_laki, perempuan, "", new)
        audit(con, user.login, action, _target(kode_desa, periode), json.dumps({"versi": new, "baris": len(filled)}))
    return _after(store, kode_desa, periode, today)


def copy_last_month(store, user: User | None, kode_desa: str, periode: date, versi: int, today: date | None = None) -> Form:
    """Fill every row with the previous month's active report (imported or web) as a start; notes are cleared. An
    indicator that report lacks, or gave without L and P, is left empty to fill."""
    return _fill(store, user, kode_desa, read.month(periode), versi, _today(today), "lapor_salin", nihil=False)


def set_nihil(store, user: User | None, kode_desa: str, periode: date, versi: int, today: date | None = None) -> Form:
    """Report an explicit all-zero month (every active indicator 0 L, 0 P): not the same as not reporting."""
    return _fill(store, user, kode_desa, read.month(periode), versi, _today(today), "lapor_nihil", nihil=True)


def _move(con, user: User, kode_desa: str, periode: date, found: dict | None, allowed: tuple[str, ...], ke: str,
          note: str = "", **fields) -> None:
    """Change the status (from one of `allowed`), record the step and publish or withdraw as the setting says."""
    dari = BELUM if found is None else found["status"]
    if dari not in allowed:
        raise PMKSError(f"Laporan ini berstatus {STATUS_LABEL[dari]}; tidak dapat menjadi {STATUS_LABEL[ke]}.")
    _touch(con, user, kode_desa, periode, found, status=ke, **fields)
    batch = sync(con, user.login, kode_desa, periode, (dari, ke), read_settings(con).hitung)
    _step(con, user, kode_desa, periode, dari, ke, note, batch)
    audit(con, user.login, f"lapor_{ke}", _target(kode_desa, periode),
          json.dumps({"dari": dari, "ke": ke, "komentar": note, "batch": batch}, ensure_ascii=False))


def send(store, user: User | None, kode_desa: str, periode: date, versi: int, today: date | None = None) -> Form:
    """draf/dikembalikan → dikirim. Refused with Problems (listing them) while `problems` finds any, Closed after the
    lock day, Conflict on a stale versi."""
    today, periode = _today(today), read.month(periode)
    user = _check(user, "lapor_isi", kode_desa)
    with _changing(store, user, "lapor_isi", kode_desa, periode) as (con, found):
        _editable(con, user, found, kode_desa, periode, today)
        _whole_form(con, user, found, versi)
        found_problems = problems(read.build_form(con, kode_desa, periode, today))
        if found_problems:
            raise Problems(f"Laporan belum dapat dikirim: {len(found_problems)} baris perlu diperbaiki atau diberi catatan.",
                           found_problems)
        _move(con, user, kode_desa, periode, found, (DRAF, DIKEMBALIKAN), DIKIRIM, dikirim=datetime.now(), dikirim_oleh=user.login)
    return _after(store, kode_desa, periode, today)


def give_back(store, user: User | None, kode_desa: str, periode: date, komentar: str, versi: int,
              today: date | None = None) -> Form:
    """dikirim/diverifikasi → dikembalikan with a comment the PSM sees (verifikator of the kecamatan, analis, admin);
    a counted report leaves the counts until it is sent again. Refused (Closed) once the month is locked: the PSM
    could not correct it, and it would leave the counts unseen; an admin reopens the desa-month first."""
    today, periode, komentar = _today(today), read.month(periode), (komentar or "").strip()[:MAX_NOTE]
    if not komentar:
        raise PMKSError("Tulis alasan pengembalian agar PSM tahu apa yang harus diperbaiki.")
    user = _check(user, "lapor_verifikasi", kode_desa)
    with _changing(store, user, "lapor_verifikasi", kode_desa, periode) as (con, found):
        _whole_form(con, user, found, versi)
        is_open, last = read.is_open(con, kode_desa, periode, today)
        if not is_open:
            raise Closed(f"Pengisian laporan {fmt.bulan(periode)} sudah ditutup pada {fmt.tanggal(last)}, sehingga PSM tidak "
                         "dapat memperbaikinya bila dikembalikan. Minta admin Dinsos membuka kembali desa dan bulan ini "
                         "dulu, lalu kembalikan.")
        _move(con, user, kode_desa, periode, found, (DIKIRIM, DIVERIFIKASI), DIKEMBALIKAN, komentar, komentar=komentar)
    return _after(store, kode_desa, periode, today)


def verify(store, user: User | None, kode_desa: str, periode: date, versi: int) -> Form:
    """dikirim → diverifikasi (verifikator of the kecamatan, analis, admin)."""
    periode = read.month(periode)
    user = _check(user, "lapor_verifikasi", kode_desa)
    with _changing(store, user, "lapor_verifikasi", kode_desa, periode) as (con, found):
        _whole_form(con, user, found, versi)
        _move(con, user, kode_desa, periode, found, (DIKIRIM,), DIVERIFIKASI)
    return _after(store, kode_desa, periode, date.today())


def approve(store, user: User | None, items: list[tuple[str, date]]) -> int:
    """diverifikasi → disetujui for every item still verified, in one transaction (analis, admin, within their
    area); returns how many changed. An item no longer verified (given back meanwhile) is skipped; one outside the
    user's area refuses the whole call (Forbidden)."""
    if user is None or not rulebook.may(user, "lapor_setujui"):
        raise Forbidden("Anda tidak berhak menyetujui laporan.")
    for kode_desa, _ in items:
        _check(user, "lapor_setujui", kode_desa)
    changed = 0
    with store.transaction(bump=("data",)) as con:
        for kode_desa, periode in dict.fromkeys((k, read.month(p)) for k, p in items):
            found = read.state(con, kode_desa, periode)
            if found is None or found["status"] != DIVERIFIKASI:
                continue
            _move(con, user, kode_desa, periode, found, (DIVERIFIKASI,), DISETUJUI)
            changed += 1
    return changed


def unapprove(store, user: User | None, kode_desa: str, periode: date, alasan: str) -> Form:
    """disetujui → diverifikasi (admin only, with a reason), recorded; under 'count only approved' the report leaves
    the counts."""
    periode, alasan = read.month(periode), (alasan or "").strip()[:MAX_NOTE]
    if not alasan:
        raise PMKSError("Tulis alasan membatalkan persetujuan.")
    user = _check(user, "lapor_batal_setuju", kode_desa)
    with _changing(store, user, "lapor_batal_setuju", kode_desa, periode) as (con, found):
        _move(con, user, kode_desa, periode, found, (DISETUJUI,), DIVERIFIKASI, alasan)
    return _after(store, kode_desa, periode, date.today())


def reopen(store, user: User | None, kode_desa: str, periode: date, alasan: str, days: int = 7, today: date | None = None) -> None:
    """Admin exception to the period lock: the desa-month is open for entry until `days` days from today; recorded
    (`lapor_buka`, with the reason). A report already sent stays as it is (it is given back to be changed)."""
    today, periode, alasan = _today(today), read.month(periode), (alasan or "").strip()[:MAX_NOTE]
    if not alasan:
        raise PMKSError("Tulis alasan membuka kembali periode ini.")
    user = _check(user, "lapor_buka", kode_desa)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 90:
        raise PMKSError("Lama pembukaan harus 1–90 hari.")
    if periode > read.month(today):
        raise PMKSError(f"Bulan {fmt.bulan(periode)} belum tiba.")
    until = today + timedelta(days=days)
    with _changing(store, user, "lapor_buka", kode_desa, periode, bump=()) as (con, _found):
        con.execute("""insert into lapor_buka (kode_desa, periode, sampai, alasan, pengguna, waktu) values (?, ?, ?, ?, ?, ?)
                       on conflict (kode_desa, periode) do update set sampai = excluded.sampai, alasan = excluded.alasan,
                           pengguna = excluded.pengguna, waktu = excluded.waktu""",
                    [kode_desa, periode, until, alasan, user.login, datetime.now()])
        audit(con, user.login, "lapor_buka", _target(kode_desa, periode), json.dumps({"sampai": str(until), "alasan": alasan}))
