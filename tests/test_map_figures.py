"""Readable maps (issue 14, points 4, 6 and 12): every area inside the view, the legend beside the map, kecamatan
borders over desa, desa names, finer desa shapes for one kecamatan, circle-size legend, glyphs served by the app."""

from __future__ import annotations

import json
import math
from datetime import date

import duckdb
import numpy as np
import pytest
import shapely

from dashboard import glyphs, maps
from dashboard.views import Filters, Settings, peta
from tests.test_maps import array, figure, open_map

PALANG = "35.23.18"


@pytest.fixture(scope="module")
def con(built_db):
    c = duckdb.connect(str(built_db), read_only=True)
    yield c
    c.close()


def _pixels(lon, lat, centre: dict, zoom: float, width: float, height: float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator: where (lon, lat) falls on a map `width` x `height` pixels centred on `centre` at `zoom`."""
    world = 512 * 2 ** zoom

    def merc_y(la):
        return np.log(np.tan(np.pi / 4 + np.radians(la) / 2))

    x = width / 2 + (np.asarray(lon) - centre["lon"]) / 360 * world
    y = height / 2 - (merc_y(np.asarray(lat)) - merc_y(centre["lat"])) / (2 * np.pi) * world
    return x, y


def _build(con, kecamatan: str = "", level: str = "kecamatan", ukuran: str = "per1000", style: str = "otomatis"):
    f = Filters(date(2026, 10, 1), kecamatan=kecamatan, ukuran=ukuran)
    return peta.build(con, f, Settings(), peta.MapChoice(level=level, style=style))


@pytest.mark.parametrize("size", [(550, 480), (940, 580), (940, 520), (1460, 580), (358, 640), (320, 560)])  # and phones
@pytest.mark.parametrize("kecamatan, level", [("", "kecamatan"), ("", "desa"), (PALANG, "desa")])
def test_every_area_lies_inside_the_map_left_of_the_legend(con, size, kecamatan, level):
    from dashboard.queries import map_geometry

    geometry = map_geometry(con, level, kecamatan)
    data = peta.queries.map_values(con, date(2026, 10, 1), date(2026, 10, 1), peta.Selection(area=kecamatan), level, "sum")
    fig = maps.choropleth(data, geometry, "per_1000", maps.classify(data["per_1000"]), "uji", "per 1.000 penduduk", level, 1, size=size)
    layout = json.loads(fig.to_json())["layout"]
    width = size[0] * (layout["map"]["domain"]["x"][1] - layout["map"]["domain"]["x"][0])
    height = (size[1] - layout["margin"]["t"]) * (layout["map"]["domain"]["y"][1] - layout["map"]["domain"]["y"][0])  # a phone's legend below
    xy = shapely.get_coordinates(shapely.from_geojson(geometry["geom_peta"].to_numpy()))
    x, y = _pixels(xy[:, 0], xy[:, 1], layout["map"]["center"], layout["map"]["zoom"], width, height)
    margin = 8  # pixels of white kept around the areas
    assert x.min() >= margin and x.max() <= width - margin, (x.min(), x.max(), width)
    assert y.min() >= margin and y.max() <= height - margin, (y.min(), y.max(), height)
    # and the fit is tight: the areas fill the width or the height (not a small map in a big frame)
    assert max((x.max() - x.min()) / width, (y.max() - y.min()) / height) > 0.85


@pytest.mark.parametrize("ukuran", ["per1000", "jumlah"])
def test_the_legend_stands_right_of_the_map_not_over_it(con, ukuran):
    fig = json.loads(_build(con, ukuran=ukuran).figure.to_json())
    right = fig["layout"]["map"]["domain"]["x"][1]
    assert right < 0.9
    if ukuran == "per1000":
        colorbar = fig["data"][0]["colorbar"]
        assert colorbar["x"] >= right and colorbar.get("xanchor") == "left"
    else:
        shapes = fig["layout"]["shapes"]
        assert shapes and all(s["xanchor"] - abs(s["x0"]) / 940 >= right for s in shapes)
        assert all(a["x"] >= right for a in fig["layout"]["annotations"])


@pytest.mark.parametrize("kecamatan", ["", PALANG])
def test_desa_maps_draw_kecamatan_borders_without_fill(con, kecamatan):
    from dashboard.queries import map_geometry

    fig = json.loads(_build(con, kecamatan, "desa").figure.to_json())
    lines = [t for t in fig["data"] if t["type"] == "scattermap" and t.get("mode") == "lines"]
    assert len(lines) == 1 and lines[0].get("fill", "none") == "none"
    lon, lat = np.array(array(lines[0]["lon"])), np.array(array(lines[0]["lat"]))
    points = shapely.points(lon[~np.isnan(lon)], lat[~np.isnan(lat)])
    assert len(points) > 10
    # the lines follow kecamatan borders: on the edge of the desa of one kecamatan, never across a desa's inside
    geometry = map_geometry(con, "desa", kecamatan)
    desa = shapely.from_geojson(geometry["geom_peta"].to_numpy())
    kec = [shapely.union_all(desa[geometry["kode"].str[:8].to_numpy() == k]) for k in sorted(set(geometry["kode"].str[:8]))]
    edges = shapely.union_all(shapely.boundary(kec))
    assert float(shapely.distance(points, edges).max()) < 0.0025  # within the thinning tolerance of the borders
    kecamatan_maps = json.loads(_build(con).figure.to_json())
    assert not [t for t in kecamatan_maps["data"] if t.get("mode") == "lines"]  # a kecamatan map needs none


def test_one_kecamatan_map_names_every_desa(con):
    v = _build(con, PALANG, "desa")
    fig = json.loads(v.figure.to_json())
    names = set(con.execute("select nama from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [PALANG]).df()["nama"])
    labels = fig["data"][-1]
    assert labels["mode"] == "text" and set(labels["text"]) == names and len(names) >= 10
    whole = json.loads(_build(con, "", "desa").figure.to_json())  # 328 names would cover the map: none there
    assert not [t for t in whole["data"] if t.get("mode") == "text"]


def test_one_kecamatan_is_drawn_from_the_imported_polygons_with_finer_detail(tmp_path):
    """The desa of one kecamatan come from the imported polygon (geom_wkb), simplified less than the stored map copy."""
    from dashboard.queries import map_geometry
    from store.schema import migrate_connection as migrate

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(con)
    angles = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    wiggly = shapely.Polygon(np.c_[112 + 0.03 * np.cos(angles) * (1 + 0.02 * np.sin(40 * angles)), -6.9 + 0.03 * np.sin(angles)])
    coarse = shapely.to_geojson(shapely.simplify(wiggly, 0.004))
    con.execute("insert into batas_wilayah values (?, 'desa', ?, ?, 1.0, 400, 'uji', now(), ?)",
                [PALANG + ".2001", shapely.to_wkb(wiggly), coarse, coarse])
    one = map_geometry(con, "desa", PALANG)
    whole = map_geometry(con, "desa", "35.23")
    con.close()
    assert whole["geom_peta"].iloc[0] == coarse  # the kabupaten map keeps the light copy
    fine = shapely.from_geojson(one["geom_peta"].iloc[0])
    assert shapely.get_num_coordinates(fine) > 3 * shapely.get_num_coordinates(shapely.from_geojson(coarse))
    assert shapely.hausdorff_distance(fine, wiggly) < 0.001


def test_map_payloads_stay_small(con):
    for kecamatan in sorted(set(con.execute("select left(kode, 8) from batas_wilayah where tingkat = 'desa'").df().iloc[:, 0])):
        for ukuran in ("per1000", "jumlah"):
            assert len(_build(con, kecamatan, "desa", ukuran).figure.to_json().encode()) < 500 * 1024


@pytest.mark.reference
def test_real_kecamatan_maps_are_finer_and_small(reference_db):
    from dashboard.queries import map_geometry

    con = duckdb.connect(str(reference_db), read_only=True)
    try:
        for kecamatan in con.execute("select kode from batas_wilayah where tingkat = 'kecamatan'").df()["kode"]:
            stored = con.execute("select sum(jumlah_titik) from batas_wilayah where tingkat = 'desa' and starts_with(kode, ?)", [kecamatan]).fetchone()
            light = con.execute("select geom_peta from batas_wilayah where tingkat = 'desa' and starts_with(kode, ?)", [kecamatan]).df()
            fine = map_geometry(con, "desa", kecamatan)
            n_fine = int(shapely.get_num_coordinates(shapely.from_geojson(fine["geom_peta"].to_numpy())).sum())
            n_light = int(shapely.get_num_coordinates(shapely.from_geojson(light["geom_peta"].to_numpy())).sum())
            assert n_light < n_fine <= stored[0]
            assert len(_build(con, kecamatan, "desa").figure.to_json().encode()) < 500 * 1024
    finally:
        con.close()


def test_circle_legend_shows_three_round_reference_values(con):
    v = _build(con, ukuran="jumlah")
    fig = json.loads(v.figure.to_json())
    sizes = array(fig["data"][1]["marker"]["size"])
    top = max(v.export["Nilai (jiwa)"].dropna())
    references = maps.circle_references(float(top))
    assert len(references) == 3 and references[0] <= top and references == sorted(references, reverse=True)
    for value in references:  # round numbers: 1, 2, 2,5 or 5 times a power of ten
        assert value / 10 ** math.floor(math.log10(value)) in (1, 2, 2.5, 5)
    shapes = fig["layout"]["shapes"]
    assert [round(s["x1"] - s["x0"], 1) for s in shapes] == [maps.circle_size(r, top) for r in references]
    assert max(sizes) == pytest.approx(38)  # the largest area's circle, the scale of the legend
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    from common import fmt

    assert [fmt.angka(r) for r in references] == texts[1:-1]
    assert texts[-1].endswith(maps.NO_DATA_LABEL)  # grey areas are explained too
    assert "jiwa" in texts[0]


def test_peta_has_one_kecamatan_picker_and_no_classes_for_circles(monkeypatch, built_db):
    at = open_map(monkeypatch, built_db, {"periode": "2026-10"})  # counts: circles by default
    kecamatan_pickers = [s for s in at.selectbox if "kecamatan" in s.label.lower()]
    assert [s.key for s in kecamatan_pickers] == ["f_kec"]
    keys = {w.key for w in [*at.selectbox, *at.slider, *at.checkbox]}
    assert not keys & {"peta_metode", "peta_kelas", "peta_tetap"}
    assert figure(at)["layout"]["shapes"]  # the circle-size legend
    at.selectbox(key="peta_gaya").select("koroplet").run()
    keys = {w.key for w in [*at.selectbox, *at.slider, *at.checkbox]}
    assert {"peta_metode", "peta_kelas", "peta_tetap"} <= keys
    at.selectbox(key="f_kec").select(PALANG).run()  # the sidebar's kecamatan drives the map
    assert len(figure(at)["data"][0]["geojson"]["features"]) == 19
    main = at.main  # the page itself (the sidebar's own texts are not the Peta page's)
    assert not any("python -m" in str(getattr(e, "value", "")) for e in [*main.caption, *main.warning, *main.info, *main.markdown])


def _fields(buf: bytes):
    """Protobuf fields of a message: (number, value) with varints as ints and length-delimited as bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        if key & 7 == 0:
            value, i = _varint(buf, i)
        else:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        yield key >> 3, value


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        b = buf[i]
        i += 1
        out |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return out, i


def test_glyph_range_is_maplibre_sdf():
    stacks = [v for n, v in _fields(glyphs.pbf(0)) if n == 1]
    assert len(stacks) == 1
    stack = dict((n, v) for n, v in _fields(stacks[0]) if n != 3)
    assert stack[2] == b"0-255"
    found = {}
    for n, g in _fields(stacks[0]):
        if n == 3:
            fields = dict(_fields(g))
            found[fields[1]] = fields
    assert {ord(c) for c in "ABCabcxyz0123456789 -.,()"} <= set(found)
    a = found[ord("A")]
    assert len(a[2]) == (a[3] + 6) * (a[4] + 6) and 10 <= a[4] <= 20  # 24 px glyphs with a 3 px border
    bitmap = np.frombuffer(a[2], dtype=np.uint8)
    assert bitmap.max() > 200 and bitmap.min() < 100 and ((bitmap > 170) & (bitmap < 210)).any()  # inside, outside, the edge near 192
    assert found[ord(" ")][7] > 0 and 2 not in found[ord(" ")]  # a space advances with no bitmap
    assert found[ord("m")][7] > found[ord("i")][7]
    assert maps._style() == glyphs.STYLE_URL and glyphs.style()["glyphs"] == "glyphs/{fontstack}/{range}.pbf"


def test_server_serves_the_map_style_and_glyphs_without_a_session(app_server):
    import urllib.error
    import urllib.parse
    import urllib.request

    style = json.loads(urllib.request.urlopen(f"{app_server.url}/{glyphs.STYLE_URL}", timeout=30).read())
    assert style["version"] == 8 and style["layers"][0]["paint"]["background-color"] == "#ffffff"
    url = f"{app_server.url}/" + style["glyphs"].replace("{fontstack}", urllib.parse.quote("Open Sans Regular")).replace("{range}", "0-255")
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200 and response.read() == glyphs.pbf(0)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{app_server.url}/glyphs/x/1-300.pbf", timeout=30)
    assert refused.value.code == 404


def test_kecamatan_brief_map_names_every_desa_and_draws_its_border(con, monkeypatch):
    from dashboard import brief

    drawn = []
    monkeypatch.setattr(brief, "_png", lambda fig: drawn.append(fig) or b"png")
    data = brief.collect(con, PALANG, date(2026, 10, 1))
    assert brief.map_png(data, None) == b"png"
    ax = drawn[0].axes[0]
    names = set(con.execute("select nama from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [PALANG]).df()["nama"])
    assert {t.get_text() for t in ax.texts} == names
    assert any(max(line.get_linewidth()) >= 0.9 for line in ax.collections if hasattr(line, "get_linewidth"))  # the kecamatan border
