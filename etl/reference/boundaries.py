"""Desa/kelurahan boundaries: read from a GIS file or the public cahyadsn/wilayah_boundaries source,
match to official codes, clean into a coverage, dissolve kecamatan, and simplify for maps."""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from common.errors import PMKSError
from common.geometry import SIMPLIFY_TOLERANCE, WIDE_TOLERANCE, simplify_for_map
from etl.resolve.match import normalize_name

# The public source of desa polygons (MIT licence), pinned to one commit.
SOURCE_REPO = "cahyadsn/wilayah_boundaries"
SOURCE_COMMIT = "3c5a7960f4d227a38489094d84252bdbb3f978a5"
DEFAULT_SOURCE = f"https://raw.githubusercontent.com/{SOURCE_REPO}/{SOURCE_COMMIT}"
# SHA-256 of the files at SOURCE_COMMIT that have been checked.
KNOWN_SHA256 = {
    "wilayah_boundaries_kel_35.23.sql": "e3807a0df27d1e3e8026303178deff32b2749d34aea492ccc5a3e92cd2f9b7f0",
}
EQUAL_AREA_CRS = "EPSG:6933"
GRID = 1e-7
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024


@dataclass
class MatchResult:
    """Features matched to official desa codes, and what could not be matched."""

    matched: gpd.GeoDataFrame
    unmatched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    method: str = ""


# --- reading -------------------------------------------------------------------------------------

_ROW = re.compile(r"\('(?P<kode>[0-9.]+)','(?P<nama>(?:[^'\\]|\\.|'')*)',(?P<lat>[-0-9.eE]+|NULL),(?P<lng>[-0-9.eE]+|NULL),'(?P<path>\[[^']*\])'\)")


def source_file_name(kabupaten: str) -> str:
    return f"wilayah_boundaries_kel_{kabupaten}.sql"


def read_boundaries_sql(text: str) -> gpd.GeoDataFrame:
    """Parse the cahyadsn/wilayah_boundaries SQL dump: points are [lat, lng]; inner rings become holes."""
    rows = []
    for m in _ROW.finditer(text):
        rings = _rings(json.loads(m["path"]))
        rows.append({"kode": m["kode"], "nama": m["nama"].replace("''", "'"), "geometry": _polygon_from_rings(rings)})
    if not rows:
        raise PMKSError("Berkas batas wilayah tidak berisi baris INSERT wilayah_boundaries yang dapat dibaca.")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _rings(path) -> list[np.ndarray]:
    """Every ring of a depth-3 (polygon) or depth-4 (multipolygon) path, as lon/lat arrays."""
    depth, probe = 0, path
    while isinstance(probe, list):
        depth, probe = depth + 1, probe[0] if probe else None
    polygons = [path] if depth == 3 else path
    return [np.asarray(ring, dtype=float)[:, ::-1] for poly in polygons for ring in poly if len(ring) >= 4]


def _polygon_from_rings(rings: list[np.ndarray]) -> shapely.Geometry:
    """Build polygons with even-odd nesting: a ring inside another ring is a hole (an enclave)."""
    polys = sorted((shapely.make_valid(shapely.Polygon(r)) for r in rings), key=lambda p: -p.area)
    result = shapely.Polygon()
    for p in polys:
        result = shapely.symmetric_difference(result, p) if result.intersects(p) else shapely.union(result, p)
    return shapely.make_valid(result)


# GIS files the boundary import reads (a .zip must hold a Shapefile).
GIS_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "Shapefile", ".zip": "Shapefile .zip"}
ACCEPTED_GIS = "GeoJSON (.geojson/.json), GeoPackage (.gpkg), Shapefile (.shp beserta .shx dan .dbf) atau Shapefile dalam .zip"


def read_boundaries_file(path: str | Path) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage, Shapefile or zipped Shapefile into EPSG:4326."""
    path = Path(path)
    if not path.exists():
        raise PMKSError(f"Berkas {path} tidak ditemukan.")
    if path.suffix.lower() not in GIS_SUFFIXES:
        raise PMKSError(f"Berkas {path.name} bukan berkas batas wilayah yang dikenali. Gunakan {ACCEPTED_GIS}.")
    target = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        gdf = gpd.read_file(target)
    except Exception:  # pyogrio raises several types (with English messages) for unreadable files
        raise PMKSError(f"Berkas {path.name} tidak dapat dibaca sebagai {GIS_SUFFIXES[path.suffix.lower()]}; "
                        f"berkas rusak atau isinya bukan data GIS. Gunakan {ACCEPTED_GIS}.") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise PMKSError(f"Berkas {path.name} tidak berisi geometri (poligon desa). Gunakan {ACCEPTED_GIS}.")
    if gdf.empty:
        raise PMKSError(f"Berkas {path.name} tidak berisi satu pun fitur.")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    return gdf.to_crs("EPSG:4326")


def fetch_source(kabupaten: str, source: str | None = None, expected_sha256: str | None = None) -> tuple[str, str]:
    """Get the desa boundary SQL of a kabupaten from a URL or a local folder; returns (text, sha256).

    Without `source`: $PMKS_BOUNDARY_SOURCE (e.g. an office mirror), else the public repository. The file's SHA-256
    is checked against the pinned value when one is known.
    """
    name = source_file_name(kabupaten)
    prov = kabupaten.split(".")[0]
    source = source or os.environ.get("PMKS_BOUNDARY_SOURCE") or DEFAULT_SOURCE
    if re.match(r"^https?://", source):
        base = source.rstrip("/")
        candidates = [base] if base.endswith(".sql") else [f"{base}/db/kel/{prov}/{name}", f"{base}/{name}"]
        data = None
        for url in candidates:
            try:
                with urllib.request.urlopen(url, timeout=60) as resp:
                    data = resp.read(MAX_DOWNLOAD_BYTES + 1)
                break
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    continue
                raise PMKSError(f"Unduhan {url} gagal: HTTP {exc.code}.") from exc
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise PMKSError(f"Sumber {url} tidak dapat dihubungi ({exc}). Periksa internet atau pakai --source FOLDER.") from exc
        if data is None:
            raise PMKSError(f"Berkas {name} tidak ada di sumber {source}.")
    else:
        folder = Path(source)
        found = [p for p in (folder / name, folder / "db" / "kel" / prov / name, folder) if p.is_file()]
        if not found:
            raise PMKSError(f"Berkas {name} tidak ditemukan di {folder}.")
        data = found[0].read_bytes()
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise PMKSError(f"Berkas {name} lebih besar dari {MAX_DOWNLOAD_BYTES // 2**20} MB; dibatalkan.")
    digest = hashlib.sha256(data).hexdigest()
    expected = expected_sha256 or KNOWN_SHA256.get(name)
    if expected and digest != expected:
        raise PMKSError(f"Checksum SHA-256 berkas {name} tidak cocok (diharapkan {expected[:12]}…, didapat {digest[:12]}…).")
    return data.decode("utf-8", errors="replace"), digest


# --- matching ------------------------------------------------------------------------------------


def _as_dotted(value) -> str | None:
    digits = re.sub(r"\D", "", str(value))
    if len(digits) != 10:
        return None
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:10]}"


def match_boundaries(gdf: gpd.GeoDataFrame, desa: pd.DataFrame) -> MatchResult:
    """Give every feature an official desa code: by a code field if one fits, else by name within kecamatan.

    `desa` has columns kode, nama, kode_induk and nama_kecamatan.
    """
    official = set(desa["kode"])
    best_col, best_hits = None, 0
    for col in gdf.columns.drop("geometry"):
        codes = gdf[col].map(_as_dotted)
        hits = codes.isin(official).sum()
        if hits > best_hits:
            best_col, best_hits = col, hits
    if best_col is not None and best_hits >= 0.5 * len(gdf):
        codes = gdf[best_col].map(_as_dotted)
        ok = codes.isin(official)
        matched = gpd.GeoDataFrame({"kode": codes[ok].to_numpy()}, geometry=gdf.geometry[ok].to_numpy(), crs=gdf.crs)
        unmatched = [str(v) for v in gdf.loc[~ok, best_col]]
        method = f"kode (kolom {best_col})"
    else:
        matched, unmatched, method = _match_by_name(gdf, desa)
    matched = matched.dissolve("kode", as_index=False) if matched["kode"].duplicated().any() else matched
    missing = sorted(official - set(matched["kode"]))
    return MatchResult(matched=matched, unmatched=unmatched, missing=missing, method=method)


def _match_by_name(gdf: gpd.GeoDataFrame, desa: pd.DataFrame) -> tuple[gpd.GeoDataFrame, list[str], str]:
    desa_names = set(desa["nama"].map(normalize_name))
    kec_names = set(desa["nama_kecamatan"].map(normalize_name))
    text_cols = [c for c in gdf.columns if c != "geometry" and (pd.api.types.is_string_dtype(gdf[c]) or gdf[c].dtype == object)]

    def share(col: str, names: set[str]) -> float:
        return gdf[col].astype(str).map(normalize_name).isin(names).mean()

    if not text_cols:
        raise PMKSError("Berkas batas wilayah tidak punya kolom kode desa maupun nama desa.")
    name_col = max(text_cols, key=lambda c: share(c, desa_names))
    if share(name_col, desa_names) < 0.5:
        raise PMKSError("Tidak ada kolom berisi kode desa (mis. 35.23.01.2001) atau nama desa yang cocok dengan daftar Kemendagri.")
    kec_cols = [c for c in text_cols if c != name_col]
    kec_col = max(kec_cols, key=lambda c: share(c, kec_names)) if kec_cols else None
    if kec_col is not None and share(kec_col, kec_names) < 0.5:
        kec_col = None
    lookup: dict[tuple[str, str], str] = {}
    by_name: dict[str, list[str]] = {}
    for row in desa.itertuples():
        lookup[(normalize_name(row.nama_kecamatan), normalize_name(row.nama))] = row.kode
        by_name.setdefault(normalize_name(row.nama), []).append(row.kode)
    codes, unmatched = [], []
    for _, feat in gdf.iterrows():
        nama = normalize_name(str(feat[name_col]))
        code = None
        if kec_col is not None:
            code = lookup.get((normalize_name(str(feat[kec_col])), nama))
        elif len(by_name.get(nama, [])) == 1:
            code = by_name[nama][0]
        codes.append(code)
        if code is None:
            label = f"{feat[name_col]}" + (f" (Kec. {feat[kec_col]})" if kec_col else "")
            unmatched.append(label)
    codes_s = pd.Series(codes, index=gdf.index)
    ok = codes_s.notna()
    matched = gpd.GeoDataFrame({"kode": codes_s[ok].to_numpy()}, geometry=gdf.geometry[ok].to_numpy(), crs=gdf.crs)
    method = f"nama (kolom {name_col}" + (f" dalam kecamatan kolom {kec_col})" if kec_col else ")")
    return matched, unmatched, method


# --- preparing -----------------------------------------------------------------------------------


def clean_coverage(geoms: np.ndarray) -> np.ndarray:
    """Make valid polygons and remove overlaps between neighbours (earlier feature keeps the overlap).

    Removing the overlaps first lets the coverage simplification keep shared borders shared.
    """
    geoms = shapely.make_valid(shapely.set_precision(np.asarray(geoms), GRID))
    geoms = np.array([_polygonal(g) for g in geoms])
    tree = shapely.STRtree(geoms)
    clean = list(geoms)
    for i, geom in enumerate(geoms):
        earlier = [j for j in tree.query(geom, predicate="intersects") if j < i]
        if earlier:
            taken = shapely.union_all([clean[j] for j in earlier], grid_size=GRID)
            diff = shapely.difference(clean[i], taken, grid_size=GRID)
            clean[i] = _polygonal(diff) if not diff.is_empty else clean[i]
    return np.array(clean)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _fill_gaps(geom: shapely.Geometry, max_hole_deg2: float = 5e-6) -> shapely.Geometry:
    """Drop holes smaller than about 6 ha: slivers between desa polygons, not real enclaves."""
    polys = []
    for part in shapely.get_parts(geom):
        holes = [r for r in part.interiors if shapely.Polygon(r).area >= max_hole_deg2]
        polys.append(shapely.Polygon(part.exterior, holes))
    return shapely.union_all(polys) if len(polys) > 1 else polys[0]


def prepare_boundaries(matched: gpd.GeoDataFrame, desa: pd.DataFrame, source: str) -> pd.DataFrame:
    """Rows for `batas_wilayah`: desa as given (valid), kecamatan dissolved from them, both simplified."""
    frame = matched.merge(desa[["kode", "kode_induk"]], on="kode").sort_values("kode", ignore_index=True)
    geoms = clean_coverage(frame.geometry.to_numpy())
    frame = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geoms, crs="EPSG:4326")
    groups = frame.groupby("kode_induk").geometry
    kec = gpd.GeoDataFrame(
        {"kode": list(groups.groups)},
        geometry=[_fill_gaps(_polygonal(shapely.union_all(g.to_numpy(), grid_size=GRID))) for _, g in groups],
        crs="EPSG:4326",
    )
    now = datetime.now()
    parts = []
    for tingkat, layer in (("desa", frame), ("kecamatan", kec)):
        areas = layer.to_crs(EQUAL_AREA_CRS).area / 1e6
        parts.append(
            pd.DataFrame({
                "kode": layer["kode"].to_numpy(),
                "tingkat": tingkat,
                "geom_wkb": shapely.to_wkb(layer.geometry.to_numpy()),
                "geom_peta": simplify_for_map(layer.geometry.to_numpy(), SIMPLIFY_TOLERANCE[tingkat]),
                "geom_peta_ringkas": simplify_for_map(layer.geometry.to_numpy(), WIDE_TOLERANCE[tingkat]),
                "luas_km2": areas.to_numpy(),
                "jumlah_titik": shapely.get_num_coordinates(layer.geometry.to_numpy()),
                "sumber": source,
                "diimpor": now,
            })
        )
    return pd.concat(parts, ignore_index=True)


def load_boundaries(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> None:
    """Replace the boundaries of the given codes."""
    con.register("_batas_in", rows)
    con.execute("delete from batas_wilayah where kode in (select kode from _batas_in)")
    con.execute("""
        insert into batas_wilayah (kode, tingkat, geom_wkb, geom_peta, luas_km2, jumlah_titik, sumber, diimpor, geom_peta_ringkas)
        select kode, tingkat, geom_wkb, geom_peta, luas_km2, jumlah_titik, sumber, diimpor, geom_peta_ringkas from _batas_in
    """)
    con.unregister("_batas_in")



# --- the import, shared by `python -m etl boundaries` and the admin page ---------------------------


def official_desa(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The warehouse's desa (kode, nama, kode_induk, nama_kecamatan) that boundary features are matched to."""
    return con.execute("""
        select d.kode, d.nama, d.kode_induk, k.nama as nama_kecamatan
        from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa' order by d.kode
    """).df()


def plan_import(gdf: gpd.GeoDataFrame, desa: pd.DataFrame, source: str) -> tuple[MatchResult, pd.DataFrame]:
    """Match features to official codes and prepare the rows to store; nothing is written. Raises PMKSError when
    no feature matches."""
    result = match_boundaries(gdf, desa)
    if result.matched.empty:
        raise PMKSError("Tidak satu pun fitur cocok dengan kode desa di basis data; tidak ada yang diimpor.")
    return result, prepare_boundaries(result.matched, desa, source)


def save_import(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, user: str, source: str) -> None:
    """Store prepared boundary rows and audit the import (inside the caller's transaction)."""
    from store.schema import audit

    load_boundaries(con, rows)
    audit(con, user, "batas_wilayah", source, json.dumps({
        "desa": int((rows["tingkat"] == "desa").sum()), "kecamatan": int((rows["tingkat"] == "kecamatan").sum())}))
