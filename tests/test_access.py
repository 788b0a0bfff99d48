"""Access control: login, roles and their pages, kecamatan scope, audit of logins and exports."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from accounts import store as accounts
from accounts import users as auth
from common import fmt
from dashboard import ui
from dashboard.navigation import PAGES as NAVIGATION
from store import open_store
from tests.conftest import PASSWORD, REPO, add_users, check, fetch, offered, reading, run_etl

SCOPE = "35.23.18"
DESA = "35.23.18.2003"  # Tegalbang, Kec. Palang
PEOPLE = (("pim", "pimpinan", ""), ("staf", "staf", ""), ("ana", "analis", ""), ("adm", "admin", ""), ("camat", "pimpinan", SCOPE),
          ("tksk", "analis", SCOPE), ("psm", "psm", SCOPE, DESA), ("verif", "verifikator", SCOPE))


@pytest.fixture()
def users(demo_db):
    """The demo warehouse (a private copy) with a user of every role, two of them scoped to Palang."""
    add_users(demo_db, *PEOPLE)
    return demo_db


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


def test_users_live_in_the_private_warehouse_as_salted_hashes(users):
    open_store(users).close()
    assert users.stat().st_mode & 0o007 == 0
    assert "pengguna.toml" in (REPO / ".gitignore").read_text() and "*.duckdb" in (REPO / ".gitignore").read_text()
    assert PASSWORD.encode() not in users.read_bytes()
    with reading(users) as con:
        hashes = [r[0] for r in con.execute("select sandi from pengguna").fetchall()]
    assert len(hashes) == len(PEOPLE) == len(set(hashes)) and all(h.startswith("scrypt$") for h in hashes)


def test_wrong_password_is_refused_and_recorded(monkeypatch, users, demo_db):
    at = login(monkeypatch, demo_db, "adm", "salah-sekali")
    assert any("salah" in e.value for e in at.error)
    assert [t.value for t in at.title] == ["Dasbor PMKS"]
    with reading(demo_db) as con:
        assert ("gagal_masuk", "adm") in con.execute("select aksi, objek from audit").fetchall()


ALL = ["ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "unggah", "riwayat", "pengaturan", "tentang", "asal", "lapor",
       "verifikasi"]
LEADERSHIP = ["ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "tentang", "asal"]
EXPECTED = {
    "pim": LEADERSHIP,
    "staf": LEADERSHIP,
    "ana": [*LEADERSHIP, "unggah", "riwayat", "verifikasi"],
    "adm": [p for p in ALL if p != "lapor"],  # an admin reopens a month; the PSM enters it
    "psm": ["lapor", "profil"],  # issue 25: their report and their own desa's profile, nothing else
    "verif": [*LEADERSHIP, "verifikasi"],
}
HOME = {"psm": "Lapor Bulanan"}  # the first page after signing in, where it is not Ringkasan


@pytest.mark.parametrize("user", list(EXPECTED))
def test_each_role_opens_exactly_its_pages(monkeypatch, users, user):
    at = login(monkeypatch, users, user)
    assert not at.exception
    assert any(t.value.startswith(HOME.get(user, "Ringkasan PMKS")) for t in at.title)
    for page in ALL:
        if page == "ringkasan" and user in HOME:  # the app's main page takes a role without Ringkasan to its own first page
            at.switch_page("pages/ringkasan.py").run()
            assert [t.value for t in at.title][:1] == [HOME[user]] and not at.metric
            continue
        if page not in EXPECTED[user]:  # hidden from the navigation; typed as a URL it refuses in Indonesian (issue 27)
            at.switch_page(NAVIGATION[page][0]).run()
            assert not at.exception, page
            assert [e.value for e in at.error] == [ui.NOT_ALLOWED], page
            assert not at.dataframe and not at.metric and not at.get("file_uploader"), page
            continue
        at.switch_page(NAVIGATION[page][0]).run()
        assert not at.exception, page
        assert not any("tidak berhak" in e.value for e in at.error), page


def test_exports_are_for_staff_guarded_by_the_rulebook_and_audited_at_the_server(monkeypatch, users):
    """Issue 24: a download is served to the session that made it while it is signed in, or to a user whose role may
    export and whose area covers the file; never to leadership, another kecamatan or after sign-out; every fetch,
    served or refused, is audited by the server."""
    demo_db = users
    pim = login(monkeypatch, demo_db, "pim", page="pages/jelajah.py")
    assert not offered(pim)  # leadership reads; files leave the office through staff
    staf = login(monkeypatch, demo_db, "staf", page="pages/jelajah.py")
    csv = next(o for o in offered(staf) if o.label == "Unduh CSV")
    status, body = fetch(csv.file_id, staf.session_state["_sesi_token"])
    assert status == 200 and body.decode("utf-8-sig").startswith(("Kecamatan", "Wilayah", "Kode", "Desa"))
    assert fetch(csv.file_id, None)[0] == 403  # no session
    assert fetch(csv.file_id, pim.session_state["_sesi_token"])[0] == 403  # a role without the export right
    camat = login(monkeypatch, demo_db, "tksk", page="pages/jelajah.py")
    assert fetch(csv.file_id, camat.session_state["_sesi_token"])[0] == 403  # a kabupaten file, an analyst of Palang
    ana = login(monkeypatch, demo_db, "ana", page="pages/jelajah.py")
    assert fetch(csv.file_id, ana.session_state["_sesi_token"])[0] == 200  # the right and the whole area
    token = staf.session_state["_sesi_token"]
    staf.button(key="keluar").click().run()
    assert fetch(csv.file_id, token)[0] == 403  # signed out: the link is dead
    with reading(demo_db) as con:
        rows = con.execute("select pengguna, aksi from audit where aksi in ('unduh', 'unduh_ditolak') order by id").fetchall()
    assert rows == [("staf", "unduh"), ("-", "unduh_ditolak"), ("pim", "unduh_ditolak"), ("tksk", "unduh_ditolak"),
                    ("ana", "unduh"), ("-", "unduh_ditolak")]


def test_kecamatan_scope_in_every_page(monkeypatch, users):
    built_db = users
    with reading(built_db) as con:
        total = con.execute("select sum(jumlah) from pmks_counts where periode = '2026-10-01' and kode_kecamatan = ?", [SCOPE]).fetchone()[0]
        desa = {r[0] for r in con.execute("select nama from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [SCOPE]).fetchall()}
    n_desa = len(desa)
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


def test_user_command(demo_db):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PMKS_DB": str(demo_db)}
    add = lambda *args, password: subprocess.run([sys.executable, "-m", "etl", "user", "add", *args, "--password-stdin"],  # noqa: E731
                                                 input=password + "\n", cwd=REPO, env=env, capture_output=True, text=True)
    first = add("budi", "--role", "staf", "--kecamatan", "352318", password="kata-sandi-budi")
    assert first.returncode == 1 and "Pengguna pertama harus admin" in first.stderr  # the store's rule, from the CLI too
    assert add("kepala", "--role", "admin", password="kata-sandi-kepala").returncode == 0
    done = add("budi", "--role", "staf", "--kecamatan", "352318", password="kata-sandi-budi")
    assert done.returncode == 0, done.stderr
    listed = check(run_etl("user", "list", db=demo_db))
    assert "budi" in listed.stdout and "35.23.18" in listed.stdout
    store = open_store(demo_db)
    assert accounts.check_login(store, "budi", "kata-sandi-budi").kecamatan == "35.23.18"
    short = add("x", "--role", "staf", password="pendek")
    assert short.returncode == 1 and "minimal 8" in short.stderr
    check(run_etl("user", "remove", "budi", db=demo_db))
    assert [u["login"] for u in accounts.list_users(store)] == ["kepala"]
    last = run_etl("user", "remove", "kepala", db=demo_db)
    assert last.returncode == 1 and "satu-satunya admin" in last.stderr
    with store.read() as con:  # every change of users is audited, from the CLI too
        assert con.execute("select aksi, objek from audit where aksi like 'pengguna%' order by id").fetchall() == [
            ("pengguna_tambah", "kepala"), ("pengguna_tambah", "budi"), ("pengguna_hapus", "budi")]


def test_scoped_analyst_cannot_load_another_kecamatan(monkeypatch, users):
    demo_db = users
    from tests import reportfiles as rf

    at = login(monkeypatch, demo_db, "tksk", page="pages/unggah.py")
    uploader = next(u for u in at.get("file_uploader") if u.key.startswith("unggah_berkas_"))
    uploader.set_value([("lain.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 1}), "application/octet-stream")]).run()
    assert not at.exception
    from tests.conftest import html_tables

    assert any("di luar kecamatan Anda" in str(t.to_dict()) for t in html_tables(at))  # issues are a plain table
    assert not [b for b in at.button if b.key == "unggah_simpan"]


def test_demo_mode_says_there_is_no_login(monkeypatch, built_db):
    monkeypatch.setenv("PMKS_DB", str(built_db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert any("Mode demo tanpa login" in i.value for i in at.sidebar.info)


def test_sessions_are_random_tokens_stored_as_hashes_that_expire_and_end(users):
    from datetime import datetime, timedelta

    store = open_store(users)
    siti = accounts.check_login(store, "ana", PASSWORD)
    token = accounts.sign_in(store, siti, "10.0.0.1")
    now = datetime.now()
    assert accounts.session_user(store, token, now + timedelta(hours=1)) == siti
    assert accounts.session_user(store, token, now + timedelta(hours=auth.SESSION_HOURS, minutes=1)) is None  # expired
    assert accounts.session_user(store, token + "x") is None and accounts.session_user(store, None) is None
    with store.read() as con:
        stored = [r[0] for r in con.execute("select id from sesi where login = 'ana'").fetchall()]
    assert token not in stored and auth.token_key(token) in stored  # a copy of the warehouse holds no live token
    accounts.save_user(store, "ana", "Ana", "analis", "", "sandi-baru-ana", "adm")  # a new password ends old sessions
    assert accounts.session_user(store, token) is None


def test_every_page_and_download_of_every_role_follows_the_rulebook(monkeypatch, users):
    """Issue 24 point 1: every page of the navigation, for a user of every role (two scoped to Palang), is open or
    refused as the rulebook says; every file a page offers is one the rulebook lets that user take, of their area; and
    the server hands each file to exactly the other users the rulebook names (the right and the area), never to
    someone without them."""
    from accounts import rulebook
    from dashboard import downloads, navigation

    sessions = {login_: login(monkeypatch, users, login_) for login_, *_ in PEOPLE}
    people = {login_: auth.User(login_, login_, role, kecamatan, *desa) for login_, role, kecamatan, *desa in PEOPLE}
    tokens = {login_: at.session_state["_sesi_token"] for login_, at in sessions.items()}
    files_seen = 0
    for login_, at in sessions.items():
        user = people[login_]
        for name, (script, *_) in navigation.PAGES.items():
            at.switch_page(script).run()
            assert not at.exception, (login_, name)
            if name == "ringkasan" and login_ in HOME:  # the main page takes a PSM to Lapor Bulanan (its own first page)
                assert [t.value for t in at.title][:1] == [HOME[login_]], login_
                continue
            refused = [e.value for e in at.error] == [ui.NOT_ALLOWED]
            assert refused == (not rulebook.may_open(user, name)), (login_, name)
            for link in offered(at):
                found = downloads.REGISTRY.find(link.file_id)
                assert found is not None, (login_, name, link.label)
                assert rulebook.may(user, found.action) and rulebook.covers(user, found.area), (login_, name, link.label)
                assert (user.kecamatan or "") in ("", found.area[: len(user.kecamatan)]), (login_, name, link.label)
                for other, token in tokens.items():
                    expected = other == login_ or (rulebook.may(people[other], found.action) and rulebook.covers(people[other], found.area))
                    assert (fetch(link.file_id, token)[0] == 200) == expected, (login_, name, link.label, other)
                files_seen += 1
            if refused or not rulebook.may(user, "unduh"):
                assert not [o for o in offered(at) if downloads.REGISTRY.find(o.file_id).action == "unduh"], (login_, name)
    assert files_seen >= 10  # the walk met the downloads of the data pages, the forms and the templates


def test_field_roles_in_the_rulebook():
    """Issue 25 (the walk over every page and file above covers psm and verif too): a psm reads its desa only, by
    page, filter and download; a verifikator its kecamatan; neither takes files out of the office."""
    from accounts import rulebook

    psm = auth.User("psm", "psm", "psm", SCOPE, DESA)
    verif = auth.User("verif", "verif", "verifikator", SCOPE)
    assert rulebook.pages(psm) == ("lapor", "profil") and rulebook.pages(verif) == ("verifikasi", *LEADERSHIP)
    assert rulebook.clamp(psm, "35.23.01", "35.23.01.2001") == (SCOPE, DESA) and rulebook.clamp(psm, SCOPE, "") == (SCOPE, DESA)
    assert rulebook.covers(psm, DESA) and not rulebook.covers(psm, SCOPE) and not rulebook.covers(psm, f"{SCOPE}.2001")
    assert rulebook.covers(verif, f"{SCOPE}.2001") and not rulebook.covers(verif, "35.23.01.2001") and not rulebook.covers(verif, "")
    assert not any(rulebook.may(u, "unduh") for u in (psm, verif))
    assert rulebook.may_report(psm, "lapor_isi", DESA) and not rulebook.may_report(psm, "lapor_isi", f"{SCOPE}.2001")
    assert rulebook.may_report(verif, "lapor_verifikasi", f"{SCOPE}.2001") and not rulebook.may_report(verif, "lapor_verifikasi", "35.23.01.2001")
    assert not rulebook.may_report(verif, "lapor_setujui", f"{SCOPE}.2001")
