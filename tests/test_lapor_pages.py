"""Issue 25 in AppTest: Lapor Bulanan (a PSM's monthly report), Verifikasi Laporan, the first sign-in with a one-time
password, and the scope of both field roles by URL; on a private copy of the demo warehouse with real users."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

import lapor
from accounts import bulk
from dashboard import lapor_view
from etl.resolve import accounts as read_accounts
from store import close_all, open_store
from tests.conftest import add_users, check, reading, run_etl
from tests.test_access import login

PALANG, KRADENAN, JLODRO = "35.23.18", "35.23.18.2005", "35.23.01.2001"


def months_back(n: int, today: date | None = None) -> date:
    """The first day of the month `n` months before today's."""
    today = (today or date.today()).replace(day=1)
    index = today.year * 12 + today.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


REPORT = months_back(2)  # the month the PSM reports: last month's report (months_back(3)) is the demo's newest


def recent_warehouse(db: Path, boundaries: Path | None = None) -> Path:
    """A warehouse whose demo history ends three months before today, with entry of REPORT open today whatever the
    day (due day 28 of the next month, locked 60 days later), so that the tests do not depend on the calendar."""
    from store.schema import set_setting

    check(run_etl("init", db=db))
    if boundaries is not None:
        check(run_etl("boundaries", str(boundaries), db=db))
    check(run_etl("demo", "--seed", "7", "--months", "8", "--until", f"{months_back(3):%Y-%m}", db=db))
    with open_store(db).transaction() as con:
        set_setting(con, "hari_batas_laporan", "28")
        set_setting(con, "lapor_hari_kunci", "60")
    close_all()
    return db


@pytest.fixture(scope="module")
def recent_db(tmp_path_factory) -> Path:
    return recent_warehouse(tmp_path_factory.mktemp("lapor") / "pmks.duckdb")


def reporting_desa(db: Path) -> str:
    """A desa of Palang whose report of the month before REPORT is in the demo history (the one the PSM copies)."""
    with reading(db) as con:
        return con.execute("""select kode_desa from laporan where aktif and periode = ? and starts_with(kode_desa, ?)
                              and kode_desa <> ? order by kode_desa limit 1""", [months_back(3), PALANG + ".", KRADENAN]).fetchone()[0]


def people(desa: str) -> tuple:
    return (("adm", "admin", ""), ("ana", "analis", ""), ("psm", "psm", PALANG, desa), ("verif", "verifikator", PALANG),
            ("verif_lain", "verifikator", "35.23.01"))


@pytest.fixture(scope="module")
def desa(recent_db) -> str:
    return reporting_desa(recent_db)


@pytest.fixture()
def field(recent_db, desa, tmp_path):
    db = tmp_path / "pmks.duckdb"
    shutil.copy(recent_db, db)
    add_users(db, *people(desa))
    return db


def _user_record(db, login_name: str):
    from accounts.users import User

    with reading(db) as con:
        nama, peran, kec, desa = con.execute("select nama, peran, kecamatan, desa from pengguna where login = ?", [login_name]).fetchone()
    return User(login_name, nama, peran, kec, desa)


def _month(db) -> date:  # noqa: ARG001 - the same for every copy of the warehouse
    return REPORT


def _psm(monkeypatch, db, who: str = "psm", password: str | None = None):
    """The PSM signed in, on REPORT's form."""
    at = login(monkeypatch, db, who, *([password] if password else []))
    if [s for s in at.selectbox if s.key == "lapor_bulan"]:
        at.selectbox(key="lapor_bulan").select(REPORT).run()
    return at


def send_copy(store, psm, desa: str, periode: date) -> lapor.Form:
    """Through the API, as the PSM: last month's values, a note on every row far from history, sent."""
    form = lapor.copy_last_month(store, psm, desa, periode, lapor.form(store, psm, desa, periode).versi)
    for row in form.rows:
        if row.jauh:
            form = lapor.save_value(store, psm, desa, periode, row.kode_indikator, row.laki_laki, row.perempuan, "dicek", form.versi)
    return lapor.send(store, psm, desa, periode, form.versi)


def desa_name(db, kode: str) -> str:
    with reading(db) as con:
        return con.execute("select nama from wilayah where kode = ?", [kode]).fetchone()[0]


def _inputs(at) -> dict[str, object]:
    return {n.key: n.value for n in at.number_input if n.key.startswith("lapor_")}


def _last_month(db, desa: str, periode: date) -> dict[str, tuple[int, int]]:
    before = date(periode.year - (periode.month == 1), (periode.month - 2) % 12 + 1, 1)
    with reading(db) as con:
        rows = con.execute("""select v.kode_indikator, v.laki_laki, v.perempuan from laporan_nilai v join laporan l on l.id = v.laporan_id
                              where l.kode_desa = ? and l.periode = ? and l.aktif""", [desa, before]).fetchall()
    return {k: (lk, pr) for k, lk, pr in rows}


def test_psm_copies_last_month_and_every_change_is_kept_for_a_new_session(monkeypatch, field, desa):
    at = _psm(monkeypatch, field)
    assert not at.exception
    assert [t.value for t in at.title] == ["Lapor Bulanan"]
    assert len(_inputs(at)) == 2 * len(lapor.form(open_store(field), _user_record(field, "psm"), desa, _month(field)).rows)
    at.button(key="lapor_salin").click().run()
    assert not at.exception and not at.error
    before = _last_month(field, desa, _month(field))
    assert before, "the demo warehouse has last month's report of Tegalbang"
    shown = _inputs(at)
    for kode, (lk, pr) in before.items():
        assert shown[lapor_view.key("L", kode)] == lk and shown[lapor_view.key("P", kode)] == pr, kode
    first = next(iter(before))
    at.number_input(key=lapor_view.key("L", first)).set_value(777).run()
    assert not at.exception and not at.error
    # a new session (the tab closed and opened again): every value is still there
    again = _psm(monkeypatch, field)
    assert again.number_input(key=lapor_view.key("L", first)).value == 777
    assert again.number_input(key=lapor_view.key("P", first)).value == before[first][1]
    assert "Draf" in " ".join(m.value for m in again.markdown)


def test_a_stale_save_names_the_conflict_and_overwrites_nothing(monkeypatch, field, desa):
    at = _psm(monkeypatch, field)
    first = lapor.form(open_store(field), _user_record(field, "psm"), desa, _month(field)).rows[0].kode_indikator
    other = _psm(monkeypatch, field)  # a second device of the same PSM
    other.number_input(key=lapor_view.key("L", first)).set_value(5).run()
    other.number_input(key=lapor_view.key("P", first)).set_value(6).run()
    at.number_input(key=lapor_view.key("L", first)).set_value(9).run()  # this session still holds the older version
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "Tidak disimpan" in message and "L 5, P 6" in message, message
    form = lapor.form(open_store(field), _user_record(field, "psm"), desa, _month(field))
    assert (form.rows[0].laki_laki, form.rows[0].perempuan) == (5, 6)  # nothing overwritten unseen
    assert at.number_input(key=lapor_view.key("L", first)).value == 5  # the form shows the stored values again


def test_a_change_made_elsewhere_shows_at_the_next_save_and_is_never_sent_back_stale(monkeypatch, field, desa):
    """Another device saves row Y while this session edits row X (accepted: another row): the session's widgets then
    show Y as stored, so its next change of Y keeps the other device's P and note instead of overwriting them."""
    store = open_store(field)
    psm = _user_record(field, "psm")
    at = _psm(monkeypatch, field)
    at.button(key="lapor_salin").click().run()
    form = lapor.form(store, psm, desa, _month(field))
    x, y = form.rows[0].kode_indikator, form.rows[1].kode_indikator
    lapor.save_value(store, psm, desa, _month(field), y, form.rows[1].laki_laki, 41, "dari HP lain", form.versi)
    at.number_input(key=lapor_view.key("L", x)).set_value(3).run()
    assert not at.exception and not at.error
    assert at.number_input(key=lapor_view.key("P", y)).value == 41 and at.text_input(key=lapor_view.key("C", y)).value == "dari HP lain"
    assert any("perangkat lain" in s.value for s in at.success)
    at.number_input(key=lapor_view.key("L", y)).set_value(7).run()
    after = lapor.form(store, psm, desa, _month(field))
    assert (after.rows[0].laki_laki, after.rows[1].laki_laki, after.rows[1].perempuan, after.rows[1].catatan) == (3, 7, 41, "dari HP lain")


def test_verifikasi_refuses_a_month_out_of_the_calendar_in_its_url_without_a_traceback(monkeypatch, field, desa):
    for month in ("9999-12", "0001-01", "2026-13"):
        at = login(monkeypatch, field, "verif", page="pages/verifikasi.py")
        at.query_params["desa"], at.query_params["periode"] = desa, month
        at.run()
        assert not at.exception, month


def test_a_refused_return_keeps_the_comment_typed(monkeypatch, field, desa):
    """When the return is refused (here: the month locked meanwhile), the verifikator's comment stays in its box to
    send again after the admin's exception."""
    store = open_store(field)
    send_copy(store, _user_record(field, "psm"), desa, _month(field))
    verif = login(monkeypatch, field, "verif", page="pages/verifikasi.py")
    box = next(t.key for t in verif.text_area if t.key.startswith("verif_komentar_"))

    def locked(*_args, **_kwargs):
        raise lapor.Closed("Pengisian laporan sudah ditutup; minta admin Dinsos membuka kembali desa dan bulan ini dulu.")

    monkeypatch.setattr(lapor, "give_back", locked)
    comment = "Lansia terlantar terlalu tinggi; mohon cek nama-namanya."
    verif.text_area(key=box).input(comment)
    verif.button(key="verif_kembali").click().run()
    assert [e.value for e in verif.error] == ["Pengisian laporan sudah ditutup; minta admin Dinsos membuka kembali desa dan bulan ini dulu."]
    assert not verif.exception and verif.text_area(key=box).value == comment
    assert lapor.form(store, _user_record(field, "ana"), desa, _month(field)).status == "dikirim"


@pytest.mark.parametrize("other", [KRADENAN, JLODRO])
def test_a_psm_cannot_open_another_desa_by_url(monkeypatch, field, other):
    at = _psm(monkeypatch, field)
    at.query_params["desa"] = other
    at.run()
    assert not at.exception
    assert at.error and not _inputs(at), [e.value for e in at.error]


def test_a_verifikator_sees_only_their_kecamatan(monkeypatch, field, desa):
    store, periode = open_store(field), _month(field)
    send_copy(store, _user_record(field, "psm"), desa, periode)
    mine = login(monkeypatch, field, "verif", page="pages/verifikasi.py")
    assert not mine.exception
    assert any(desa_name(field, desa) in str(o) for o in mine.selectbox(key="verif_pilih").options)
    other = login(monkeypatch, field, "verif_lain", page="pages/verifikasi.py")
    assert not other.exception
    assert not [s for s in other.selectbox if s.key == "verif_pilih"]  # nothing of Palang waits for Kenduruan
    other.query_params["desa"], other.query_params["periode"] = desa, f"{periode:%Y-%m}"
    other.run()
    assert not other.exception and other.error
    assert not [b for b in other.button if b.key in ("verif_ok", "verif_kembali")]


def test_send_return_correct_verify_approve(monkeypatch, field, desa):
    periode = _month(field)
    psm = _psm(monkeypatch, field)
    psm.button(key="lapor_salin").click().run()
    first = next(n.key for n in psm.number_input if n.key.startswith("lapor_L_"))
    for note in [t for t in psm.text_input if t.key.startswith("lapor_C_")]:
        note.set_value("sesuai pendataan").run()  # any row far from history has its note
    psm.button(key="lapor_kirim").click().run()
    assert not psm.exception and not psm.error, [e.value for e in psm.error]
    assert any("terkirim" in s.value for s in psm.success)
    verif = login(monkeypatch, field, "verif", page="pages/verifikasi.py")
    field_key = next(t.key for t in verif.text_area if t.key.startswith("verif_komentar_"))
    verif.text_area(key=field_key).input("Jumlah lansia terlantar terlalu tinggi, mohon dicek.")
    verif.button(key="verif_kembali").click().run()
    assert any("dikembalikan" in s.value for s in verif.success)
    psm = _psm(monkeypatch, field)
    assert any("terlalu tinggi" in w.value for w in psm.warning)  # the verifikator's comment, for the PSM
    psm.number_input(key=first).set_value(1).run()
    psm.button(key="lapor_kirim").click().run()
    assert any("terkirim" in s.value for s in psm.success), [e.value for e in psm.error]
    verif = login(monkeypatch, field, "verif", page="pages/verifikasi.py")
    verif.button(key="verif_ok").click().run()
    assert any("diverifikasi" in s.value for s in verif.success)
    ana = login(monkeypatch, field, "ana", page="pages/verifikasi.py")
    assert not ana.exception
    ana.button(key="verif_setuju").click().run()
    assert any("disetujui" in s.value for s in ana.success), [e.value for e in ana.error]
    form = lapor.form(open_store(field), _user_record(field, "psm"), desa, periode)
    assert form.status == "disetujui"
    assert [s.ke for s in form.langkah][-5:] == ["dikirim", "dikembalikan", "dikirim", "diverifikasi", "disetujui"]
    kel = login(monkeypatch, field, "ana", page="pages/kelengkapan.py")
    assert not kel.exception
    assert next(m for m in kel.metric if m.label == "Disetujui").value == "1"


def test_first_sign_in_with_a_one_time_password_asks_for_a_new_one_before_anything_else(monkeypatch, field):
    store = open_store(field)
    preview = read_accounts.preview_accounts(store, "nama,desa,telepon\nSiti Aminah,35.23.18.2005,0812345678\n".encode(), "psm.csv")
    assert preview.ok, preview.problems
    made = bulk.create_accounts(store, _user_record(field, "adm"), preview)
    one = made[0]
    at = login(monkeypatch, field, one.login, one.sandi)
    assert [t.value for t in at.title] == ["Ganti kata sandi"]
    at.switch_page("pages/lapor_bulanan.py").run()  # nothing else opens
    assert [t.value for t in at.title] == ["Ganti kata sandi"] and not at.number_input
    at.text_input(key="sandi_lama").input(one.sandi)
    at.text_input(key="sandi_baru").input("sandiku-baru-1")
    at.text_input(key="sandi_ulang").input("sandiku-baru-2")
    at.get("form_submit_button")[0].click().run()
    assert any("tidak sama" in e.value for e in at.error)
    at.text_input(key="sandi_lama").input(one.sandi)
    at.text_input(key="sandi_baru").input("sandiku-baru-1")
    at.text_input(key="sandi_ulang").input("sandiku-baru-1")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Lapor Bulanan"]
    assert login(monkeypatch, field, one.login, one.sandi).title[0].value == "Dasbor PMKS"  # the one-time password is spent
    assert login(monkeypatch, field, one.login, "sandiku-baru-1").title[0].value == "Lapor Bulanan"


def test_the_first_sign_in_form_is_indonesian_and_refuses_a_short_password(monkeypatch, field):
    store = open_store(field)
    made = bulk.create_accounts(store, _user_record(field, "adm"),
                                read_accounts.preview_accounts(store, b"nama,desa,telepon\nBudi,35.23.18.2007,0812-3456-7891\n", "psm.csv"))
    at = login(monkeypatch, field, made[0].login, made[0].sandi)
    at.text_input(key="sandi_lama").input(made[0].sandi)
    at.text_input(key="sandi_baru").input("pendek")
    at.text_input(key="sandi_ulang").input("pendek")
    at.get("form_submit_button")[0].click().run()
    assert any("minimal" in e.value for e in at.error)
    assert [t.value for t in at.title] == ["Ganti kata sandi"]


def test_admin_sets_lock_days_and_count_on_pengaturan(monkeypatch, field):
    at = login(monkeypatch, field, "adm", page="pages/pengaturan.py")
    assert not at.exception
    at.number_input(key="lapor_kunci").set_value(5)
    at.radio(key="lapor_hitung").set_value(lapor.COUNT_SENT)
    at.button(key="lapor_atur_simpan").click().run()
    assert not at.exception and any("5 hari" in s.value for s in at.success), [e.value for e in at.error]
    got = lapor.settings(open_store(field))
    assert (got.hari_kunci, got.hitung) == (5, lapor.COUNT_SENT)


def test_counting_every_sent_report_marks_the_unapproved_numbers(monkeypatch, field, desa):
    """With 'Setiap laporan yang sudah dikirim', a sent report counts at once and every data page says how many of
    the month's numbers are not yet approved; Kelengkapan counts it as Dikirim."""
    store = open_store(field)
    lapor.save_settings(store, _user_record(field, "adm"), 60, lapor.COUNT_SENT)
    send_copy(store, _user_record(field, "psm"), desa, REPORT)
    for page in ("pages/ringkasan.py", "pages/kelengkapan.py"):
        at = login(monkeypatch, field, "ana", page=page)
        at.query_params["periode"] = f"{REPORT:%Y-%m}"
        at.run()
        assert not at.exception
        notes = [c.value for c in at.caption if "belum disetujui" in c.value]
        assert notes and "1 laporan PSM" in notes[0], page
    assert next(m for m in at.metric if m.label == "Dikirim").value == "1"
    lapor.save_settings(store, _user_record(field, "adm"), 60, lapor.COUNT_APPROVED)
    at = login(monkeypatch, field, "ana", page="pages/kelengkapan.py")
    assert not [c for c in at.caption if "belum disetujui" in c.value]  # counted only when approved: nothing to mark
