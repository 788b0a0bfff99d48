"""Sign-in hardening: the throttle on password guessing, sessions that end on the server, the old users file as a
careless admin leaves it, fail-closed entry, and the kecamatan scope of the import history (AppTest and the CLI; the
browser side is in test_security.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from accounts import store as accounts
from accounts import users as store
from store import open_store
from tests import reportfiles as rf
from tests.conftest import PASSWORD, REPO, add_users, check, reading, run_etl
from tests.test_access import login


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_throttle_locks_an_account_for_a_growing_period_and_unknown_ones_alike():
    clock = Clock()
    guard = store.LoginThrottle(clock)
    for login_name in ("siti", "tidak-ada"):  # a real and an unknown account behave the same
        for _ in range(guard.FREE - 1):
            assert guard.failed(login_name, None) == 0
        assert guard.wait(login_name, None) == 0
        assert guard.failed(login_name, None) == guard.BASE
        assert guard.wait(login_name, None) == guard.BASE
    clock.now += guard.BASE
    assert guard.wait("siti", None) == 0
    assert guard.failed("siti", None) == 2 * guard.BASE  # the next failure doubles the lock
    clock.now += 2 * guard.BASE
    guard.succeeded("siti")
    assert guard.failed("siti", None) == 0  # a success starts the count over
    assert guard.wait(" SITI ", None) == 0


def test_throttle_locks_a_client_that_tries_many_accounts():
    clock = Clock()
    guard = store.LoginThrottle(clock)
    for i in range(guard.FREE_CLIENT - 1):
        assert guard.failed(f"akun{i}", "10.0.0.9") == 0
    assert guard.failed("akun-baru", "10.0.0.9") == guard.BASE
    assert guard.wait("siapa-saja", "10.0.0.9") == guard.BASE and guard.wait("siapa-saja", "10.0.0.10") == 0
    clock.now += guard.WINDOW + guard.BASE + 1  # failures long ago are forgotten
    assert guard.failed("akun-lain", "10.0.0.9") == 0


@pytest.fixture()
def users(demo_db):
    add_users(demo_db, ("adm", "admin", ""), ("tksk", "analis", "35.23.18"), ("korban", "pimpinan", ""), ("ganti", "pimpinan", ""))
    return demo_db


def _on_login_page(at) -> bool:
    return [t.value for t in at.title] == ["Dasbor PMKS"] and any(i.key == "masuk_sandi" for i in at.text_input)


def _try(at, login_name: str, password: str):
    at.text_input(key="masuk_nama").input(login_name)
    at.text_input(key="masuk_sandi").input(password)
    at.get("form_submit_button")[0].click().run()
    return " ".join(e.value for e in at.error)


def test_password_guessing_locks_the_account_even_for_the_right_password(monkeypatch, users):
    demo_db = users
    at = login(monkeypatch, demo_db, "korban", "salah-0")
    for i in range(1, store.LoginThrottle.FREE - 1):
        assert "salah" in _try(at, "korban", f"salah-{i}")
    locked = _try(at, "korban", "salah-terakhir")
    assert "Terlalu banyak percobaan masuk" in locked
    assert "Terlalu banyak percobaan masuk" in _try(at, "korban", PASSWORD)  # the right password waits too
    assert _on_login_page(at) and not at.exception
    for i in range(store.LoginThrottle.FREE):  # an account that does not exist gets the very same answer
        unknown = _try(at, "bukan-pengguna", f"tebak-{i}")
    assert unknown == locked
    with reading(demo_db) as con:
        assert con.execute("select count(*) from audit where aksi = 'kunci_masuk' and objek = 'korban'").fetchone()[0] == 1


def test_sign_out_ends_that_session_and_a_new_password_every_session(users):
    db = open_store(users)
    adm = accounts.check_login(db, "adm", PASSWORD)
    here, there = accounts.sign_in(db, adm, None), accounts.sign_in(db, adm, None)  # two browsers
    assert accounts.sign_out(db, here, "adm")  # Keluar in one browser
    assert accounts.session_user(db, here) is None and accounts.session_user(db, there) == adm
    assert not accounts.sign_out(db, here, "adm")  # a second sign-out of the same session changes nothing more
    accounts.save_user(db, "adm", "Uji adm", "admin", "", "sandi-baru-adm", "adm")
    assert accounts.session_user(db, there) is None
    fresh = accounts.sign_in(db, accounts.check_login(db, "adm", "sandi-baru-adm"), None)
    assert accounts.session_user(db, fresh) == adm


def test_a_new_password_signs_out_an_open_session_at_its_next_run(monkeypatch, users):
    at = login(monkeypatch, users, "ganti")
    assert not _on_login_page(at)
    accounts.save_user(open_store(users), "ganti", "Uji ganti", "pimpinan", "", "sandi-baru-sekali", "adm")
    at.run()  # any click in the open tab
    assert _on_login_page(at) and not at.exception


def test_signing_out_in_the_app_ends_the_session(monkeypatch, users):
    at = login(monkeypatch, users, "adm")
    token = at.session_state["_sesi_token"]
    at.button(key="keluar").click().run()
    assert _on_login_page(at)
    assert accounts.session_user(open_store(users), token) is None
    with reading(users) as con:
        assert con.execute("select count(*) from audit where aksi = 'keluar' and pengguna = 'adm'").fetchone()[0] == 1


def _write(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("text, expected", [
    ('[pengguna.adm]\nnama = "Adm"\nperan = "admin\nsandi = "x"\n', "baris 3"),
    ('[pengguna.adm]\nnama = "Adm"\nperan = "superuser"\nsandi = "x"\n', "pengguna 'adm'"),
])
def test_a_broken_old_users_file_closes_the_app_and_is_named_in_the_cli(monkeypatch, tmp_path, demo_db, text, expected):
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "pengguna.toml"
    _write(path, text)
    monkeypatch.setenv("PMKS_USERS_FILE", str(path))
    monkeypatch.setenv("PMKS_DB", str(demo_db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any(expected in e.value and "admin" in e.value for e in at.error)
    assert not at.sidebar.info and not at.metric  # fails closed: not even the demo opens
    result = run_etl("user", "list", db=demo_db, env={"PMKS_USERS_FILE": str(path)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr and "tak terduga" not in result.stderr and "Traceback" not in result.stderr


def test_the_old_users_file_is_moved_into_the_store_once(monkeypatch, tmp_path, demo_db):
    path = tmp_path / "pengguna.toml"
    digest = store.hash_password(PASSWORD)
    _write(path, f'[pengguna.lama]\nnama = "Lama"\nperan = "admin"\nkecamatan = ""\nsandi = "{digest}"\nsesi = 2\n'
                 f'[pengguna.camat]\nnama = "Camat"\nperan = "pimpinan"\nkecamatan = "35.23.18"\nsandi = "{digest}"\n')
    out = check(run_etl("init", db=demo_db, env={"PMKS_USERS_FILE": str(path)}))
    assert "Pengguna dipindahkan" in out.stdout
    check(run_etl("init", db=demo_db, env={"PMKS_USERS_FILE": str(path)}))  # once: nothing happens the second time
    db = open_store(demo_db)
    assert [(u["login"], u["peran"], u["kecamatan"]) for u in accounts.list_users(db)] == [("camat", "pimpinan", "35.23.18"), ("lama", "admin", "")]
    assert accounts.check_login(db, "lama", PASSWORD) is not None  # the old hashes keep working
    with db.read() as con:
        assert con.execute("select count(*) from audit where aksi = 'pengguna_impor'").fetchone()[0] == 1
    monkeypatch.setenv("PMKS_USERS_FILE", str(path))
    at = login(monkeypatch, demo_db, "lama")  # the demo warehouse now asks for a sign-in
    assert not at.exception and any(t.value.startswith("Ringkasan PMKS") for t in at.title)


@pytest.mark.parametrize("empty", ["no users, demo access off", "no warehouse"])
def test_nobody_enters_without_users_or_store(monkeypatch, tmp_path, demo_db, empty):
    from streamlit.testing.v1 import AppTest

    if empty == "no warehouse":
        db = tmp_path / "tidak_ada.duckdb"
    else:
        db = demo_db
        check(run_etl("settings", "--demo-access", "off", db=db))
    monkeypatch.setenv("PMKS_DB", str(db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception and at.error
    assert not at.sidebar.info and not at.metric and not at.title  # no page, no demo, no login form
    assert all(str(tmp_path) not in e.value and "python -m" not in e.value for e in at.error)


def _user_add(db, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    env = {**os.environ, "PMKS_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "etl", "user", "add", *args, "--password-stdin"], input=password + "\n",
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


def test_user_add_refuses_a_kecamatan_that_does_not_exist(demo_db):
    check(_user_add(demo_db, "kepala", "--role", "admin"))
    result = _user_add(demo_db, "camat", "--role", "pimpinan", "--kecamatan", "35.23.99")
    assert result.returncode == 1
    assert "Kecamatan 35.23.99 tidak ada" in result.stderr and "Traceback" not in result.stderr
    check(_user_add(demo_db, "camat", "--role", "pimpinan", "--kecamatan", "3523.18"))
    assert {u["login"]: u["kecamatan"] for u in accounts.list_users(open_store(demo_db))} == {"kepala": "", "camat": "35.23.18"}


def test_app_survives_a_user_scoped_to_an_unknown_kecamatan(monkeypatch, demo_db):
    add_users(demo_db, ("adm", "admin", ""), ("camat", "pimpinan", "35.23.99"))
    at = login(monkeypatch, demo_db, "camat")
    assert not at.exception
    assert any("Wilayah akun Anda (kode 35.23.99)" in e.value for e in at.error)
    assert not at.metric  # nothing of any kecamatan is shown


def test_a_login_with_spaces_is_stripped_and_one_with_inner_spaces_refused(demo_db):
    check(_user_add(demo_db, " spasi ", "--role", "admin"))
    db = open_store(demo_db)
    assert [u["login"] for u in accounts.list_users(db)] == ["spasi"]
    assert accounts.check_login(db, " spasi", PASSWORD).login == "spasi"
    result = _user_add(demo_db, "dua kata", "--role", "staf")
    assert result.returncode == 1 and "tidak sah" in result.stderr
    assert [u["login"] for u in accounts.list_users(db)] == ["spasi"]


def test_import_history_shows_only_batches_that_touch_the_users_kecamatan(monkeypatch, users, tmp_path):
    demo_db = users
    for name, kecamatan, desa in (("laporan_palang.csv", "Palang", "Glodog"), ("laporan_jenu.csv", "Jenu", "Temaji")):
        (tmp_path / name).write_bytes(rf.long_csv([{"kecamatan": kecamatan, "desa": desa, "indikator": "FM", "periode": "2026-10", "jumlah": 4}]))
        check(run_etl("import", "--replace", str(tmp_path / name), db=demo_db))
    at = login(monkeypatch, demo_db, "tksk", page="pages/riwayat.py")
    assert not at.exception
    shown = " ".join(" ".join(map(str, d.value["Rincian"])) for d in at.dataframe if "Rincian" in d.value.columns)
    assert "laporan_palang.csv" in shown and "laporan_jenu.csv" not in shown
    batches = at.selectbox(key="riwayat_batch").options if any(s.key == "riwayat_batch" for s in at.selectbox) else []
    assert not batches  # an analyst rolls nothing back (admin only), and never a batch beyond the scope
    admin = login(monkeypatch, demo_db, "adm", page="pages/riwayat.py")
    shown = " ".join(" ".join(map(str, d.value["Rincian"])) for d in admin.dataframe if "Rincian" in d.value.columns)
    assert "laporan_palang.csv" in shown and "laporan_jenu.csv" in shown
