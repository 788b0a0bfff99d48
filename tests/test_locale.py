"""What the app shows does not depend on the browser's language: every page is drawn pixel for pixel the same in an
en-US and an id-ID browser, because numbers and dates are formatted by the app, not by the browser."""

from __future__ import annotations

import io

import pytest

from tests.test_browser import wait_until_idle

PAGES = ["", "peta", "jelajah?ukuran=per1000", "profil", "prioritas", "kelengkapan", "tentang"]


def shot(browser, url: str, locale: str) -> bytes:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale, timezone_id="Asia/Jakarta")
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        wait_until_idle(page)
        page.mouse.move(0, 0)
        return page.locator("[data-testid='stMain']").screenshot(animations="disabled", caret="hide")
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_is_identical_in_english_and_indonesian_browsers(app_server, browser, artifacts, path):
    from PIL import Image, ImageChops

    url = f"{app_server.url}/{path}"
    english, indonesian = shot(browser, url, "en-US"), shot(browser, url, "id-ID")
    a, b = Image.open(io.BytesIO(english)).convert("RGB"), Image.open(io.BytesIO(indonesian)).convert("RGB")
    name = path.split("?")[0] or "ringkasan"
    if a.size != b.size or ImageChops.difference(a, b).getbbox() is not None:
        a.save(artifacts / f"bahasa_{name}_en.png")
        b.save(artifacts / f"bahasa_{name}_id.png")
    assert a.size == b.size, f"{name}: {a.size} in en-US, {b.size} in id-ID"
    assert ImageChops.difference(a, b).getbbox() is None, f"{name} differs: see artifacts/bahasa_{name}_*.png"
