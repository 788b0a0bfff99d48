"""The desa boundaries the repository ships for the default kabupaten, so that maps work without internet: made
once from the pinned public source (scripts/ship_boundaries.py), read when the download is not possible, and used
to fill in only the areas that have no boundary yet (an office's own import stays). See data/README.md."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from common.config import DATA_DIR
from common.errors import PMKSError
from etl.reference.boundaries import (
    SOURCE_COMMIT,
    SOURCE_REPO,
    MatchResult,
    clean_coverage,
    fetch_source,
    official_desa,
    plan_import,
    read_boundaries_sql,
    source_file_name,
)

# A copy of the source's desa polygons shipped in data/ (made once by scripts/ship_boundaries.py), so that maps work
# on a machine without internet: coverage-simplified at SHIPPED_TOLERANCE (about 55 m, the detail of a one-kecamatan
# map) on a SHIPPED_GRID (about 1 m), gzipped GeoJSON with the properties kode and nama.
SHIPPED_TOLERANCE = 0.0005
SHIPPED_GRID = 1e-5


def shipped_file(kabupaten: str) -> Path:
    """Where the repository keeps the simplified desa boundaries of a kabupaten (only some are shipped)."""
    return DATA_DIR / f"batas_desa_{kabupaten}.geojson.gz"


def shipped_source(kabupaten: str) -> str:
    """How a shipped copy is named in `batas_wilayah.sumber` and the audit."""
    return f"{SOURCE_REPO}@{SOURCE_COMMIT[:10]} {source_file_name(kabupaten)} (salinan disederhanakan {shipped_file(kabupaten).name})"


def read_shipped(kabupaten: str) -> gpd.GeoDataFrame:
    """The shipped desa polygons of a kabupaten (EPSG:4326, columns kode, nama); PMKSError when none is shipped."""
    path = shipped_file(kabupaten)
    if not path.is_file():
        raise PMKSError(f"Batas desa bawaan untuk wilayah {kabupaten} tidak dibawa aplikasi; unduh atau impor berkas GIS.")
    collection = json.loads(gzip.decompress(path.read_bytes()))
    features = collection["features"]
    return gpd.GeoDataFrame({"kode": [f["properties"]["kode"] for f in features], "nama": [f["properties"]["nama"] for f in features]},
                            geometry=shapely.from_geojson([json.dumps(f["geometry"]) for f in features]), crs="EPSG:4326")


def write_shipped(gdf: gpd.GeoDataFrame, path: Path) -> bytes:
    """The shipped copy of desa polygons (kode, nama, geometry): overlaps removed, coverage-simplified, gzipped
    GeoJSON written to `path` deterministically (same input, same bytes); returns the bytes."""
    frame = gdf.sort_values("kode", ignore_index=True)
    geoms = shapely.set_precision(clean_coverage(frame.geometry.to_numpy()), SHIPPED_GRID)
    simple = shapely.coverage_simplify(geoms, SHIPPED_TOLERANCE)
    simple = np.where(shapely.is_empty(simple) | ~shapely.is_valid(simple), geoms, simple)
    features = [{"type": "Feature", "properties": {"kode": k, "nama": n}, "geometry": json.loads(shapely.to_geojson(g, indent=None))}
                for k, n, g in zip(frame["kode"], frame["nama"], simple)]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    path.write_bytes(data)
    return data


def existing_codes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Codes (desa and kecamatan) that already have boundaries."""
    return {r[0] for r in con.execute("select kode from batas_wilayah").fetchall()}


def only_missing(rows: pd.DataFrame, existing: set[str]) -> pd.DataFrame:
    """The prepared rows of areas without boundaries yet: what an office imported stays as it is."""
    return rows[~rows["kode"].isin(existing)].reset_index(drop=True)


def obtain(kabupaten: list[str], source: str | None = None, sha256: str | None = None,
           fallback: bool = False) -> tuple[gpd.GeoDataFrame, str, str | None]:
    """Desa polygons of the given kabupaten from the pinned public source (checked by SHA-256); with `fallback`, the
    shipped copies when the download is not possible. Returns (polygons, source label, why the shipped copy was used
    or None). Raises PMKSError when neither works."""
    frames, sources = [], []
    try:
        for kab in kabupaten:
            text, digest = fetch_source(kab, source, sha256)
            frames.append(read_boundaries_sql(text))
            sources.append(f"{SOURCE_REPO}@{SOURCE_COMMIT[:10]} {source_file_name(kab)} sha256 {digest[:12]}")
    except PMKSError:
        if not fallback or not all(shipped_file(k).is_file() for k in kabupaten):
            raise
        gdf, label = read_shipped_all(kabupaten)
        names = ", ".join(f"data/{shipped_file(k).name}" for k in kabupaten)
        return gdf, label, f"Sumber batas wilayah tidak dapat diunduh; dipakai batas bawaan aplikasi ({names})."
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326"), "; ".join(sources), None


def read_shipped_all(kabupaten: list[str]) -> tuple[gpd.GeoDataFrame, str]:
    """The shipped desa polygons of every given kabupaten and their source label; PMKSError when one is not shipped."""
    frames = [read_shipped(k) for k in kabupaten]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326"), "; ".join(shipped_source(k) for k in kabupaten)


def plan_shipped(con: duckdb.DuckDBPyConnection) -> tuple[MatchResult, pd.DataFrame, str] | None:
    """What installing the shipped boundaries would add to this warehouse: the areas without boundaries only (what an
    office imported stays). None when nothing is missing or no copy is shipped for the warehouse's kabupaten."""
    root = con.execute("select nilai from pengaturan where kunci = 'kode_wilayah'").fetchone()
    kabupaten = [r[0] for r in con.execute("select kode from wilayah where tingkat = 'kabupaten' and starts_with(kode, ?)",
                                           [root[0] if root else ""]).fetchall()]
    desa, existing = official_desa(con), existing_codes(con)
    if not kabupaten or set(desa["kode"]) <= existing or not all(shipped_file(k).is_file() for k in kabupaten):
        return None
    gdf, source = read_shipped_all(kabupaten)
    result, rows = plan_import(gdf, desa, source)
    return result, only_missing(rows, existing), source
