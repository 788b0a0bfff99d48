"""Real-browser tests: Debian chromium driven by Playwright against the running app."""

from __future__ import annotations

import re

import pytest

from tests.conftest import open_snapshot

IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""
# Every MapLibre map on the page has its style, geometry and label glyphs loaded and is not moving (plotly keeps
# the map of a subplot at gd._fullLayout[id]._subplot.map); labels then fade in for MapLibre's 300 ms.
MAPS_DRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')].every(gd => {
    const fl = gd._fullLayout;
    if (!fl) return false;
    return ((fl._subplots && fl._subplots.map) || []).every(id => {
        const m = fl[id] && fl[id]._subplot && fl[id]._subplot.map;
        return !!m && m.loaded() && !m.isMoving();
    });
})"""


# The page's width has been reported to the server once a map is shown (dashboard.chrome: maps are laid out for it,
# one rerun); true as well where there is no map or no translator yet.
WIDTH_REPORTED = """() => {
    const s = window.__pmksChrome, main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const maps = [...document.querySelectorAll('.js-plotly-plot')].some(gd => gd._fullLayout && gd._fullLayout.map);
    if (!s || !main || !maps) return true;
    const st = getComputedStyle(main);
    const w = main.getBoundingClientRect().width - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    return s.lebar === Math.floor(w / 50) * 50;
}"""


def wait_until_idle(page) -> None:
    """Wait until the script has finished and no placeholder skeleton is left on the page; again after a second,
    because the first page of a fresh server runs twice (`navigation.ensure_app_run`) with an idle moment between; until
    the page's width is reported where a map is shown (and the rerun it makes is done); then until every map has
    drawn its areas and labels."""
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_timeout(1000)  # let plotly finish drawing
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_function(WIDTH_REPORTED, timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_function(MAPS_DRAWN, timeout=60_000)  # a map's glyphs can arrive later on a loaded machine
    page.wait_for_timeout(500)  # MapLibre fades labels in


PAGES = [("", "ringkasan"), ("peta", "peta"), ("jelajah", "jelajah"), ("profil", "profil"), ("prioritas", "prioritas"), ("kelengkapan", "kelengkapan"),
         ("unggah", "unggah"), ("riwayat", "riwayat"), ("pengaturan", "pengaturan"), ("tentang", "tentang"), ("asal", "asal"), ("verifikasi", "verifikasi")]


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


@pytest.mark.parametrize("path, title", [("", "Kabupaten Tuban"), ("profil?kec=35.23.18", "Kecamatan Palang")])
def test_pdf_brief_downloads_from_the_page(app_server, page, artifacts, tmp_path, path, title):
    import subprocess

    page.goto(f"{app_server.url}/{path}", wait_until="networkidle")
    wait_until_idle(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Unduh ringkasan PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("ringkasan_pmks_") and download.suggested_filename.endswith(".pdf")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    (artifacts / f"unduhan_{download.suggested_filename}").write_bytes(target.read_bytes())
    text = " ".join(subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert f"Ringkasan PMKS — {title}" in text and "Oktober 2026" in text
    pages = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in pages

    con = open_snapshot(app_server.db)
    audited = con.execute("select count(*) from audit where aksi = 'unduh' and objek = ?", [download.suggested_filename]).fetchone()[0]
    con.close()
    assert audited >= 1


def test_priority_list_downloads_as_xlsx_in_the_order_shown(app_server, page, artifacts, tmp_path):
    import openpyxl

    from tests.priority_reference import desa_ranking

    page.goto(f"{app_server.url}/prioritas?periode=2026-10", wait_until="networkidle")
    wait_until_idle(page)
    page.screenshot(path=str(artifacts / "prioritas.png"), full_page=True)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Unduh daftar prioritas (XLSX)").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "prioritas_desa_2026-10.xlsx"
    book = openpyxl.load_workbook(target)
    cover = {book["Keterangan"].cell(r, 1).value: book["Keterangan"].cell(r, 2).value for r in range(3, 20)}
    assert cover["Periode"] == "Oktober 2026" and "desa melapor" in cover["Kelengkapan laporan"]
    assert "Anak 1; Disabilitas 1" in cover["Bobot kelompok"] and "Marshall (1991)" in cover["Metode"]
    assert "SINTETIS" in cover["Sumber data"]
    sheet = book["Daftar prioritas"]
    header = [c.value for c in sheet[1]]
    names = [r[header.index("Desa/Kelurahan")] for r in sheet.iter_rows(min_row=2, max_row=11, values_only=True)]

    con = open_snapshot(app_server.db)  # waits while the app writes the download's audit row
    try:
        groups = [r[0] for r in con.execute("select distinct kelompok from indikator where aktif").fetchall()]
        nama = dict(con.execute("select kode, nama from wilayah where tingkat = 'desa'").fetchall())
        expected = [nama[k] for k, _ in desa_ranking(con, "2026-10-01", dict.fromkeys(groups, 1.0))[:10]]
    finally:
        con.close()
    assert names == expected


def _blend(hex_color: str, opacity: float = 0.9) -> tuple[int, int, int]:
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(opacity * c + (1 - opacity) * 255) for c in rgb)


@pytest.mark.parametrize("query, name, features", [("ukuran=per1000", "kecamatan", 20), ("ukuran=per1000&kec=35.23.18", "desa", 19)])
def test_map_draws_polygons_offline(app_server, page, artifacts, query, name, features):
    """With every request outside the app refused, the map canvas shows the legend's class colours."""
    from io import BytesIO

    from PIL import Image

    refused = []

    def only_the_app(route):
        if route.request.url.startswith(app_server.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_the_app)
    page.goto(f"{app_server.url}/peta?{query}", wait_until="networkidle")
    page.wait_for_selector(".js-plotly-plot canvas", timeout=60_000)
    wait_until_idle(page)
    page.wait_for_timeout(2500)  # maplibre renders on the next animation frames
    chart = page.locator("[data-testid='stPlotlyChart']").first
    trace = page.evaluate("() => { const d = document.querySelector('.js-plotly-plot').data[0]; "
                          "return {n: d.geojson.features.length, scale: d.colorscale, z: Array.from(d.z)}; }")
    assert trace["n"] == features
    png = chart.screenshot(path=str(artifacts / f"peta_{name}.png"))
    image = Image.open(BytesIO(png)).convert("RGB")
    pixels = image.get_flattened_data() if hasattr(image, "get_flattened_data") else image.getdata()
    counts = {}
    for rgb in pixels:
        counts[rgb] = counts.get(rgb, 0) + 1
    classes = sorted({int(z) for z in trace["z"]})
    colors = [trace["scale"][2 * c][1] for c in classes]  # two stops per class; class 0 is 'tidak ada data'
    found = 0
    for color in colors:
        target = _blend(color)
        near = sum(n for rgb, n in counts.items() if max(abs(a - b) for a, b in zip(rgb, target)) <= 6)
        found += near > 200
    assert found == len(colors), f"class colours drawn: {found} of {len(colors)}"
    assert page.locator("[data-testid='stException']").count() == 0


def test_click_on_a_kecamatan_shows_its_desa(app_server, page, artifacts):
    page.goto(f"{app_server.url}/peta?ukuran=per1000", wait_until="networkidle")
    page.wait_for_selector(".js-plotly-plot canvas", timeout=60_000)
    wait_until_idle(page)
    page.wait_for_timeout(2000)
    canvas = page.locator(".js-plotly-plot canvas").first
    box = canvas.bounding_box()
    # the middle of the drawn area (the map is shifted left of its legend) lies inside a kecamatan
    page.mouse.click(box["x"] + (box["width"] - 170) / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('Kec.')", timeout=30_000)
    wait_until_idle(page)
    page.wait_for_timeout(1500)
    title = page.inner_text("h1")
    features = page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].geojson.features.length")
    page.screenshot(path=str(artifacts / "peta_klik_kecamatan.png"), full_page=True)
    assert "Kec." in title and 5 <= features <= 40  # the desa of one kecamatan, not the 20 kecamatan of Tuban
    assert "kec=35.23." in page.url


GRID_JS = """() => {
    const plot = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.data.length > 1);  // the grid: a heatmap and its legend
    const ticks = [...plot.querySelectorAll('.yaxislayer-above .ytick text')].map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, top: r.top, bottom: r.bottom, width: r.width};
    });
    return {height: plot._fullLayout.height, ticks: ticks, rows: plot.data[0].y.length, top: plot.getBoundingClientRect().top};
}"""


def test_kelengkapan_rollup_first_then_a_kecamatan_grid_with_every_desa_label(app_server, page, artifacts):
    """Issue #14 point 8: no 4.400 px grid of 328 desa with every other label lost."""
    page.goto(f"{app_server.url}/kelengkapan", wait_until="networkidle")
    page.wait_for_selector(".js-plotly-plot .yaxislayer-above .ytick text", timeout=60_000)
    wait_until_idle(page)

    def grid_of(kecamatan: str) -> dict:
        con = open_snapshot(app_server.db)
        names = [r[0] for r in con.execute("""select d.nama from wilayah d join wilayah k on k.kode = d.kode_induk
            where d.tingkat = 'desa' and k.tingkat = 'kecamatan' and k.nama = ? order by d.nama""", [kecamatan]).fetchall()]
        con.close()
        grid = page.evaluate(GRID_JS)
        assert [t["text"] for t in grid["ticks"]] == names  # every desa of the kecamatan drawn, none dropped
        assert grid["height"] >= 20 * len(names) and grid["rows"] == len(names)
        for above, below in zip(grid["ticks"], grid["ticks"][1:]):
            assert above["bottom"] <= below["top"] + 1, (above, below)  # labels do not overlap
        return grid

    heading = page.get_by_role("heading", name="Kelengkapan per kecamatan, Oktober 2026").bounding_box()
    title = page.locator("strong", has_text="Status laporan per desa, Kec. ").inner_text()
    grid = grid_of(title.split("Kec. ")[1].split(",")[0])
    assert heading["y"] < grid["top"]  # the roll-up stands above the grid
    page.set_viewport_size({"width": 1400, "height": 4200})  # the app scrolls inside; a tall window shows all of it
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "kelengkapan_grid.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
    # pick another kecamatan on the page: its desa, every one labelled
    picker = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']", has_text="Kecamatan")
    picker.locator("input").click()
    page.keyboard.type("Palang")
    page.get_by_role("option", name=re.compile(r"^Palang \(")).click()
    page.wait_for_function("() => document.body.innerText.includes('Status laporan per desa, Kec. Palang')", timeout=30_000)
    wait_until_idle(page)
    grid_of("Palang")
    plot = page.locator(".js-plotly-plot").last
    plot.scroll_into_view_if_needed()
    box = plot.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.96, box["y"] + 10)  # the first desa in the last month
    hover = plot.locator(".hoverlayer .hovertext").first.text_content(timeout=10_000)
    assert "Okt 2026" in hover and re.search("Tepat waktu|Terlambat|Semua nol|Belum lapor", hover), hover
    page.screenshot(path=str(artifacts / "kelengkapan_palang.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


PASSWORD = "sandi-uji-peramban"


@pytest.fixture()
def own_server(built_db, tmp_path):
    """The app on a private copy of the demo warehouse, with users (an analyst and a viewer), for tests that write."""
    import shutil

    from accounts import store as accounts
    from store import open_store
    from tests.conftest import AppServer

    db = tmp_path / "pmks.duckdb"
    shutil.copy(built_db, db)
    store = open_store(db)
    for login, name, role in (("admin1", "Admin Satu", "admin"), ("analis1", "Analis Satu", "analis"), ("pimpinan1", "Pimpinan Satu", "pimpinan")):
        accounts.save_user(store, login, name, role, "", PASSWORD, "uji")
    store.close()
    server = AppServer(db, tmp_path / "streamlit.log")
    yield server
    server.stop()


def sign_in(page, server, login: str) -> None:
    page.goto(server.url, wait_until="networkidle")
    wait_until_idle(page)
    page.get_by_label("Nama pengguna").fill(login)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Masuk sebagai").wait_for(timeout=30_000)
    wait_until_idle(page)


def go(page, title: str) -> None:
    """Open a page through the sidebar (keeps the session and its widgets; a new URL starts a new session)."""
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    page.wait_for_timeout(500)
    wait_until_idle(page)


def test_a_reload_keeps_the_user_signed_in_until_they_sign_out(own_server, page):
    sign_in(page, own_server, "pimpinan1")
    cookie = next(c for c in page.context.cookies() if c["name"] == "pmks_sesi")
    assert cookie["sameSite"] == "Lax" and cookie["httpOnly"] and cookie["expires"] > 0  # set by the server, not by a script
    assert "pmks_sesi" not in page.evaluate("document.cookie")
    page.goto(f"{own_server.url}/prioritas", wait_until="networkidle")  # a new session, from the cookie
    wait_until_idle(page)
    assert "Masuk sebagai **Pimpinan Satu**".replace("**", "") in page.inner_text("body")
    assert "Prioritas Intervensi" in page.inner_text("[data-testid='stSidebarNav']")
    page.get_by_role("button", name="Keluar").click()
    page.get_by_label("Kata sandi").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert not [c for c in page.context.cookies() if c["name"] == "pmks_sesi" and c["value"]]
    page.reload(wait_until="networkidle")
    wait_until_idle(page)
    assert page.get_by_label("Kata sandi").count() == 1 and "Masuk sebagai" not in page.inner_text("body")


def test_analyst_signs_in_uploads_a_report_and_ringkasan_changes(own_server, page, artifacts, tmp_path):

    from common import fmt
    from tests import reportfiles as rf

    con = open_snapshot(own_server.db)
    nama, kecamatan = con.execute("""select d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk
        where d.tingkat = 'desa' and d.kode not in (select kode_desa from laporan where aktif and periode = date '2026-10-01')
        and d.nama not in (select nama from wilayah where tingkat = 'desa' group by 1 having count(*) > 1) order by d.kode limit 1""").fetchone()
    total = con.execute("select sum(jumlah) from pmks_counts where periode = date '2026-10-01'").fetchone()[0]
    con.close()
    path = tmp_path / "laporan_baru.xlsx"
    path.write_bytes(rf.form_xlsx(nama, kecamatan, "Oktober 2026", {"Fakir Miskin": 500, "Pengemis": 3}))

    sign_in(page, own_server, "analis1")
    go(page, "Unggah Data")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    page.get_by_text("Simpan ke basis data").wait_for(timeout=60_000)
    wait_until_idle(page)
    page.screenshot(path=str(artifacts / "unggah_pratinjau.png"), full_page=True)
    assert "Diterima" in page.inner_text("body")
    page.get_by_text("Simpan ke basis data").click()
    page.get_by_text("Tersimpan sebagai batch impor").wait_for(timeout=60_000)
    go(page, "Ringkasan")
    page.screenshot(path=str(artifacts / "ringkasan_setelah_unggah.png"), full_page=True)
    assert fmt.angka(total + 503) in page.inner_text("[data-testid='stMetric']")


def test_viewer_cannot_reach_the_upload_page(own_server, page, artifacts):
    sign_in(page, own_server, "pimpinan1")
    assert "Unggah Data" not in page.inner_text("[data-testid='stSidebarNav']")
    page.goto(f"{own_server.url}/unggah", wait_until="networkidle")  # a typed URL: a new session, still the viewer
    wait_until_idle(page)
    page.screenshot(path=str(artifacts / "pimpinan_unggah.png"), full_page=True)
    body = page.inner_text("body")
    assert "Unggah Laporan PSM" not in body and "Pilih satu atau beberapa berkas" not in body
    assert "Masuk sebagai" in body and "Unggah Data" not in page.inner_text("[data-testid='stSidebarNav']")


def test_hostile_uploads_are_refused_while_another_session_keeps_working(own_server, browser, page, artifacts, tmp_path):
    """Files that crash or stall a reader are answered within 30 s; a second user's dashboard renders meanwhile."""
    from tests import reportfiles as rf

    files = {"sel_jauh.xlsx": rf.far_cell_xlsx(), "bom_zip.xlsx": rf.zip_bomb_xlsx(300), "bom_xml.xlsx": rf.xml_bomb_xlsx(),
             "gambar.xlsx": rf.png_bytes()}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    sign_in(page, own_server, "analis1")
    go(page, "Unggah Data")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(paths)
    other_context = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = other_context.new_page()
    try:
        sign_in(other, own_server, "pimpinan1")  # meanwhile, another user opens the dashboard
        assert other.locator("[data-testid='stMetric']").count() >= 4
        page.get_by_text("Tidak ada berkas yang dapat disimpan").wait_for(timeout=30_000)
        wait_until_idle(page)
        page.screenshot(path=str(artifacts / "unggah_berkas_berbahaya.png"), full_page=True)
        body = page.inner_text("body")
        assert body.count("Ditolak") >= len(files) and "Traceback" not in body
        go(other, "Peta")
        assert other.locator("[data-testid='stException']").count() == 0
    finally:
        other_context.close()


def test_cli_import_while_the_app_serves(own_server, page, tmp_path):
    import subprocess
    import sys

    from tests import reportfiles as rf
    from tests.conftest import REPO

    records = [{"kecamatan": "Soko", "desa": "Menilo", "indikator": i, "periode": f"2026-{m:02d}", "jumlah": 1}
               for m in range(1, 11) for i in ("FM", "PD")]
    path = tmp_path / "cli.csv"
    path.write_bytes(rf.long_csv(records))
    sign_in(page, own_server, "pimpinan1")
    env = {**__import__("os").environ, "PMKS_DB": str(own_server.db)}
    proc = subprocess.Popen([sys.executable, "-m", "etl", "import", "--replace", str(path)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for title in ("Peta", "Jelajah Data", "Kelengkapan Laporan", "Ringkasan"):  # the app keeps serving during the import
        go(page, title)
        body = page.inner_text("body")
        assert "lock" not in body.lower() and page.locator("[data-testid='stException']").count() == 0
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "DITERIMA" in out
