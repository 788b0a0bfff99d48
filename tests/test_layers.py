"""The layers of issue 24: page models and the PDF brief are plain Python (no Streamlit), the rulebook is one module,
and nothing of the app reaches into Streamlit's private parts."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO


def test_page_models_and_the_brief_do_not_import_streamlit():
    code = ("import sys, pkgutil, importlib, dashboard.views as v\n"
            "for m in pkgutil.iter_modules(v.__path__): importlib.import_module('dashboard.views.' + m.name)\n"
            "import dashboard.brief, dashboard.downloads, accounts.rulebook, accounts.store, store\n"
            "print(sorted(n for n in sys.modules if n == 'streamlit' or n.startswith('streamlit.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_chrome_translator_touches_streamlits_interface_never_the_apps_content(browser, tmp_path):
    """Content that reads like one of Streamlit's English words stays as written; Streamlit's own buttons and labels
    around it are translated."""
    from tests.conftest import _free_port
    from tests.test_browser import wait_until_idle

    port = _free_port()
    log = (tmp_path / "probe.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "tests/fixtures/chrome_probe.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    try:
        page = context.new_page()
        for _ in range(120):
            try:
                page.goto(f"http://127.0.0.1:{port}", wait_until="networkidle")
                break
            except Exception:  # noqa: BLE001 - the server is still starting
                page.wait_for_timeout(500)
        wait_until_idle(page)
        page.wait_for_timeout(1500)  # the translator has looked at everything drawn
        main = page.locator("[data-testid='stMain']")
        assert main.get_by_text("Open", exact=True).count() >= 1  # the markdown and the select box's value
        assert main.get_by_text("Format", exact=True).count() == 2  # the caption and the metric's label
        assert page.locator(".pmks-tabel td").all_inner_texts() == ["Stop", "Reset"]
        assert main.get_by_text("Reset", exact=True).count() >= 2 and main.get_by_text("Search", exact=True).count() == 1
        assert page.get_by_role("button", name="Pilih berkas").count() == 1  # the uploader's own button
        assert "Upload" not in page.locator("[data-testid='stFileUploader'] button").inner_text()
        assert page.locator("[aria-label='Lihat sandi']").count() == 1  # the password's eye button
    finally:
        context.close()
        proc.terminate()
        proc.wait(10)
        log.close()


PRIVATE = (r"streamlit\.(runtime|web|elements|proto|commands)\b", r"PagesManager", r"get_script_run_ctx", r"\bst\._[a-z]",
           r"FileResponse\.chunk_size")


def test_the_app_uses_only_public_streamlit_api():
    """Issue 24 point 4: no private part of Streamlit that its next release may change. The one exception, Streamlit's
    static folder read by server.py, is listed in the README and tested by tests/test_server_assets.py."""
    sources = [REPO / "app.py", REPO / "server.py", *(REPO / "pages").glob("*.py")]
    for package in ("common", "dashboard", "accounts", "store", "etl"):
        sources += (REPO / package).rglob("*.py")
    found = [f"{p.relative_to(REPO)}: {word}" for p in sources for word in PRIVATE if re.search(word, p.read_text(encoding="utf-8"))]
    assert not found, found


def test_every_page_looks_the_kecamatan_list_up_once_per_run(monkeypatch, built_db):
    """Issue 24 point 6: the kecamatan list is looked up once per run, not by every part of the page that needs it."""
    from dashboard import data, queries
    from tests.test_pages import PAGES, run_app

    calls = []
    real_q = data.q

    def counting(query, *args):
        if query is queries.kecamatan_list:
            calls.append(query.__name__)
        return real_q(query, *args)

    monkeypatch.setattr(data, "q", counting)
    monkeypatch.setattr("dashboard.ui.q", counting)
    for page in PAGES:
        at = run_app(monkeypatch, built_db, page)
        assert not at.exception, page
        calls.clear()
        at.run()  # one more run of the same page
        assert len(calls) <= 1, (page, calls)


def test_the_pdf_brief_is_drawn_from_the_page_models_and_asks_nothing_again(monkeypatch, demo_db, tmp_path):
    """Issue 24 point 3: the brief of the kabupaten, fetched after Ringkasan and Profil were shown, comes from their
    cached models: with the warehouse unreachable for the pages' queries it is still made, and its figures are the
    page's."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import fetch, offered

    monkeypatch.setenv("PMKS_DB", str(demo_db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    total = next(m for m in at.metric if m.label == "Total PMKS (jiwa)").value
    at.switch_page("pages/profil.py").run()
    link = next(o for o in offered(at) if o.label.startswith("Unduh ringkasan PDF"))

    def unreachable(*_args, **_kwargs):
        raise AssertionError("the brief queried the warehouse again")

    from store.embedded import EmbeddedStore

    monkeypatch.setattr(EmbeddedStore, "analytics", unreachable)  # every read the pages and the old brief made
    monkeypatch.setattr(EmbeddedStore, "read", unreachable)
    status, body = fetch(link.file_id, None)
    assert status == 200 and body.startswith(b"%PDF")
    pdf = tmp_path / "ringkasan.pdf"
    pdf.write_bytes(body)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "Kabupaten Tuban" in text and total in text
