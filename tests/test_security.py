"""Security in the real browser: downloads only where the role allows, password guessing throttled, sessions that end
on the server, the import history scoped, media URLs and the cookie guarded, and upload workers that do not leak."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from accounts import users as store
from tests import reportfiles as rf
from tests.conftest import REPO, AppServer, add_users, check, open_snapshot, run_etl
from tests.test_browser import go, wait_until_idle

PASSWORD = "sandi-uji-keamanan"
USERS = (("pimpinan1", "pimpinan", ""), ("staf1", "staf", ""), ("admin1", "admin", ""), ("analis1", "analis", ""),
         ("palang1", "analis", "35.23.18"), ("kunci1", "pimpinan", ""), ("keluar1", "pimpinan", ""), ("ganti1", "pimpinan", ""))
IDLE = 3  # seconds after which an unused upload worker ends (PMKS_SANDBOX_IDLE of this server)


@pytest.fixture(scope="module")
def guarded(built_db, tmp_path_factory):
    """The app with users on a private warehouse that holds one import batch from Palang and one from Jenu."""
    tmp = tmp_path_factory.mktemp("aman")
    db = tmp / "pmks.duckdb"
    shutil.copy(built_db, db)
    for name, kecamatan, desa in (("batch_palang.csv", "Palang", "Glodog"), ("batch_jenu.csv", "Jenu", "Temaji")):
        (tmp / name).write_bytes(rf.long_csv([{"kecamatan": kecamatan, "desa": desa, "indikator": "FM", "periode": "2026-10", "jumlah": 4}]))
        check(run_etl("import", "--replace", str(tmp / name), db=db))
    add_users(db, *USERS, password=PASSWORD)
    from store import close_all

    close_all()  # the module's server holds the file from now on
    server = AppServer(db, tmp / "streamlit.log", env={"PMKS_SANDBOX_IDLE": str(IDLE)})
    yield server
    server.stop()


def attempt(page, server, login: str, password: str) -> None:
    if page.get_by_label("Kata sandi").count() == 0:
        page.goto(server.url, wait_until="networkidle")
        wait_until_idle(page)
    page.get_by_label("Nama pengguna").fill(login)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_timeout(300)
    wait_until_idle(page)


def sign_in(page, server, login: str) -> None:
    attempt(page, server, login, PASSWORD)
    page.get_by_text("Masuk sebagai").wait_for(timeout=30_000)
    wait_until_idle(page)


def on_login_page(page) -> bool:
    return page.get_by_label("Kata sandi").count() == 1 and "Masuk sebagai" not in page.inner_text("body")


def toolbar_labels(page) -> list[str]:
    """The labels of every table's own toolbar buttons (shown on hover)."""
    labels = []
    for i in range(page.locator("[data-testid='stDataFrame']").count()):
        table = page.locator("[data-testid='stDataFrame']").nth(i)
        if not table.is_visible():  # inside a closed expander or tab
            continue
        table.scroll_into_view_if_needed()
        table.hover()
        page.wait_for_timeout(300)
        for button in page.locator("[data-testid='stElementToolbar'] button").all():
            labels.append((button.get_attribute("aria-label") or "") + (button.get_attribute("title") or ""))
    return labels


def test_a_viewer_finds_no_download_anywhere_not_even_in_a_table_toolbar(guarded, page, artifacts):
    sign_in(page, guarded, "pimpinan1")
    seen_tables = 0
    for title in ("Ringkasan", "Jelajah Data", "Peta", "Profil Wilayah", "Prioritas Intervensi", "Kelengkapan Laporan"):
        go(page, title)
        if title == "Peta":  # its table is drawn when its expander opens
            page.get_by_text("Tabel di balik peta").click()
            page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30_000)
            wait_until_idle(page)
        assert page.locator("[data-testid='stDownloadButton']").count() == 0, title
        labels = toolbar_labels(page)
        seen_tables += len(labels) > 0
        assert not [label for label in labels if "download" in label.lower() or "unduh" in label.lower()], (title, labels)
    page.screenshot(path=str(artifacts / "pimpinan_tanpa_unduhan.png"), full_page=True)
    assert seen_tables >= 3  # the toolbar check looked at real tables: Jelajah, Peta's table, Prioritas


def test_the_audit_table_downloads_only_through_the_neutralising_audited_exporter(guarded, page, artifacts, tmp_path):
    attempt(page, guarded, '=HYPERLINK("http://x.example","klik")', "bukan-sandi")  # a formula as the user name
    sign_in(page, guarded, "admin1")
    go(page, "Riwayat Impor")
    labels = toolbar_labels(page)
    assert labels and not [label for label in labels if "download" in label.lower()], labels
    buttons = page.get_by_role("button", name="Unduh CSV")
    with page.expect_download(timeout=60_000) as info:
        buttons.nth(buttons.count() - 1).click()  # the audit table's own button, the last on the page
    text = open(info.value.path(), encoding="utf-8-sig").read()
    assert "HYPERLINK" in text
    cells = [cell for line in text.splitlines() for cell in line.split(";")]
    assert not [c for c in cells if c.lstrip('"').startswith("=")], "a live formula in the CSV"
    assert any(c.lstrip('"').startswith("'=HYPERLINK") for c in cells)
    page.wait_for_timeout(1500)

    con = open_snapshot(guarded.db)
    assert con.execute("select count(*) from audit where aksi = 'unduh' and objek = 'catatan_audit.csv'").fetchone()[0] >= 1
    con.close()


def test_password_guessing_is_locked_out_in_the_browser(guarded, page, artifacts):
    for i in range(store.LoginThrottle.FREE):
        attempt(page, guarded, "kunci1", f"tebakan-{i}")
    attempt(page, guarded, "kunci1", PASSWORD)
    page.screenshot(path=str(artifacts / "masuk_terkunci.png"), full_page=True)
    assert "Terlalu banyak percobaan masuk yang gagal" in page.inner_text("body")
    assert on_login_page(page)


def test_a_copied_cookie_is_worthless_after_sign_out(guarded, browser, page):
    sign_in(page, guarded, "keluar1")
    copied = [c for c in page.context.cookies() if c["name"] == store.COOKIE]
    assert copied and copied[0]["value"]
    page.get_by_role("button", name="Keluar").click()
    page.get_by_label("Kata sandi").wait_for(timeout=30_000)
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other.add_cookies(copied)
        thief = other.new_page()
        thief.goto(f"{guarded.url}/prioritas", wait_until="networkidle")
        wait_until_idle(thief)
        assert on_login_page(thief)
    finally:
        other.close()


def test_a_new_password_signs_out_a_tab_that_is_already_open(guarded, page):
    sign_in(page, guarded, "ganti1")
    env = {**os.environ, "PMKS_DB": str(guarded.db)}
    result = subprocess.run([sys.executable, "-m", "etl", "user", "add", "ganti1", "--role", "pimpinan", "--password-stdin"],
                            input="sandi-baru-ganti1\n", cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    page.locator("[data-testid='stSidebarNav']").get_by_text("Peta", exact=True).click()  # the next click in the open tab
    page.get_by_label("Kata sandi").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert on_login_page(page)


def test_a_scoped_analyst_sees_only_the_import_batches_of_their_kecamatan(guarded, page, artifacts):
    sign_in(page, guarded, "palang1")
    go(page, "Riwayat Impor")
    page.screenshot(path=str(artifacts / "riwayat_palang.png"), full_page=True)
    body = page.inner_text("[data-testid='stMain']")
    assert "Riwayat Impor" in body
    with page.expect_download(timeout=60_000) as info:  # the grid is drawn on a canvas: read what it exports
        page.get_by_role("button", name="Unduh CSV").first.click()
    exported = open(info.value.path(), encoding="utf-8-sig").read()
    assert "batch_palang.csv" in exported and "batch_jenu.csv" not in exported


def test_download_urls_answer_only_to_a_live_session(guarded, browser, page):
    sign_in(page, guarded, "staf1")
    go(page, "Jelajah Data")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Unduh CSV").first.click()
    url = info.value.url
    assert "/unduh/" in url  # the app route of dashboard.downloads, guarded and audited
    assert page.context.request.get(url).status == 200
    stranger = browser.new_context()
    try:
        response = stranger.request.get(url)
        assert response.status == 403 and "Akses ditolak" in response.text()
    finally:
        stranger.close()
    copied = [c for c in page.context.cookies() if c["name"] == store.COOKIE]
    page.get_by_role("button", name="Keluar").click()
    page.get_by_label("Kata sandi").wait_for(timeout=30_000)
    later = browser.new_context()
    try:
        later.add_cookies(copied)
        assert later.request.get(url).status == 403  # signed out: the old cookie opens nothing
    finally:
        later.close()


def test_the_session_cookie_is_secure_over_https(guarded, browser, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server = AppServer(guarded.db, tmp_path / "https.log", env={"STREAMLIT_SERVER_SSL_CERT_FILE": str(cert),
                                                               "STREAMLIT_SERVER_SSL_KEY_FILE": str(key)},
                       scheme="https")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, ignore_https_errors=True)
    try:
        page = context.new_page()
        sign_in(page, server, "pimpinan1")
        cookie = next(c for c in context.cookies() if c["name"] == store.COOKIE)
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    finally:
        context.close()
        server.stop()


def sandbox_workers(pid: int) -> int:
    """Worker processes (`python -m etl.read.sandbox`) whose parent is the server."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        count += ppid == pid and b"etl.read.sandbox" in cmd
    return count


def test_upload_sessions_share_a_bounded_pool_of_workers_that_end_when_idle(guarded, browser, tmp_path):
    path = tmp_path / "menilo.xlsx"
    path.write_bytes(rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 12}))
    baseline = sandbox_workers(guarded.proc.pid)
    peak = 0
    for _ in range(4):  # four browser sessions upload and close
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        sign_in(page, guarded, "analis1")
        go(page, "Unggah Data")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
        page.get_by_text("menilo.xlsx: terbaca").wait_for(timeout=60_000)  # read by a worker
        peak = max(peak, sandbox_workers(guarded.proc.pid))
        context.close()
    assert 1 <= peak <= 2, peak  # one shared pool of at most two workers, not one per session
    deadline = time.monotonic() + IDLE + 15
    while sandbox_workers(guarded.proc.pid) > baseline and time.monotonic() < deadline:
        time.sleep(0.5)
    assert sandbox_workers(guarded.proc.pid) == baseline == 0
