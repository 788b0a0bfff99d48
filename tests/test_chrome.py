"""Streamlit's own English interface words (issue 14, point 11) in a real, offline chromium: every page as the admin
(the demo server has no users, so everyone is the admin), with the uploader holding a file, the tables' toolbars and
their tooltips hovered, the main menu looked for, a select box searched for nothing and an input waiting for Enter.
None of Streamlit's English may be read, and no table cell says None or nan. A screenshot of every page goes to
artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.test_browser import PAGES, wait_until_idle

ENGLISH = ["Drag and drop", "Browse files", "Upload", "Limit", "No results", "Search", "Fullscreen", "Download", "Rerun",
           "Settings", "Clear all", "Press Enter", "Print", "About", "Choose", "Show/hide", "Help for", "Remove", "Select all",
           "Clear value", "Add files", "Collapse sidebar", "Expand sidebar", "Show password", "Running", "Increment"]
WORDS = ["None", "nan", "NaT"]  # whole words only (Indonesian text may hold the letters)


def english_in(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        found += [w for w in ENGLISH if w in text]
        found += [w for w in WORDS if re.search(rf"(?<![\w-]){w}(?![\w-])", text)]
    return sorted(set(found))


@pytest.fixture()
def offline(browser):
    """An English (en-US) browser that can reach only the app itself."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


def visible_words(page) -> list[str]:
    """The page's readable text (icon ligatures such as 'upload' are pictures, not words), the values the inputs
    show (a select box's choice) and the labels and titles of everything visible that a screen reader or a tooltip
    would say."""
    return page.evaluate("""() => {
        const out = [];
        const icons = [...document.querySelectorAll('[data-testid="stIconMaterial"]')];
        icons.forEach(i => i.dataset.pmksText = i.textContent);
        icons.forEach(i => { i.style.display = 'none'; });
        out.push(document.body.innerText);
        icons.forEach(i => { i.style.display = ''; });
        for (const el of document.querySelectorAll('input')) {  // a select box shows its choice as the input's value
            const box = el.getBoundingClientRect();
            if (box.width && box.height && el.type !== 'password') out.push(el.value);
        }
        for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [data-title]')) {
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (!box.width || !box.height || style.visibility === 'hidden' || style.display === 'none') continue;
            for (const a of ['aria-label', 'title', 'placeholder', 'data-title']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
        }
        return out;
    }""")


def hover_table_toolbar(page) -> list[str]:
    """Hover the first visible table, then each button of its toolbar until its tooltip shows; the tooltip texts."""
    seen = []
    tables = [t for t in page.locator("[data-testid='stDataFrame']").all() if t.is_visible()]
    if not tables:
        return seen
    tables[0].scroll_into_view_if_needed()
    tables[0].hover()
    page.wait_for_timeout(300)
    for button in tables[0].locator("[data-testid='stElementToolbar'] button").all():
        if not button.is_visible():
            continue
        seen.append(button.get_attribute("aria-label") or "")
        button.hover()
        page.wait_for_timeout(1300)  # Streamlit shows a toolbar tooltip after one second
        seen += [t.inner_text() for t in page.locator("[data-baseweb='tooltip'], [role='tooltip']").all() if t.is_visible()]
        seen += visible_words(page)
    page.mouse.move(0, 0)
    return seen


def search_select_box(page) -> list[str]:
    """Type a search no option matches into the first select box; the words of the open list."""
    boxes = [b for b in page.locator("[data-testid='stSelectbox']").all() if b.is_visible()]
    if not boxes:
        return []
    boxes[0].scroll_into_view_if_needed()
    boxes[0].locator("input").click()
    page.keyboard.type("zzqzz")
    page.wait_for_timeout(500)
    words = visible_words(page) + [page.locator("[data-baseweb='popover']").first.inner_text()] if page.locator("[data-baseweb='popover']").count() else visible_words(page)
    page.keyboard.press("Escape")
    return words


def type_into_an_input(page) -> list[str]:
    """Type into the first text or number input, without Enter: Streamlit's 'Press Enter to apply' hint shows."""
    inputs = [i for i in page.locator("[data-testid='stTextInput'] input, [data-testid='stNumberInput'] input").all() if i.is_visible()]
    if not inputs:
        return []
    inputs[0].scroll_into_view_if_needed()
    inputs[0].click()
    page.keyboard.type("7")
    page.wait_for_timeout(400)
    words = visible_words(page) + [t.inner_text() for t in page.locator("[data-testid='InputInstructions']").all()]
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    return words


@pytest.mark.parametrize("path, name", PAGES)
def test_no_streamlit_english_on_any_page(app_server, offline, artifacts, tmp_path, path, name):
    page = offline
    page.goto(f"{app_server.url}/{path}", wait_until="networkidle")
    wait_until_idle(page)
    seen = {"page": visible_words(page)}
    assert page.locator("[data-testid='stMainMenu']").count() == 0  # toolbarMode minimal: no Rerun/Settings/Print/About
    if name in ("unggah", "pengaturan"):  # an uploader holding a file: its name, size and remove button
        sample = tmp_path / "contoh.csv"
        sample.write_text("bukan;laporan\n1;2\n", encoding="utf-8")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(sample))
        page.wait_for_timeout(500)
        wait_until_idle(page)
        seen["uploader"] = visible_words(page)
        assert "contoh.csv" in " ".join(seen["uploader"])
    page.screenshot(path=str(artifacts / f"chrome_{name}.png"), full_page=True)
    seen["toolbar"] = hover_table_toolbar(page)
    seen["select"] = search_select_box(page)
    seen["input"] = type_into_an_input(page)
    found = {part: english_in(texts) for part, texts in seen.items() if english_in(texts)}
    assert not found, f"{name}: Streamlit English {found}"


def test_the_checks_reach_the_chrome(app_server, offline):
    """The probes above really open what they look at: a table tooltip, an empty search and an input hint."""
    page = offline
    page.goto(f"{app_server.url}/jelajah", wait_until="networkidle")
    wait_until_idle(page)
    assert "Layar penuh" in " ".join(hover_table_toolbar(page))
    assert "Tidak ada pilihan yang cocok" in " ".join(search_select_box(page))
    page.goto(f"{app_server.url}/pengaturan", wait_until="networkidle")
    wait_until_idle(page)
    assert "Tekan Enter" in " ".join(type_into_an_input(page))


def test_the_login_page_has_no_streamlit_english(built_db, offline, tmp_path):
    """With users, the login form: its inputs' hints ('Press Enter to submit form') and the password's eye button."""
    import shutil

    from tests.conftest import AppServer, add_users

    db = tmp_path / "pmks.duckdb"
    shutil.copy(built_db, db)
    add_users(db, ("admin1", "admin", ""))
    from store import close_all

    close_all()
    server = AppServer(db, tmp_path / "streamlit.log")
    try:
        page = offline
        page.goto(server.url, wait_until="networkidle")
        wait_until_idle(page)
        seen = visible_words(page) + type_into_an_input(page)
        assert "Nama pengguna" in " ".join(seen)
        assert not english_in(seen), english_in(seen)
    finally:
        server.stop()
