"""Real-browser tests: Debian chromium driven by Playwright against the running app."""

from __future__ import annotations

import pytest

def wait_until_idle(page) -> None:
    """Wait until the script has finished and no placeholder skeleton is left on the page."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=60_000,
    )
    page.wait_for_timeout(1000)  # let plotly finish drawing


PAGES = [("", "ringkasan"), ("jelajah", "jelajah"), ("profil", "profil"), ("kelengkapan", "kelengkapan"), ("tentang", "tentang")]


@pytest.mark.parametrize("path, name", PAGES)
def test_page_opens_without_exception(app_server, page, artifacts, path, name):
    page.goto(f"{app_server.url}/{path}", wait_until="networkidle")
    page.wait_for_selector("[data-testid='stMainBlockContainer']", timeout=30_000)
    wait_until_idle(page)
    page.screenshot(path=str(artifacts / f"page_{name}.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert "SINTETIS" in body
    # The app's own navigation (page titles), even when a fresh server is first opened on a sub-page URL.
    nav = page.inner_text("[data-testid='stSidebarNav']")
    assert "Kelengkapan Laporan" in nav and "Jelajah Data" in nav


def test_profil_prints_on_one_a4_page(app_server, page, artifacts):
    import re

    page.goto(f"{app_server.url}/profil", wait_until="networkidle")
    page.wait_for_selector("table.pmks-tabel", timeout=30_000)
    wait_until_idle(page)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "profil_a4.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"Profil Wilayah prints on {pages} A4 pages"
    text = page.inner_text("body")
    assert "Anak Balita Terlantar" in text and "Fakir Miskin" in text  # every indicator row is in the printed table
