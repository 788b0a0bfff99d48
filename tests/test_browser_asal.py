"""Issue 26 in chromium: from a map click and from a ranked desa of Prioritas the panel "Dari mana angka ini?" opens
and its download returns the original file byte for byte; a pimpinan sees the provenance but no download; an analyst
of another kecamatan cannot open the panel by URL. Screenshots go to artifacts/asal_*.png."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import AppServer, add_users, reading
from tests.test_browser import MAPS_DRAWN, wait_until_idle
from tests.test_browser_roles import PASSWORD

PALANG = "35.23.18"
NAME = "rekap_palang_nov_2026.xlsx"


@pytest.fixture(scope="module")
def asal_server(built_db, tmp_path_factory):
    """The demo warehouse with every desa of Kecamatan Palang imported for November 2026 from one recap file (kept),
    an analyst, a pimpinan and an analyst of Kecamatan Montong."""
    from etl.cli.main import main
    from store import close_all
    from tests import reportfiles as rf

    folder = tmp_path_factory.mktemp("asal")
    db = folder / "pmks.duckdb"
    shutil.copy(built_db, db)
    with reading(db) as con:
        names = [r[0] for r in con.execute("select nama from wilayah where kode_induk = ? order by kode", [PALANG]).fetchall()]
    rows = {n: {"Fakir Miskin": 10 + i, "Lansia Terlantar": 2 * i + 1, "Anak Jalanan": i % 3} for i, n in enumerate(names)}
    data = rf.recap_xlsx("Palang", "November 2026", rows)
    (folder / NAME).write_bytes(data)
    assert main(["import", str(folder / NAME), "--db", str(db)]) == 0
    add_users(db, ("admin1", "admin", ""), ("analis1", "analis", ""), ("pimpinan1", "pimpinan", ""), ("analis_montong", "analis", "35.23.10"),
              password=PASSWORD)
    close_all()
    server = AppServer(db, folder / "streamlit.log")
    server.original = data
    yield server
    server.stop()


def _open(page, url: str, login: str) -> None:
    """Open a URL as `login`, signing in first when the page shows the login form."""
    page.goto(url, wait_until="networkidle")
    wait_until_idle(page)
    if page.get_by_label("Kata sandi").count():
        page.get_by_label("Nama pengguna").fill(login)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.get_by_text("Masuk sebagai").wait_for(timeout=30_000)
        page.goto(url, wait_until="networkidle")
        wait_until_idle(page)


def _panel_opened(page) -> str:
    page.wait_for_url(re.compile(r"/asal\?"), timeout=30_000)
    page.get_by_text("Nilai dan sel sumbernya").wait_for(timeout=60_000)
    wait_until_idle(page)
    return page.inner_text("body")


def _download(page) -> bytes:
    link = page.get_by_role("button", name=f"Unduh berkas asli: {NAME}")
    with page.expect_download(timeout=30_000) as info:
        link.click()
    return open(info.value.path(), "rb").read()


def test_from_a_map_click_the_panel_opens_and_downloads_the_original(asal_server, page, artifacts):
    _open(page, f"{asal_server.url}/peta?kec={PALANG}&periode=2026-11", "analis1")
    page.wait_for_selector(".js-plotly-plot canvas", timeout=60_000)
    page.wait_for_function(MAPS_DRAWN, timeout=60_000)
    wait_until_idle(page)
    page.wait_for_timeout(1500)
    box = page.locator(".js-plotly-plot canvas").first.bounding_box()
    page.mouse.click(box["x"] + (box["width"] - 170) / 2, box["y"] + box["height"] / 2)  # a desa in the middle of the map
    link = page.get_by_role("link", name=re.compile(r"Dari mana angka ini\? \(wilayah diklik\)"))
    link.wait_for(timeout=30_000)
    link.click()
    body = _panel_opened(page)
    page.screenshot(path=str(artifacts / "asal_dari_peta.png"), full_page=True)
    assert "wilayah=35.23.18." in page.url and "bulan=2026-11" in page.url  # a desa of Palang: its own, shareable URL
    assert "Riwayat laporan" in body and NAME in body  # the cells themselves are drawn in the grid's canvas
    assert _download(page) == asal_server.original


def test_from_a_ranked_desa_of_prioritas_the_panel_opens_and_downloads_the_original(asal_server, page, artifacts):
    _open(page, f"{asal_server.url}/prioritas?kec={PALANG}&periode=2026-11", "analis1")
    link = page.get_by_role("link", name=re.compile(r"^.*Buka asal angka "))
    link.wait_for(timeout=60_000)
    first = link.inner_text()
    link.click()
    body = _panel_opened(page)
    page.screenshot(path=str(artifacts / "asal_dari_prioritas.png"), full_page=True)
    assert first.split("Buka asal angka ")[-1].strip() in body and "ukuran=per1000" in page.url
    assert "Laju per 1.000 penduduk" in body
    assert _download(page) == asal_server.original


def test_pimpinan_sees_the_provenance_but_no_download(asal_server, page, artifacts):
    _open(page, f"{asal_server.url}/asal?wilayah={PALANG}&bulan=2026-11", "pimpinan1")
    body = _panel_opened(page)
    page.screenshot(path=str(artifacts / "asal_pimpinan.png"), full_page=True)
    assert "Rincian per desa" in body and "Riwayat laporan" in body and f"{NAME}: berkas asli dapat diunduh oleh analis dan admin" in body
    assert page.get_by_role("button", name=re.compile("Unduh berkas asli")).count() == 0
    assert "/unduh/" not in page.content()


def test_a_scoped_analyst_cannot_open_another_kecamatans_panel_by_url(asal_server, page, artifacts):
    _open(page, f"{asal_server.url}/asal?wilayah={PALANG}&bulan=2026-11", "analis_montong")
    page.get_by_text("di luar wilayah akun Anda").wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts / "asal_wilayah_lain.png"), full_page=True)
    body = page.inner_text("body")
    assert NAME not in body and "Rincian per desa" not in body and "Nilai dan sel sumbernya" not in body
    assert "/unduh/" not in page.content()
