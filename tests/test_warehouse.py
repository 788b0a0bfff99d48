"""The warehouse and the `etl` command line: init, boundaries, population, demo, status, bad input."""

from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import threading

import duckdb
import geopandas as gpd
import pytest
import shapely

from store import open_store
from store.schema import available_migrations, migrate
from tests.conftest import check, reference, run_etl, sample_codes, table_fingerprint
from tests.geography import synthetic_desa, write_source_sql

TUBAN_AREA_KM2 = 1972.5


def fingerprint_without_time(db) -> dict:
    fp = table_fingerprint(db)
    return {t: v for t, v in fp.items() if t not in ("_migrations", "audit", "_versi")}


def reference_codes() -> dict[str, set[str]]:
    rows = list(csv.DictReader(reference("tuban_wilayah.csv").open(encoding="utf-8")))
    return {
        "kecamatan": {r["kode_kemendagri"] for r in rows if r["level"] == "kecamatan"},
        "desa": {r["kode_kemendagri"] for r in rows if r["level"] == "desa_kelurahan"},
    }


@pytest.mark.reference
def test_init_loads_tuban_geography_equal_to_reference(tmp_path):
    db = tmp_path / "w.duckdb"
    out = check(run_etl("init", db=db)).stdout
    assert "Kabupaten Tuban" in out and "Kecamatan: 20" in out
    con = duckdb.connect(str(db), read_only=True)
    kec = {r[0] for r in con.execute("select kode from wilayah where tingkat = 'kecamatan'").fetchall()}
    desa = dict(con.execute("select kode, jenis from wilayah where tingkat = 'desa'").fetchall())
    ref = reference_codes()
    assert kec == ref["kecamatan"]
    assert set(desa) == ref["desa"]
    assert sum(j == "kelurahan" for j in desa.values()) == 17
    assert sum(j == "desa" for j in desa.values()) == 311
    names = dict(con.execute("select kode, nama from wilayah").fetchall())
    for r in csv.DictReader(reference("tuban_wilayah.csv").open(encoding="utf-8")):
        assert names[r["kode_kemendagri"]] == (r["nama_desa_kel"] or r["nama_kecamatan"])


def test_init_loads_tuban_geography_indicators_and_census(tmp_path):
    db = tmp_path / "w.duckdb"
    out = check(run_etl("init", db=db)).stdout
    assert "Kabupaten Tuban" in out and "Kecamatan: 20" in out and "desa/kelurahan: 328" in out
    con = duckdb.connect(str(db), read_only=True)
    desa = dict(con.execute("select kode, jenis from wilayah where tingkat = 'desa'").fetchall())
    assert sum(j == "kelurahan" for j in desa.values()) == 17
    assert sum(j == "desa" for j in desa.values()) == 311
    rows = con.execute("select d.kode, d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa'").fetchall()
    found = {(kec, nama): kode for kode, nama, kec in rows}
    assert {key: found.get(key) for key in sample_codes()} == sample_codes()
    assert con.execute("select count(*), count(*) filter (aktif) from indikator").fetchone() == (26, 26)
    assert con.execute("select kode from indikator where singkatan = 'ODHA'").fetchone() == ("ODHA",)
    pop = con.execute("select jumlah from penduduk where kode_wilayah = '35.23.15' and tahun = 2020").fetchone()
    assert pop == (114136,)


def test_init_twice_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    before = fingerprint_without_time(db)
    out = check(run_etl("init", db=db)).stdout
    assert "tidak ada (sudah terbaru)" in out
    assert fingerprint_without_time(db) == before


def test_init_other_kabupaten_bojonegoro(tmp_path):
    db = tmp_path / "w.duckdb"
    out = check(run_etl("init", "--kabupaten", "3522", db=db)).stdout
    assert "Kabupaten Bojonegoro" in out
    con = duckdb.connect(str(db), read_only=True)
    counts = dict(con.execute("select tingkat, count(*) from wilayah group by 1").fetchall())
    assert counts["kecamatan"] == 28 and counts["desa"] == 430
    assert con.execute("select count(*) from wilayah where tingkat = 'desa' and not starts_with(kode, '35.22.')").fetchone() == (0,)


def test_init_refuses_second_kabupaten_in_same_file(tmp_path):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    r = run_etl("init", "--kabupaten", "35.22", db=db)
    assert r.returncode == 1 and "sudah untuk wilayah 35.23" in r.stderr


@pytest.mark.parametrize("code, message", [("99.99", "tidak ditemukan"), ("tuban", "tidak sah"), ("35.23.01", "tidak sah")])
def test_init_wrong_kabupaten_code(tmp_path, code, message):
    db = tmp_path / "w.duckdb"
    r = run_etl("init", "--kabupaten", code, db=db)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not db.exists()


def test_newer_migration_applies_on_old_database_without_losing_data(demo_db):
    before = fingerprint_without_time(demo_db)
    store = open_store(demo_db)
    extra = ("9999_add_catatan", "alter table laporan add column catatan varchar;")
    applied = migrate(store, available_migrations() + [extra])
    assert applied == ["9999_add_catatan"]
    assert migrate(store, available_migrations() + [extra]) == []
    with store.read() as con:
        assert con.execute("select count(*) from laporan where catatan is null").fetchone()[0] == before["laporan"][0]
        assert con.execute("select count(*) from laporan_nilai").fetchone()[0] == before["laporan_nilai"][0]


def test_failed_migration_rolls_back(tmp_path):
    store = open_store(tmp_path / "m.duckdb")
    migrate(store)
    with pytest.raises(duckdb.Error):
        migrate(store, available_migrations() + [("9998_broken", "create table x (a int); select * from no_such_table;")])
    with store.read() as con:
        assert "9998_broken" not in [r[0] for r in con.execute("select name from _migrations").fetchall()]
        assert con.execute("select count(*) from information_schema.tables where table_name = 'x'").fetchone() == (0,)


def _assert_boundaries(db, layer: gpd.GeoDataFrame, area_km2: float):
    """The warehouse holds every desa of `layer` (fields kode_desa, kode_kec), valid, with its area, and the dissolved kecamatan."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("select kode, tingkat, geom_wkb, geom_peta, luas_km2 from batas_wilayah").fetchall()
    con.close()
    assert {r[0] for r in rows if r[1] == "desa"} == set(layer["kode_desa"])
    assert {r[0] for r in rows if r[1] == "kecamatan"} == set(layer["kode_kec"])
    geoms = shapely.from_wkb([bytes(r[2]) for r in rows])
    assert shapely.is_valid(geoms).all()
    simple = shapely.from_geojson([r[3] for r in rows])
    assert shapely.is_valid(simple).all() and not shapely.is_empty(simple).any()
    kab = sum(r[4] for r in rows if r[1] == "kecamatan")
    assert abs(kab - area_km2) / area_km2 < 0.005
    assert abs(sum(r[4] for r in rows if r[1] == "desa") - kab) / kab < 0.001
    # Each desa polygon keeps its shape: compared with the source layer by area.
    refg = layer.set_index("kode_desa").to_crs("EPSG:6933")
    mine = {r[0]: r[4] for r in rows if r[1] == "desa"}
    worst = max(abs(mine[k] - refg.at[k, "geometry"].area / 1e6) / mine[k] for k in mine)
    assert worst < 0.05
    # Simplified neighbours barely overlap: under 0,05 % of the kabupaten (the real source itself overlaps 0,55 km²;
    # spread along the desa borders, 1 km² is a strip under 2 m wide, invisible at map zoom).
    s = gpd.GeoSeries([g for g, r in zip(simple, rows) if r[1] == "desa"], crs="EPSG:4326").to_crs("EPSG:6933")
    left, right = s.sindex.query(s, predicate="intersects")
    overlap = sum(s.iloc[i].intersection(s.iloc[j]).area for i, j in zip(left, right) if i < j) / 1e6
    assert overlap < 0.0005 * area_km2


def _assert_tuban_boundaries(db):
    """The real desa of Tuban, as in ../shared/reference."""
    layer = gpd.read_file(reference("tuban_desa.geojson"))
    ref = reference_codes()
    assert set(layer["kode_desa"]) == ref["desa"] and set(layer["kode_kec"]) == ref["kecamatan"]
    _assert_boundaries(db, layer, TUBAN_AREA_KM2)


def _synthetic_area(layer: gpd.GeoDataFrame) -> float:
    return layer.to_crs("EPSG:6933").area.sum() / 1e6


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture()
def http_source():
    """The reference raw folder served over HTTP on loopback, as the public source would be."""
    server = _serve(reference("raw"))
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def synthetic_layer() -> gpd.GeoDataFrame:
    return synthetic_desa()


@pytest.fixture()
def synthetic_source(tmp_path, synthetic_layer):
    """The synthetic desa in the public source's SQL format, in a folder and served over HTTP: (folder, url, sha256)."""
    folder = tmp_path / "sumber"
    folder.mkdir()
    path = write_source_sql(folder, synthetic_layer)
    server = _serve(folder)
    yield folder, f"http://127.0.0.1:{server.server_address[1]}", hashlib.sha256(path.read_bytes()).hexdigest()
    server.shutdown()


@pytest.mark.reference
def test_boundaries_download_over_http(tmp_path, http_source):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    out = check(run_etl("boundaries", "--download", "--source", http_source, db=db)).stdout
    assert "20 kecamatan, 328 desa/kelurahan" in out
    _assert_tuban_boundaries(db)


@pytest.mark.reference
def test_boundaries_download_from_folder(tmp_path):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    check(run_etl("boundaries", "--download", "--source", str(reference("raw")), db=db))
    _assert_tuban_boundaries(db)


@pytest.mark.reference
def test_boundaries_from_the_real_geojson_file(tmp_path):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    out = check(run_etl("boundaries", str(reference("tuban_desa.geojson")), db=db)).stdout
    assert "kode (kolom kode_desa)" in out
    _assert_tuban_boundaries(db)


def test_boundaries_download_in_the_public_source_format(tmp_path, synthetic_source, synthetic_layer):
    """`--download` reads the source's SQL dump ([lat, lng] points) from a folder or over HTTP, checked by SHA-256."""
    folder, url, digest = synthetic_source
    for source in (str(folder), url):
        db = tmp_path / f"w{len(source)}.duckdb"
        check(run_etl("init", db=db))
        out = check(run_etl("boundaries", "--download", "--source", source, "--sha256", digest, db=db)).stdout
        assert "20 kecamatan, 328 desa/kelurahan" in out
        _assert_boundaries(db, synthetic_layer, _synthetic_area(synthetic_layer))


def test_boundaries_from_geojson_file(tmp_path, synthetic_boundaries, synthetic_layer):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    out = check(run_etl("boundaries", str(synthetic_boundaries), db=db)).stdout
    assert "kode (kolom kode_desa)" in out and "20 kecamatan, 328 desa/kelurahan" in out
    _assert_boundaries(db, synthetic_layer, _synthetic_area(synthetic_layer))


@pytest.mark.parametrize("fmt_name", ["gpkg", "zip"])
def test_boundaries_matched_by_name_from_gpkg_and_zipped_shapefile(tmp_path, fmt_name, synthetic_layer):
    """Without a code field, features are matched by desa name within kecamatan (18 names repeat)."""
    gdf = synthetic_layer[["nama_desa", "nama_kecamatan", "geometry"]].copy()
    gdf.loc[0, "nama_desa"] = "Desa Tidak Ada"
    if fmt_name == "gpkg":
        src = tmp_path / "desa.gpkg"
        gdf.to_file(src, driver="GPKG")
    else:
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        gdf.to_file(shp_dir / "desa.shp")
        import zipfile

        src = tmp_path / "desa.zip"
        with zipfile.ZipFile(src, "w") as z:
            for f in shp_dir.iterdir():
                z.write(f, f.name)
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    out = check(run_etl("boundaries", str(src), db=db)).stdout
    assert "327 desa/kelurahan" in out
    assert "Fitur tidak cocok (1): Desa Tidak Ada (Kec. Kenduruan)" in out
    assert "Desa tanpa batas (1): 35.23.01.2001" in out
    con = duckdb.connect(str(db), read_only=True)
    # Sumurgung exists in three kecamatan: each polygon went to its own code.
    n = con.execute("select count(*) from batas_wilayah b join wilayah w using (kode) where w.nama = 'Sumurgung'").fetchone()[0]
    assert n == 3


def test_boundaries_bad_inputs(tmp_path, synthetic_source):
    http_source = synthetic_source[1]
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    before = fingerprint_without_time(db)
    cases = [
        (("boundaries", str(tmp_path / "nope.geojson")), 1, "tidak ditemukan"),
        (("boundaries",), 2, "BERKAS, --download, --shipped atau --if-missing"),
        (("boundaries", "--shipped", "--source", str(tmp_path)), 2, "--source hanya dipakai bersama"),
        (("boundaries", "--download", "--source", str(tmp_path)), 1, "tidak ditemukan"),
        (("boundaries", "--download", "--source", http_source, "--sha256", "0" * 64), 1, "Checksum SHA-256"),
        (("boundaries", "--download", "--source", "http://127.0.0.1:9"), 1, "tidak dapat dihubungi"),
    ]
    junk = tmp_path / "junk.geojson"
    junk.write_text("{ not json")
    cases.append((("boundaries", str(junk)), 1, "tidak dapat dibaca"))
    for args, code, message in cases:
        r = run_etl(*args, db=db)
        assert r.returncode == code, (args, r.stderr)
        assert message in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr
    assert fingerprint_without_time(db) == before


def test_boundaries_of_another_kabupaten_match_nothing(tmp_path, synthetic_boundaries):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", "--kabupaten", "35.22", db=db))
    r = run_etl("boundaries", str(synthetic_boundaries), db=db)
    assert r.returncode == 1 and "cocok" in r.stderr


def test_commands_before_init_and_usage_errors(tmp_path):
    db = tmp_path / "none.duckdb"
    for args in (("status",), ("demo",), ("population",)):
        r = run_etl(*args, db=db)
        assert r.returncode == 1 and "python -m etl init" in r.stderr and "Traceback" not in r.stderr
    for args in (("nonsense",), ("demo", "--months", "nol"), ("demo", "--until", "Oktober"), ()):
        r = run_etl(*args, db=db)
        assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run_etl("init", db=tmp_path / "no_dir" / "x.duckdb")
    assert r.returncode == 1 and "tidak ada" in r.stderr
    r = run_etl("--help")
    assert r.returncode == 0
    for command in ("init", "demo", "boundaries", "population", "status"):
        assert command in r.stdout
    assert "penggunaan:" in r.stdout


def test_not_a_database_file(tmp_path):
    db = tmp_path / "x.duckdb"
    db.write_bytes(b"this is not duckdb" * 100)
    r = run_etl("status", db=db)
    assert r.returncode in (1, 2) and "Traceback" not in r.stderr and r.stderr.startswith("Gagal:")


def test_locked_database_gives_clear_message(demo_db):
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(demo_db)!r}); print('ok', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        r = run_etl("demo", db=demo_db, env={"PMKS_LOCK_WAIT": "1"})
        assert r.returncode == 2
        assert "sedang dipakai proses lain" in r.stderr and "Traceback" not in r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_disk_full_is_reported_without_traceback(monkeypatch, tmp_path, capsys):
    """A write that fails for lack of space rolls back and says so."""
    from etl.cli import main as cli
    from etl.cli import warehouse as cli_warehouse

    check(run_etl("init", db=tmp_path / "w.duckdb"))

    class Full(duckdb.IOException):
        pass

    def failing_load(con, frame, only_known):
        raise Full("IO Error: Could not write file: No space left on device")

    monkeypatch.setattr(cli_warehouse, "load_population", failing_load)
    monkeypatch.setenv("PMKS_DB", str(tmp_path / "w.duckdb"))
    code = cli.main(["population"])
    err = capsys.readouterr().err
    assert code == 2 and "Disk penuh" in err


def test_population_file_import_and_errors(tmp_path):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    good = tmp_path / "pop.csv"
    good.write_text("kode_wilayah;tahun;jumlah;sumber\n35.23.01.2001;2024;3120;Profil Desa Jlodro 2024\n", encoding="utf-8")
    check(run_etl("population", str(good), db=db))
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select jumlah, sumber from penduduk where kode_wilayah = '35.23.01.2001'").fetchone() == (3120, "Profil Desa Jlodro 2024")
    con.close()
    before = fingerprint_without_time(db)
    bad_num = tmp_path / "bad.csv"
    bad_num.write_text("kode_wilayah,tahun,jumlah\n35.23.01.2001,2024,3120\n35.23.01.2002,2024,banyak\n", encoding="utf-8")
    r = run_etl("population", str(bad_num), db=db)
    assert r.returncode == 1 and "baris 3, kolom jumlah" in r.stderr
    unknown = tmp_path / "unk.csv"
    unknown.write_text("kode_wilayah,tahun,jumlah\n99.99.99.9999,2024,10\n", encoding="utf-8")
    r = run_etl("population", str(unknown), db=db)
    assert r.returncode == 1 and "99.99.99.9999" in r.stderr
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("kode,jiwa\n35.23.01,5\n", encoding="utf-8")
    r = run_etl("population", str(nocol), db=db)
    assert r.returncode == 1 and "kolom" in r.stderr
    assert fingerprint_without_time(db) == before


def test_indicators_configuration(tmp_path):
    db = tmp_path / "w.duckdb"
    check(run_etl("init", db=db))
    out = check(run_etl("indicators", "--deactivate", "KAT,KM,KBS,TS", db=db)).stdout
    assert "Dipantau: 22 dari 26" in out
    r = run_etl("indicators", "--activate", "XYZ", db=db)
    assert r.returncode == 1 and "XYZ" in r.stderr
    check(run_etl("init", db=db))  # re-init keeps the office's choice
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from indikator where aktif").fetchone() == (22,)


def test_demo_is_synthetic_skewed_and_deterministic(built_db, tmp_path):
    con = duckdb.connect(str(built_db), read_only=True)
    assert con.execute("select bool_and(sintetis), count(*) from laporan").fetchone()[0] is True
    assert con.execute("select bool_and(sintetis and perkiraan), count(*) from penduduk_desa where aktif").fetchone() == (True, 328)
    assert con.execute("select count(*) from penduduk where perkiraan").fetchone() == (0,)
    periods = con.execute("select min(periode), max(periode), count(distinct periode) from laporan").fetchone()
    assert str(periods[0]) == "2024-11-01" and str(periods[1]) == "2026-10-01" and periods[2] == 24
    totals = dict(con.execute("select kode_indikator, sum(jumlah) from laporan_nilai group by 1").fetchall())
    assert totals["FM"] > 5 * totals["PD"] > 0 and totals["KTR"] < totals["LUT"] / 100
    per_month = [r[0] for r in con.execute("select count(*) from laporan group by periode order by periode").fetchall()]
    assert all(n < 328 for n in per_month) and min(per_month) > 200  # some villages missing every month
    late = con.execute("select count(*) filter (diterima > make_date(year(periode + interval 1 month), month(periode + interval 1 month), 10)) from laporan").fetchone()[0]
    assert late > 0
    counts = con.execute("select count(*) from pmks_counts").fetchone()[0]
    assert counts == con.execute("select count(*) from laporan_nilai").fetchone()[0]
    cols = [r[0] for r in con.execute("describe pmks_counts").fetchall()]
    assert cols == ["periode", "kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa", "jenis_wilayah", "kode_indikator",
                    "nama_indikator", "laki_laki", "perempuan", "jumlah", "sintetis"]
    con.close()
    other = tmp_path / "again.duckdb"
    check(run_etl("init", db=other))
    check(run_etl("demo", "--seed", "7", "--months", "24", "--until", "2026-10", db=other))
    a = fingerprint_without_time(built_db)
    b = fingerprint_without_time(other)
    for t in ("laporan_nilai", "penduduk"):
        assert a[t] == b[t]
    pop = "select kode_wilayah, acuan, jumlah, sha256 from penduduk_desa where aktif order by 1"
    assert duckdb.connect(str(built_db), read_only=True).execute(pop).fetchall() == duckdb.connect(str(other), read_only=True).execute(pop).fetchall()


def test_demo_refuses_to_mix_with_real_reports(demo_db):
    con = duckdb.connect(str(demo_db))
    con.execute("update laporan set sintetis = false where id = (select min(id) from laporan)")
    con.close()
    r = run_etl("demo", db=demo_db)
    assert r.returncode == 1 and "data asli" in r.stderr


def test_status_reports_contents(built_db):
    out = check(run_etl("status", db=built_db)).stdout
    assert "Kabupaten Tuban (35.23)" in out and "328 desa/kelurahan (17 kelurahan)" in out
    assert "SINTETIS" in out and "Oktober 2026" in out and "0001_initial" in out
