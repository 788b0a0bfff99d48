"""Issue 27, the last bullet: every role in a real, offline, English-language chromium, on every page it may or may
not open, at 1400 x 900, 1024 x 768 and 390 x 844 (a phone): no English word of Streamlit's, no label, chart text,
input or table cell cut (table cells are read from the grid's own pixels), no mode bar over a chart's title; on a
phone the headline and the first figures of Ringkasan and the top of Prioritas' ranking are on the first screen; a
grid of 20 rows shows all 20. Screenshots of every view go to artifacts/peran_<role>_<page>_<width>.png."""

from __future__ import annotations

import re

import pytest

from tests.test_browser import IDLE, MAPS_DRAWN, PASSWORD, WIDTH_REPORTED, wait_until_idle
from tests.test_chrome import english_in, visible_words

VIEWPORTS = [(1400, 900), (1024, 768), (390, 844)]
PAGES = ["", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "unggah", "riwayat", "pengaturan", "tentang", "lapor", "verifikasi"]
TABS = {"": ["Tren 12 bulan", "Per wilayah"], "jelajah": ["Peringkat", "Tren"], "prioritas": ["Peta prioritas"],
        "kelengkapan": ["12 bulan terakhir"]}  # views drawn only when their tab is opened
ROLES = {"pimpinan1": ("pimpinan", ""), "staf1": ("staf", ""), "analis_palang": ("analis", "35.23.18"), "admin1": ("admin", ""),
         "psm_tegalbang": ("psm", "35.23.18", "35.23.18.2003"), "verifikator_palang": ("verifikator", "35.23.18")}  # issue 25
MORE_ENGLISH = ["Page not found", "Running the app", "Skip to", "You have requested", "Made with", "Deploy", "encountered an error", "Ask Google"]

CUT_TEXT = """() => {
  // Text nobody can read whole: a text node reaching outside an ancestor that clips it (overflow hidden or clip),
  // an ellipsis, an input's value wider than the input, a chart text outside its chart, the mode bar over a chart's
  // title. Boxes that scroll (overflow auto or scroll) do not cut.
  const out = [];
  const app = document.querySelector('[data-testid="stApp"]');
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const sidebarOpen = sidebar && sidebar.getAttribute('aria-expanded') !== 'false' && sidebar.getBoundingClientRect().right > 10;
  const hidden = (el) => !sidebarOpen && sidebar && sidebar.contains(el);
  const skip = 'script, style, svg, canvas, .pmks-sr, [data-testid="stSkipToContent"], [data-testid="stIconMaterial"], [role="grid"], .modebar';
  const where = (a) => a.tagName + '.' + (a.getAttribute('data-testid') || String(a.className || '')).slice(0, 40);
  const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.nodeValue.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest(skip) || hidden(el)) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    const box = {left: Math.min(...rects.map(r => r.left)), right: Math.max(...rects.map(r => r.right)),
                 top: Math.min(...rects.map(r => r.top)), bottom: Math.max(...rects.map(r => r.bottom))};
    let scrollX = false, scrollY = false;
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.display === 'contents') continue;
      const b = a.getBoundingClientRect();
      if (!scrollX && ['hidden', 'clip'].includes(s.overflowX) && (box.left < b.left - 1.5 || box.right > b.right + 1.5)) {
        out.push({text: text.slice(0, 90), why: 'terpotong', where: where(a)}); break;
      }
      if (!scrollY && ['hidden', 'clip'].includes(s.overflowY) && b.height > 4 && (box.top < b.top - 3 || box.bottom > b.bottom + 3)) {
        out.push({text: text.slice(0, 90), why: 'terpotong (tinggi)', where: where(a)}); break;
      }
      scrollX = scrollX || ['auto', 'scroll'].includes(s.overflowX);
      scrollY = scrollY || ['auto', 'scroll'].includes(s.overflowY);
    }
    if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) out.push({text: text.slice(0, 90), why: 'elipsis', where: where(el)});
  }
  for (const input of app.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])')) {
    const r = input.getBoundingClientRect();
    if (r.width && !hidden(input) && input.value && input.scrollWidth > input.clientWidth + 1) out.push({text: input.value.slice(0, 90), why: 'isian'});
  }
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const pb = plot.getBoundingClientRect();
    if (!pb.width) continue;
    for (const t of plot.querySelectorAll('.main-svg text')) {
      if (!t.textContent.trim() || t.closest('.hoverlayer')) continue;
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < pb.left - 1 || r.right > pb.right + 1)) out.push({text: t.textContent.trim().slice(0, 90), why: 'teks grafik'});
    }
    const bar = plot.querySelector('.modebar'), title = plot.querySelector('.gtitle');
    if (bar && title && title.textContent.trim()) {
      const a = bar.getBoundingClientRect(), b = title.getBoundingClientRect();
      if (a.width && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        out.push({text: title.textContent.trim().slice(0, 90), why: 'tombol grafik di atas judul'});
    }
  }
  return out;
}"""

CUT_CELLS = """async (grid) => {
  // Cells of a table grid (a canvas) whose text runs into a column border: the grid's own pixels, scrolled through
  // horizontally, at the top and at the bottom. Text is dark grey; borders light grey; a cell keeps 8 px of padding.
  const scroller = grid.querySelector('.dvn-scroller');
  const canvas = grid.querySelector('canvas');
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 120))));
  const ink = (r, g, b) => Math.max(r, g, b) < 170 && Math.max(r, g, b) - Math.min(r, g, b) < 40;
  const line = (r, g, b) => r < 245 && r > 195 && Math.abs(r - g) < 14 && Math.abs(g - b) < 14;
  const found = new Map();
  const look = () => {
    const W = canvas.width, H = canvas.height, scale = W / canvas.getBoundingClientRect().width;
    const d = canvas.getContext('2d').getImageData(0, 0, W, H).data;
    const at = (x, y) => { const i = (y * W + x) * 4; return [d[i], d[i + 1], d[i + 2]]; };
    const rows = [];
    for (let y = 0; y < H; y++) { let n = 0; for (let x = 0; x < W; x += 3) n += line(...at(x, y)); if (n > 0.6 * W / 3) rows.push(y); }
    let prev = -1;
    for (const y of rows) {
      if (prev >= 0 && y - prev > 10 * scale) {
        const y0 = prev + 1, y1 = y - 1, ym = Math.round((y0 + y1) / 2);
        const cols = [];
        for (let x = 0; x < W; x++) if (line(...at(x, y0 + 2)) && line(...at(x, ym)) && line(...at(x, y1 - 2))) cols.push(x);
        const borders = cols.filter((x, i) => i === 0 || x - cols[i - 1] > 1);
        for (let i = 0; i + 1 < borders.length; i++) {
          const a = borders[i] + 1, b = borders[i + 1] - 1;
          if (b - a < 6) continue;
          let lo = null, hi = null;
          for (let x = a; x <= b; x++) for (let yy = y0 + 2; yy <= y1 - 2; yy++) if (ink(...at(x, yy))) { if (lo === null) lo = x; hi = x; break; }
          if (lo !== null && (lo - a < 2 * scale || b - hi < 2 * scale)) {
            const key = Math.round((a / scale) + scroller.scrollLeft) + ':' + Math.round(y0 / scale + scroller.scrollTop);
            found.set(key, {x: Math.round(a / scale + scroller.scrollLeft), y: Math.round(y0 / scale + scroller.scrollTop)});
          }
        }
      }
      prev = y;
    }
  };
  for (const top of [0, scroller.scrollHeight]) {
    scroller.scrollTop = top;
    for (let left = 0; ; left += Math.max(100, scroller.clientWidth * 0.6)) {
      scroller.scrollLeft = left;
      await frame();
      look();
      if (left + scroller.clientWidth >= scroller.scrollWidth) break;
    }
  }
  scroller.scrollTop = 0;
  scroller.scrollLeft = 0;
  return [...found.values()];
}"""


@pytest.fixture(scope="module")
def roles_server(built_db, tmp_path_factory):
    """The app with a user of every role (the analyst limited to Kecamatan Palang), on a copy of the demo warehouse."""
    import shutil

    from store import close_all
    from tests.conftest import AppServer, add_users

    folder = tmp_path_factory.mktemp("peran")
    db = folder / "pmks.duckdb"
    shutil.copy(built_db, db)
    add_users(db, *((login, *scope) for login, scope in ROLES.items()), password=PASSWORD)
    close_all()  # the server takes the file
    server = AppServer(db, folder / "streamlit.log")
    yield server
    server.stop()


def _signed_in(page, login: str) -> bool:
    """Sign in when the page shows the login form (a fresh page, or a session the cookie did not carry); whether it
    did."""
    if not page.get_by_label("Kata sandi").count():
        return False
    page.get_by_label("Nama pengguna").fill(login)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Masuk sebagai").wait_for(timeout=30_000)
    wait_until_idle(page)
    return True


def _open(page, url: str, login: str) -> None:
    """Open a page by its URL as `login`, signing in first where the session does not know them."""
    page.goto(url, wait_until="networkidle")
    _settle(page)
    if _signed_in(page, login):
        page.goto(url, wait_until="networkidle")
        _settle(page)


def _settle(page) -> None:
    """Wait for the app to finish a rerun (a tab, a new width reported where a map is shown) and its maps to draw."""
    page.wait_for_timeout(300)
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_timeout(300)  # a map drawn, a width reported: the rerun it makes starts
    page.wait_for_function(WIDTH_REPORTED, timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_function(MAPS_DRAWN, timeout=60_000)


HAS_MAP = "() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => gd._fullLayout && gd._fullLayout.map)"
# every chart shown has been laid out again for its box's new width
PLOTS_FIT = """() => [...document.querySelectorAll('.js-plotly-plot')].every(gd => {
    const w = gd.getBoundingClientRect().width;
    return !w || !gd._fullLayout || Math.abs(gd._fullLayout.width - w) < 2;
})"""


def _resize(page, width: int, height: int) -> None:
    """A new window size: where a map is shown the server lays it out anew for the new width (one rerun); elsewhere
    only the browser lays the page out."""
    if page.viewport_size == {"width": width, "height": height}:
        return
    has_map = page.evaluate(HAS_MAP)
    page.set_viewport_size({"width": width, "height": height})
    if has_map:
        _settle(page)
    else:
        page.wait_for_timeout(250)
    page.wait_for_function(PLOTS_FIT, timeout=30_000)
    page.wait_for_timeout(150)


def _problems(page, cells: bool = True) -> list[str]:
    """Everything cut on the page as shown, and Streamlit's English. Table cells (`cells`) are read at one window
    size: a grid's columns are as wide at every size (a narrower window scrolls the grid)."""
    found = [f"{p['why']}: {p['text']!r} {p.get('where', '')}".strip() for p in page.evaluate(CUT_TEXT)]
    found += ["galat aplikasi"] * page.locator("[data-testid='stException']").count()
    for grid in page.locator("[data-testid='stDataFrame']").all() if cells else []:
        if grid.is_visible():
            grid.scroll_into_view_if_needed()
            header = [h.inner_text() for h in grid.locator("th[role='columnheader']").all()[:3]]
            found += [f"sel tabel terpotong ({', '.join(header)} …) di x={c['x']} y={c['y']}" for c in grid.evaluate(CUT_CELLS)]
    texts = visible_words(page)
    found += [f"bahasa Inggris: {w}" for w in english_in(texts)]
    found += [f"bahasa Inggris: {w}" for w in MORE_ENGLISH if any(w in t for t in texts)]
    return found


def _first_screen(page, name: str, height: int) -> list[str]:
    """On a phone: Ringkasan's headline and first figures, Prioritas' first ranked rows, without scrolling."""
    page.locator("[data-testid='stMain']").evaluate("el => el.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    if name == "":
        headline = page.locator("h3", has_text="PMKS tercatat").first.bounding_box()
        values = [v.bounding_box() for v in page.locator("[data-testid='stMetricValue']").all()[:2]]
        if headline is None or len(values) < 2:
            return ["ringkasan: judul atau angka tidak ada"]
        return [f"ringkasan: {what} di bawah layar pertama ({box['y'] + box['height']:.0f} px)"
                for what, box in (("kalimat utama", headline), ("angka pertama", values[0]), ("angka kedua", values[1]))
                if box["y"] + box["height"] > height]
    grid = page.locator("[data-testid='stDataFrame']").first.bounding_box()
    if grid is None:
        return ["prioritas: daftar peringkat tidak ada"]
    rows_seen = (height - grid["y"] - 36) // 35  # the header, then 35 px per row
    return [] if rows_seen >= 3 else [f"prioritas: hanya {rows_seen:.0f} baris peringkat di layar pertama (daftar mulai {grid['y']:.0f} px)"]


@pytest.mark.parametrize("login", list(ROLES))
def test_every_page_of_every_role_in_indonesian_and_nothing_cut(roles_server, browser, artifacts, login):
    role = ROLES[login][0]
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
    page = context.new_page()
    problems = []
    try:
        for name in PAGES:
            _open(page, f"{roles_server.url}/{name}", login)
            problems += _check_page(page, name, role, artifacts)
            if name in ("unggah", "riwayat", "pengaturan") and name not in _allowed(role):
                body = page.inner_text("[data-testid='stMain']")
                assert "tidak berhak" in body, f"{login} {name}: {body[:200]}"
    finally:
        context.close()
    assert not problems, f"{login}:\n" + "\n".join(dict.fromkeys(problems))


def _check_page(page, name: str, role: str, artifacts) -> list[str]:
    """One page at every window size, each of its tabs too (a tab opened once, then looked at in every size: a
    resize reruns nothing unless a map must be laid out anew); the page's first view is screenshot per size. Long
    because it walks tabs x sizes and collects what it finds."""
    label, problems = name or "ringkasan", []
    allowed = (name or "ringkasan") in _allowed(role)
    for tab in [None, *TABS.get(name, [])] if allowed else [None]:
        if tab is not None:
            tabs = page.get_by_role("tab", name=tab)
            if not tabs.count():
                continue
            tabs.first.click()
            _settle(page)
        where = f"{label}" + (f", tab {tab}" if tab else "")
        for width, height in VIEWPORTS if allowed else VIEWPORTS[::2]:  # a page refused: one message, two sizes
            _resize(page, width, height)
            if tab is None:
                page.screenshot(path=str(artifacts / f"peran_{role}_{label}_{width}.png"))
            problems += [f"{where} {width}px: {p}" for p in _problems(page, cells=width == VIEWPORTS[0][0])]
            if tab is None and width < 640 and name in ("", "prioritas") and allowed:
                problems += [f"{label} {width}px: {p}" for p in _first_screen(page, name, height)]
            if tab is None and name == "jelajah" and width == 1400 and role in ("pimpinan", "staf", "admin"):  # 20 kecamatan: all 20
                grid = page.locator("[data-testid='stDataFrame']").first.bounding_box()
                if grid and grid["height"] < 21 * 35:
                    problems.append(f"jelajah: tabel 20 kecamatan setinggi {grid['height']:.0f} px")
    return problems


def _allowed(role: str) -> list[str]:
    from accounts.users import User

    return User("x", "x", role).pages()


def test_a_map_picture_is_a_download_staff_make_and_the_audit_records(roles_server, browser, tmp_path):
    """Issue 27 point 10: leadership gets no camera on any chart; a staff member's PNG of the map is saved and audited."""
    from tests.conftest import reading

    for login, camera in (("pimpinan1", False), ("staf1", True)):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="id-ID", accept_downloads=True)
        page = context.new_page()
        try:
            _open(page, f"{roles_server.url}/peta", login)
            page.locator(".js-plotly-plot").first.hover()
            assert page.locator(".js-plotly-plot .modebar-btn").count() == (1 if camera else 0), login
            if not camera:
                continue
            with page.expect_download(timeout=60_000) as info:
                page.locator(".js-plotly-plot .modebar-btn").first.click()
            name = info.value.suggested_filename
            assert name.startswith("peta_pmks_kecamatan_") and name.endswith(".png")
            info.value.save_as(tmp_path / name)
            assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
            page.wait_for_timeout(1500)  # the click is reported a second later, then written
            _settle(page)
        finally:
            context.close()
    with reading(roles_server.db) as con:
        rows = con.execute("select pengguna, objek, rincian from audit where aksi = 'unduh' and objek like 'peta_pmks_%.png'").fetchall()
    assert rows == [("staf1", name, '{"gambar": true}')]
