"""Issue 25 in AppTest: Lapor Bulanan (a PSM's monthly report), Verifikasi Laporan, the first sign-in with a one-time
password, and the scope of both field roles by URL; on a private copy of the demo warehouse with real users."""

from __future__ import annotations

from datetime import date

import pytest

import lapor
from accounts import bulk
from dashboard import lapor_view
from store import open_store
from tests.conftest import add_users, reading
from tests.test_access import login

PALANG, TEGALBANG, KRADENAN, JLODRO = "35.23.18", "35.23.18.2003", "35.23.18.2005", "35.23.01.2001"
PEOPLE = (("adm", "admin", ""), ("ana", "analis", ""), ("psm", "psm", PALANG, TEGALBANG), ("verif", "verifikator", PALANG),
          ("verif_lain", "verifikator", "35.23.01"))


@pytest.fixture()
def field(demo_db):
    add_users(demo_db, *PEOPLE)
    return demo_db


def _user_record(db, login_name: str):
    from accounts.users import User

    with reading(db) as con:
        nama, peran, kec, desa = con.execute("select nama, peran, kecamatan, desa from pengguna where login = ?", [login_name]).fetchone()
    return User(login_name, nama, peran, kec, desa)


def _month(db) -> date:
    """The month the PSM works on: the newest open one."""
    return lapor.open_months(open_store(db), _user_record(db, "psm"))[0]


def _inputs(at) -> dict[str, object]:
    return {n.key: n.value for n in at.number_input if n.key.startswith("lapor_")}


def _last_month(db, periode: date) -> dict[str, tuple[int, int]]:
    before = date(periode.year - (periode.month == 1), (periode.month - 2) % 12 + 1, 1)
    with reading(db) as con:
        rows = con.execute("""select v.kode_indikator, v.laki_laki, v.perempuan from laporan_nilai v join laporan l on l.id = v.laporan_id
                              where l.kode_desa = ? and l.periode = ? and l.aktif""", [TEGALBANG, before]).fetchall()
    return {k: (lk, pr) for k, lk, pr in rows}


def test_psm_copies_last_month_and_every_change_is_kept_for_a_new_session(monkeypatch, field):
    at = login(monkeypatch, field, "psm")
    assert not at.exception
    assert [t.value for t in at.title] == ["Lapor Bulanan"]
    assert len(_inputs(at)) == 2 * len(lapor.form(open_store(field), _user_record(field, "psm"), TEGALBANG, _month(field)).rows)
    at.button(key="lapor_salin").click().run()
    assert not at.exception and not at.error
    before = _last_month(field, _month(field))
    assert before, "the demo warehouse has last month's report of Tegalbang"
    shown = _inputs(at)
    for kode, (lk, pr) in before.items():
        assert shown[lapor_view.key("L", kode)] == lk and shown[lapor_view.key("P", kode)] == pr, kode
    first = next(iter(before))
    at.number_input(key=lapor_view.key("L", first)).set_value(777).run()
    assert not at.exception and not at.error
    # a new session (the tab closed and opened again): every value is still there
    again = login(monkeypatch, field, "psm")
    assert again.number_input(key=lapor_view.key("L", first)).value == 777
    assert again.number_input(key=lapor_view.key("P", first)).value == before[first][1]
    assert "Draf" in " ".join(m.value for m in again.markdown)


def test_a_stale_save_names_the_conflict_and_overwrites_nothing(monkeypatch, field):
    at = login(monkeypatch, field, "psm")
    first = lapor.form(open_store(field), _user_record(field, "psm"), TEGALBANG, _month(field)).rows[0].kode_indikator
    other = login(monkeypatch, field, "psm")  # a second device of the same PSM
    other.number_input(key=lapor_view.key("L", first)).set_value(5).run()
    other.number_input(key=lapor_view.key("P", first)).set_value(6).run()
    at.number_input(key=lapor_view.key("L", first)).set_value(9).run()  # this session still holds the older version
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "Tidak disimpan" in message and "L 5, P 6" in message, message
    form = lapor.form(open_store(field), _user_record(field, "psm"), TEGALBANG, _month(field))
    assert (form.rows[0].laki_laki, form.rows[0].perempuan) == (5, 6)  # nothing overwritten unseen
    assert at.number_input(key=lapor_view.key("L", first)).value == 5  # the form shows the stored values again


@pytest.mark.parametrize("desa", [KRADENAN, JLODRO])
def test_a_psm_cannot_open_another_desa_by_url(monkeypatch, field, desa):
    at = login(monkeypatch, field, "psm")
    at.query_params["desa"] = desa
    at.run()
    assert not at.exception
    assert at.error and not _inputs(at), [e.value for e in at.error]


def test_a_verifikator_sees_only_their_kecamatan(monkeypatch, field):
    store, periode = open_store(field), _month(field)
    psm = _user_record(field, "psm")
    form = lapor.copy_last_month(store, psm, TEGALBANG, periode, lapor.form(store, psm, TEGALBANG, periode).versi)
    lapor.send(store, psm, TEGALBANG, periode, form.versi)
    mine = login(monkeypatch, field, "verif", page="pages/verifikasi.py")
    assert not mine.exception
    assert any("Tegalbang" in str(o) for o in mine.selectbox(key="verif_pilih").options)
    other = login(monkeypatch, field, "verif_lain", page="pages/verifikasi.py")
    assert not other.exception
    assert not [s for s in other.selectbox if s.key == "verif_pilih"]  # nothing of Palang waits for Kenduruan
    other.query_params["desa"], other.query_params["periode"] = TEGALBANG, f"{periode:%Y-%m}"
    other.run()
    assert not other.exception and other.error
    assert not [b for b in other.button if b.key in ("verif_ok", "verif_kembali")]


def test_send_return_correct_verify_approve(monkeypatch, field):
    periode = _month(field)
    psm = login(monkeypatch, field, "psm")
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
    psm = login(monkeypatch, field, "psm")
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
    form = lapor.form(open_store(field), _user_record(field, "psm"), TEGALBANG, periode)
    assert form.status == "disetujui"
    assert [s.ke for s in form.langkah][-5:] == ["dikirim", "dikembalikan", "dikirim", "diverifikasi", "disetujui"]
    kel = login(monkeypatch, field, "ana", page="pages/kelengkapan.py")
    assert not kel.exception
    assert next(m for m in kel.metric if m.label == "Disetujui").value == "1"


def test_first_sign_in_with_a_one_time_password_asks_for_a_new_one_before_anything_else(monkeypatch, field):
    store = open_store(field)
    preview = bulk.preview_accounts(store, "nama,desa,telepon\nSiti Aminah,35.23.18.2005,0812345678\n".encode(), "psm.csv")
    assert preview.ok, preview.problems
    made = bulk.create_accounts(store, _user_record(field, "adm"), preview)
    one = made[0]
    at = login(monkeypatch, field, one.login, one.sandi)
    assert [t.value for t in at.title] == ["Ganti kata sandi"]
    at.switch_page("pages/lapor.py").run()  # nothing else opens
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
                                bulk.preview_accounts(store, b"nama,desa,telepon\nBudi,35.23.18.2007,08123\n", "psm.csv"))
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
