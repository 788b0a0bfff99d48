"""Maps in a real browser with the internet cut off: no request leaves the app, and every area is in view."""

from __future__ import annotations

import pytest

from tests.test_browser import wait_until_idle

MAP_PAGES = [("?ukuran=per1000", "ringkasan", True), ("peta?ukuran=per1000", "peta_kecamatan", True),
             ("peta?ukuran=per1000&kec=35.23.18", "peta_desa_palang", True), ("peta?kec=35.23.18", "peta_lingkaran_palang", True),
             ("prioritas", "prioritas", False)]
TABS = {"prioritas": "Peta prioritas", "ringkasan": "Per wilayah"}  # maps drawn in a tab that opens on a click


def _open_tab(page, name: str) -> None:
    if name in TABS:
        wait_until_idle(page)
        page.get_by_role("tab", name=TABS[name]).click()


def _offline(page, app_url: str) -> dict:
    """Refuse every request outside the app; record what was refused, what failed and which glyphs were asked for."""
    seen = {"off": [], "failed": [], "glyphs": []}

    def only_the_app(route):
        if route.request.url.startswith(app_url):
            route.continue_()
        else:
            seen["off"].append(route.request.url)
            route.abort()

    page.context.route("**/*", only_the_app)
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("requestfinished", lambda r: seen["glyphs"].append(r.url) if "/glyphs/" in r.url else None)
    return seen


def _map_drawn(page) -> None:
    page.wait_for_selector(".maplibregl-canvas", timeout=60_000)
    wait_until_idle(page)
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')].some(d => d._fullLayout && d._fullLayout.map
                               && d._fullLayout.map._subplot.map.loaded())""", timeout=30_000)
    page.wait_for_timeout(1500)  # labels are placed on the next frames


@pytest.mark.parametrize("path, name, labels", MAP_PAGES)
def test_map_pages_make_no_request_off_the_app(app_server, page, artifacts, path, name, labels):
    seen = _offline(page, app_server.url)
    page.goto(f"{app_server.url}/{path}", wait_until="networkidle")
    _open_tab(page, name)
    _map_drawn(page)
    chart = page.locator(".js-plotly-plot", has=page.locator(".maplibregl-canvas")).first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    chart.screenshot(path=str(artifacts / f"peta_luring_{name}.png"))
    assert seen["off"] == [] and seen["failed"] == []
    if labels:  # the names on the map were drawn with the app's own glyphs
        assert any("/glyphs/" in u and u.endswith("/0-255.pbf") for u in seen["glyphs"])
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize("path, name", [("?ukuran=per1000", "ringkasan"), ("peta?ukuran=per1000&kec=35.23.18", "peta_desa_palang"),
                                        ("peta?ukuran=per1000", "peta_kecamatan")])
def test_every_area_is_inside_the_drawn_map(app_server, page, artifacts, path, name):
    """MapLibre itself places every vertex of every area inside its canvas, clear of the legend strip."""
    page.goto(f"{app_server.url}/{path}", wait_until="networkidle")
    _open_tab(page, name)
    _map_drawn(page)
    box = page.evaluate("""() => {
        const gd = [...document.querySelectorAll('.js-plotly-plot')].find(d => d._fullLayout && d._fullLayout.map);
        const map = gd._fullLayout.map._subplot.map, canvas = map.getCanvas().getBoundingClientRect();
        const plot = gd.getBoundingClientRect(), colorbar = gd.querySelector('.colorbar');
        let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        const visit = c => { if (typeof c[0] === 'number') { const p = map.project(c); x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x);
                             y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y); } else c.forEach(visit); };
        gd.data[0].geojson.features.forEach(f => visit(f.geometry.coordinates));
        return {x0, y0, x1, y1, width: canvas.width, height: canvas.height, left: canvas.left - plot.left,
                legend: colorbar ? colorbar.getBoundingClientRect().left - plot.left : null, names: gd.data[gd.data.length - 1].text};
    }""")
    page.locator(".js-plotly-plot", has=page.locator(".maplibregl-canvas")).first.screenshot(path=str(artifacts / f"peta_tampak_{name}.png"))
    assert box["x0"] >= 4 and box["y0"] >= 4, box
    assert box["x1"] <= box["width"] - 4 and box["y1"] <= box["height"] - 4, box
    assert box["legend"] is not None and box["legend"] >= box["left"] + box["x1"], box  # the legend starts right of every area
