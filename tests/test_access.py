"""Access control: login, roles and their pages, kecamatan scope, audit of logins and exports."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import ui
from etl import fmt
from etl import users as auth
from tests.conftest import REPO, check, run_etl

PASSWORD = "rahasia-uji-123"
SCOPE = "35.23.18"


@pytest.fixture()
def users(tmp_path, monkeypatch):
    path = tmp_path / "pengguna.toml"
    for login, role, kecamatan in (("pim", "pimpinan", ""), ("staf", "staf", ""), ("ana", "analis", ""), ("adm", "admin", ""),
                                   ("camat", "pimpinan", SCOPE), ("tksk", "analis", SCOPE)):
        auth.save_user(login, f"Uji {login}", role, kecamatan, PASSWORD, path)
    monkeypatch.setenv("PMKS_USERS_FILE", str(path))
    return path


def login(monkeypatch, db, user: str, password: str = PASSWORD, page: str | None = None) -> AppTest:
    monkeypatch.setenv("PMKS_DB", str(db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert [t.value for t in at.title] == ["Dasbor PMKS"]  # the login page, nothing else
    at.text_input(key="masuk_nama").input(user)
    at.text_input(key="masuk_sandi").input(password)
    at.get("form_submit_button")[0].click().run() if at.get("form_submit_button") else at.button[0].click().run()
    if page:
        at.switch_page(page).run()
    return at


def test_password_hashes_are_salted_and_checked():
    one, two = auth.hash_password("abc12345"), auth.hash_password("abc12345")
    assert one != two and one.startswith("scrypt$")
    assert auth.check_password("abc12345", one) and not auth.check_password("abc12346", one)
    assert not auth.check_password("abc12345", "md5$x")


def test_users_file_is_private_and_never_in_git(users):
    assert users.stat().st_mode & 0o077 == 0
    assert "pengguna.toml" in (REPO / ".gitignore").read_text()
    assert PASSWORD not in users.read_text()


def test_wrong_password_is_refused_and_recorded(monkeypatch, users, demo_db):
    at = login(monkeypatch, demo_db, "adm", "salah-sekali")
    assert any("salah" in e.value for e in at.error)
    assert [t.value for t in at.title] == ["Dasbor PMKS"]
    con = duckdb.connect(str(demo_db), read_only=True)
    assert ("gagal_masuk", "adm") in con.execute("select aksi, objek from audit").fetchall()
    con.close()


ALL = ["ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "unggah", "riwayat", "pengaturan", "tentang"]
EXPECTED = {
    "pim": ["ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "tentang"],
    "staf": ["ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "tentang"],
    "ana": ["ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "unggah", "riwayat", "tentang"],
    "adm": ALL,
}


@pytest.mark.parametrize("user", list(EXPECTED))
def test_each_role_opens_exactly_its_pages(monkeypatch, users, built_db, user):
    at = login(monkeypatch, built_db, user)
    assert not at.exception
    assert any(t.value.startswith("Ringkasan PMKS") for t in at.title)
    for page in ALL:
        if page not in EXPECTED[user]:  # hidden from the navigation; typed as a URL it refuses in Indonesian (issue 27)
            at.switch_page(f"pages/{page}.py").run()
            assert not at.exception, page
            assert [e.value for e in at.error] == [ui.NOT_ALLOWED], page
            assert not at.dataframe and not at.metric and not at.get("file_uploader"), page
            continue
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, page
        assert not any("tidak berhak" in e.value for e in at.error), page


def test_exports_are_for_staff_and_are_audited(monkeypatch, users, demo_db):
    at = login(monkeypatch, demo_db, "pim", page="pages/jelajah.py")
    assert not [b for b in at.get("download_button") if b.label.startswith("Unduh")]
    at = login(monkeypatch, demo_db, "staf", page="pages/jelajah.py")
    buttons = [b for b in at.get("download_button") if b.label == "Unduh CSV"]
    assert buttons
    buttons[0].click().run()
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.execute("select pengguna, aksi from audit where aksi in ('masuk', 'unduh')").fetchall()
    con.close()
    assert ("staf", "masuk") in rows and ("staf", "unduh") in rows


def test_kecamatan_scope_in_every_page(monkeypatch, users, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    total = con.execute("select sum(jumlah) from pmks_counts where periode = '2026-10-01' and kode_kecamatan = ?", [SCOPE]).fetchone()[0]
    desa = {r[0] for r in con.execute("select nama from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [SCOPE]).fetchall()}
    n_desa = len(desa)
    con.close()
    # an unscoped user first, so that a scoped result would come from the cache if scopes shared it
    everyone = login(monkeypatch, built_db, "pim")
    assert next(m for m in everyone.metric if m.label == "Total PMKS (jiwa)").value != fmt.angka(total)
    at = login(monkeypatch, built_db, "camat")
    assert next(m for m in at.metric if m.label == "Total PMKS (jiwa)").value == fmt.angka(total)
    assert at.selectbox(key="f_kec").options == [at.selectbox(key="f_kec").format_func(SCOPE)] or at.selectbox(key="f_kec").value == SCOPE
    at.switch_page("pages/jelajah.py").run()
    table = at.dataframe[0].value
    assert "Desa/Kelurahan" in table.columns or len(table) == 1  # only their kecamatan
    at.switch_page("pages/profil.py").run()
    assert [h.value for h in at.main.header] == ["Kec. Palang"]  # the sidebar's kecamatan, fixed by the scope
    assert len(at.selectbox(key="f_desa").options) == n_desa + 1
    at.switch_page("pages/peta.py").run()
    import json

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(spec["data"][0]["geojson"]["features"]) == n_desa
    at.switch_page("pages/prioritas.py").run()
    assert not at.exception
    assert not [r for r in at.radio if r.key == "prioritas_tingkat"]  # one level: said, not offered
    prio = at.dataframe[0].value
    assert set(prio["Kecamatan"]) == {"Palang"} and len(prio) == n_desa
    at.switch_page("pages/kelengkapan.py").run()
    assert not at.exception


def test_user_command(tmp_path):
    path = tmp_path / "u.toml"
    env = {"PMKS_USERS_FILE": str(path)}
    import subprocess
    import sys

    add = subprocess.run([sys.executable, "-m", "etl", "user", "add", "budi", "--role", "staf", "--kecamatan", "352318", "--password-stdin"],
                         input="kata-sandi-budi\n", cwd=REPO, env={**__import__("os").environ, **env}, capture_output=True, text=True)
    assert add.returncode == 0, add.stderr
    listed = check(run_etl("user", "list", env=env))
    assert "budi" in listed.stdout and "35.23.18" in listed.stdout
    assert auth.authenticate("budi", "kata-sandi-budi", path).kecamatan == "35.23.18"
    short = subprocess.run([sys.executable, "-m", "etl", "user", "add", "x", "--role", "staf", "--password-stdin"], input="pendek\n",
                           cwd=REPO, env={**__import__("os").environ, **env}, capture_output=True, text=True)
    assert short.returncode == 1 and "minimal 8" in short.stderr
    check(run_etl("user", "remove", "budi", env=env))
    assert auth.load_users(path) == {}


def test_scoped_analyst_cannot_load_another_kecamatan(monkeypatch, users, demo_db):
    from tests import reportfiles as rf

    at = login(monkeypatch, demo_db, "tksk", page="pages/unggah.py")
    uploader = next(u for u in at.get("file_uploader") if u.key.startswith("unggah_berkas_"))
    uploader.set_value([("lain.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 1}), "application/octet-stream")]).run()
    assert not at.exception
    from tests.conftest import html_tables

    assert any("di luar kecamatan Anda" in str(t.to_dict()) for t in html_tables(at))  # issues are a plain table
    assert not [b for b in at.button if b.key == "unggah_simpan"]


def test_demo_mode_says_there_is_no_login(monkeypatch, built_db, tmp_path):
    monkeypatch.setenv("PMKS_USERS_FILE", str(tmp_path / "tidak_ada.toml"))
    monkeypatch.setenv("PMKS_DB", str(built_db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert any("Mode demo tanpa login" in i.value for i in at.sidebar.info)


def test_session_tokens_are_signed_and_expire(tmp_path):
    path = tmp_path / "u.toml"
    auth.save_user("siti", "Siti", "analis", "", "kata-sandi-siti", path)
    users = auth.load_users(path)
    token = auth.session_token("siti", users["siti"], 1_000_000)
    assert auth.login_from_token(token, users, 1_000_000 + 3600) == "siti"
    assert auth.login_from_token(token, users, 1_000_000 + auth.SESSION_HOURS * 3600 + 1) is None  # expired
    forged = auth.session_token("siti", {"sandi": "tebakan"}, 1_000_000)
    assert auth.login_from_token(forged, users, 1_000_000) is None
    assert auth.login_from_token("bukan-token", users, 1_000_000) is None and auth.login_from_token(None, users, 0) is None
    auth.save_user("siti", "Siti", "analis", "", "sandi-baru-siti", path)  # a new password ends old sessions
    assert auth.login_from_token(token, auth.load_users(path), 1_000_000) is None
