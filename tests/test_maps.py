"""The Peta page and the map builders: features, classes, legend, missing data, hover, drill-down, payload."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from common import fmt
from dashboard import maps
from tests.conftest import num, offered
from tests.test_pages import run_app


def figure(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def array(value) -> list:
    """A figure array as a list: plotly 7 sends numpy arrays as {'dtype', 'bdata' (base64)}."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def open_map(monkeypatch, db, query: dict | None = None):
    at = run_app(monkeypatch, db, "pages/peta.py", query=query)
    assert not at.exception
    return at


def expected_rates(db, periode: str, kecamatan: str | None) -> dict[str, float | None]:
    """Rate per 1.000 per desa (or kecamatan) computed here from the facts and the population table."""
    con = duckdb.connect(str(db), read_only=True)
    level = "desa" if kecamatan else "kecamatan"
    key = "kode_desa" if kecamatan else "kode_kecamatan"
    totals = dict(con.execute(f"select {key}, sum(jumlah) from pmks_counts where periode = ? group by 1", [periode]).fetchall())
    reported = {r[0] for r in con.execute(f"select {'kode_desa' if kecamatan else 'left(kode_desa, 8)'} from laporan where aktif and periode = ?", [periode]).fetchall()}
    pop = dict(con.execute("""select kode_wilayah, arg_max(jumlah, tahun) from penduduk p join wilayah w on w.kode = p.kode_wilayah
                              where w.tingkat = ? and tahun <= 2026 group by 1""", [level]).fetchall())
    if level == "desa":  # the demo's desa figures come through the population import (one reference date)
        pop = dict(con.execute("select kode_wilayah, jumlah from penduduk_desa where aktif").fetchall())
    codes = [r[0] for r in con.execute("select kode from wilayah where tingkat = ? and starts_with(kode, ?) order by kode", [level, kecamatan or ""]).fetchall()]
    con.close()
    return {c: (totals.get(c, 0) / pop[c] * 1000 if c in reported and c in pop else None) for c in codes}


def test_kecamatan_choropleth_classes_legend_and_hover(monkeypatch, built_db):
    at = open_map(monkeypatch, built_db, {"ukuran": "per1000", "periode": "2026-10"})
    spec = figure(at)
    trace = spec["data"][0]
    # the app's own style: a white background whose label glyphs the app serves itself
    assert trace["type"] == "choroplethmap" and spec["layout"]["map"]["style"] == "peta-gaya.json"
    rates = expected_rates(built_db, "2026-10-01", None)
    assert len(trace["geojson"]["features"]) == len(rates) == 20
    # the classes are the quantiles of the rates computed here, in Indonesian format
    values = [v for v in rates.values() if v is not None]
    bins = np.quantile(values, [0.2, 0.4, 0.6, 0.8, 1.0])
    labels = trace["colorbar"]["ticktext"]
    assert labels[0] == "tidak ada data"
    assert labels[1] == f"{fmt.angka(min(values), 1)} – {fmt.angka(bins[0], 1)}"
    assert labels[-1].endswith(fmt.angka(max(values), 1))
    # every area's class holds its own value; class colours come from the legend's scale
    codes = list(rates)
    assert len(array(trace["z"])) == 20
    for location, z in zip(array(trace["locations"]), array(trace["z"])):
        value = rates[codes[location]]
        expected = 0 if value is None else int(np.searchsorted(bins[:-1], value, side="left")) + 1
        assert z == expected, codes[location]
    assert trace["colorscale"][0][1] == maps.NO_DATA
    assert "Peringkat" in trace["hovertemplate"] and "Laporan diterima" in trace["hovertemplate"]
    names = {row[0] for row in trace["customdata"]}
    assert "Montong" in names and "Palang" in names
    labels_trace = spec["data"][-1]
    assert labels_trace["mode"] == "text" and "Montong" in labels_trace["text"]


def test_missing_data_is_grey(monkeypatch, demo_db):
    con = duckdb.connect(str(demo_db))
    con.execute("update laporan set aktif = false where periode = '2026-10-01' and starts_with(kode_desa, '35.23.18')")
    from etl.write.marts import refresh_all

    refresh_all(con)
    con.close()
    at = open_map(monkeypatch, demo_db, {"ukuran": "per1000", "periode": "2026-10"})
    trace = figure(at)["data"][0]
    con = duckdb.connect(str(demo_db), read_only=True)
    codes = [r[0] for r in con.execute("select kode from batas_wilayah where tingkat = 'kecamatan' order by kode").fetchall()]
    con.close()
    z = dict(zip((codes[i] for i in array(trace["locations"])), array(trace["z"])))
    assert z["35.23.18"] == 0 and all(v > 0 for k, v in z.items() if k != "35.23.18")
    row = next(r for r, loc in zip(trace["customdata"], array(trace["locations"])) if codes[loc] == "35.23.18")
    assert row[1] == "tidak ada data"


def test_drill_down_to_desa_and_back(monkeypatch, built_db):
    at = open_map(monkeypatch, built_db, {"ukuran": "per1000"})
    at.selectbox(key="f_kec").select("35.23.18").run()
    spec = figure(at)
    con = duckdb.connect(str(built_db), read_only=True)
    n = con.execute("select count(*) from wilayah where tingkat = 'desa' and starts_with(kode, '35.23.18')").fetchone()[0]
    con.close()
    assert len(spec["data"][0]["geojson"]["features"]) == n
    assert "Kec. %{customdata[4]}" in spec["data"][0]["hovertemplate"]
    assert at.query_params["kec"] == "35.23.18"
    at.button(key="peta_up").click().run()
    assert len(figure(at)["data"][0]["geojson"]["features"]) == 20


def test_counts_default_to_proportional_circles(monkeypatch, built_db):
    at = open_map(monkeypatch, built_db, {"periode": "2026-10"})
    spec = figure(at)
    assert [t["type"] for t in spec["data"][:2]] == ["choroplethmap", "scattermap"]
    con = duckdb.connect(str(built_db), read_only=True)
    totals = dict(con.execute("select kode_kecamatan, sum(jumlah) from pmks_counts where periode = '2026-10-01' group by 1").fetchall())
    codes = [r[0] for r in con.execute("select kode from batas_wilayah where tingkat = 'kecamatan' order by kode").fetchall()]
    con.close()
    sizes = dict(zip(codes, array(spec["data"][1]["marker"]["size"])))
    biggest = max(totals, key=totals.get)
    assert sizes[biggest] == max(sizes.values())
    small = min(totals, key=totals.get)
    assert sizes[small] == pytest.approx(max(4.0, 38 * (totals[small] / totals[biggest]) ** 0.5), abs=0.06)


def test_change_map_is_diverging_around_zero(monkeypatch, built_db):
    at = open_map(monkeypatch, built_db, {"periode": "2026-10"})
    at.radio(key="peta_mode").set_value("perubahan").run()
    trace = figure(at)["data"][0]
    labels = trace["colorbar"]["ticktext"]
    assert labels[0] == "tidak ada data" and len(labels) == 6
    middle = labels[3]
    low, high = middle.split(" – ")
    assert low == "-" + high  # the middle class is centred on zero
    assert "Oktober 2025 → Oktober 2026" in figure(at)["layout"]["title"]["text"]


def test_table_behind_the_map_downloads(monkeypatch, built_db):
    at = open_map(monkeypatch, built_db, {"ukuran": "per1000", "periode": "2026-10"})
    assert not at.dataframe and not offered(at)  # the table is drawn only when its expander opens
    at.session_state["peta_tabel"] = True
    at.run()
    table = at.dataframe[0].value
    rates = expected_rates(built_db, "2026-10-01", None)
    assert list(table.columns)[:4] == ["Kode", "Wilayah", "Kecamatan", "Nilai (per 1.000 penduduk)"]
    assert len(table) == 20 and table["Peringkat"].map(num).min() == 1
    assert {b.label for b in offered(at)} >= {"Unduh CSV", "Unduh XLSX"}
    top = table.iloc[0]  # sorted by rank
    assert num(top["Nilai (per 1.000 penduduk)"]) == pytest.approx(round(max(v for v in rates.values() if v is not None), 1))


def test_stable_classes_follow_twelve_months(monkeypatch, built_db):
    at = open_map(monkeypatch, built_db, {"ukuran": "per1000", "periode": "2026-10"})
    at.checkbox(key="peta_tetap").check().run()
    first = figure(at)["data"][0]["colorbar"]["ticktext"]
    at.selectbox(key="f_periode").select("2026-09").run()
    assert at.selectbox(key="f_periode").value == "2026-09"
    assert figure(at)["data"][0]["colorbar"]["ticktext"] == first
    at.checkbox(key="peta_tetap").uncheck().run()
    assert figure(at)["data"][0]["colorbar"]["ticktext"] != first  # September's own quantiles differ


@pytest.mark.parametrize("method", ["quantile", "equal", "natural"])
def test_classify_methods(method):
    values = pd.Series([0, 1, 1, 2, 3, 5, 8, 13, 21, 34, None])
    classes = maps.classify(values, method, 4)
    assert len(classes.bounds) == 4 and classes.bounds[-1] == 34
    assigned = classes.assign(values)
    assert assigned[-1] == 0 and set(assigned[:-1]) <= {1, 2, 3, 4}
    assert all(b >= a for a, b in zip(assigned[:-2], assigned[1:-1]))  # sorted input, non-decreasing classes
    if method == "equal":
        assert classes.bounds == [8.5, 17.0, 25.5, 34.0]


def test_classify_few_distinct_values_and_empty():
    classes = maps.classify([2, 2, 2], "quantile", 5)
    assert classes.bounds == [2.0] and classes.labels == ["2"]
    assert maps.classify([None, None], "quantile", 5).bounds == []


def _assert_desa_map_payload_under_200_kb(monkeypatch, db):
    at = open_map(monkeypatch, db, {"ukuran": "per1000"})
    at.radio(key="peta_tingkat").set_value("desa").run()
    spec = at.get("plotly_chart")[0].proto.spec
    assert len(json.loads(spec)["data"][0]["geojson"]["features"]) == 328
    assert len(spec.encode()) <= 200 * 1024
    at.radio(key="f_ukuran").set_value("jumlah").run()
    assert len(at.get("plotly_chart")[0].proto.spec.encode()) <= 200 * 1024


def test_tuban_desa_map_payload_under_200_kb(monkeypatch, built_db):
    _assert_desa_map_payload_under_200_kb(monkeypatch, built_db)


@pytest.mark.reference
def test_real_tuban_desa_map_payload_under_200_kb(monkeypatch, reference_db):
    """The real polygons (37.814 vertices) are simplified enough for the 200 KB budget."""
    _assert_desa_map_payload_under_200_kb(monkeypatch, reference_db)


def test_without_boundaries_the_page_says_how_to_get_them(monkeypatch, tmp_path):
    from tests.conftest import check, run_etl

    db = tmp_path / "tanpa_batas.duckdb"
    check(run_etl("init", db=db))
    check(run_etl("demo", "--months", "3", "--until", "2026-10", db=db))
    at = run_app(monkeypatch, db, "pages/peta.py")
    assert not at.exception
    assert any("Batas wilayah desa belum dipasang" in w.value for w in at.warning)


def test_ringkasan_shows_the_kecamatan_map(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, query={"ukuran": "per1000"})
    assert not at.exception
    assert "peta_ringkasan" not in [c.key for c in at.get("plotly_chart")]
    at.session_state["ringkasan_rinci"] = "Per wilayah"  # the map's tab is drawn only when opened
    at.run()
    maps_shown = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if json.loads(c.proto.spec)["data"][0]["type"] == "choroplethmap"]
    assert len(maps_shown) == 1 and len(maps_shown[0]["data"][0]["geojson"]["features"]) == 20


def test_maps_spanning_several_kabupaten_use_the_coarser_geometry(tmp_path):
    from dashboard.queries import map_geometry
    from store.schema import migrate_connection as migrate

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(con)
    rows = [("35.23.01", "rinci-a", "ringkas-a"), ("35.23.02", "rinci-b", None), ("35.22.01", "rinci-c", "ringkas-c")]
    for kode, detail, coarse in rows:
        con.execute("insert into batas_wilayah values (?, 'kecamatan', ''::blob, ?, 1.0, 1, 'uji', now(), ?)", [kode, detail, coarse])
    one_kabupaten = map_geometry(con, "kecamatan", "35.23")
    assert one_kabupaten["geom_peta"].tolist() == ["rinci-a", "rinci-b"]
    province = map_geometry(con, "kecamatan", "35")
    assert province.set_index("kode")["geom_peta"].to_dict() == {"35.22.01": "ringkas-c", "35.23.01": "ringkas-a", "35.23.02": "rinci-b"}
    con.close()
