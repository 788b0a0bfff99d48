"""Map geometry as the dashboard draws it: simplified once when boundaries are stored (`etl.reference.boundaries`) and
again, finer, when a page zooms into one kecamatan (`dashboard.queries.areas`)."""

from __future__ import annotations

import numpy as np
import shapely

# Map geometry is drawn at kabupaten zoom (about 100 m per pixel): desa simplified at 0.004° (about 440 m),
# kecamatan at 0.002°, coordinates on a 0.0001° grid (about 11 m). This keeps the Tuban desa map under
# 200 KB of figure JSON (issue 5) while shared borders stay shared (coverage simplification).
SIMPLIFY_TOLERANCE = {"desa": 0.004, "kecamatan": 0.002}
# Maps spanning several kabupaten (a province is about 450 m per pixel) use a coarser copy: the Jawa Timur
# kecamatan map then stays under 1 MB (bench/bench_maps.py).
WIDE_TOLERANCE = {"desa": 0.01, "kecamatan": 0.008}
MAP_PRECISION = 1e-4


def simplify_for_map(geoms: np.ndarray, tolerance: float = SIMPLIFY_TOLERANCE["desa"]) -> list[str]:
    """Coverage-preserving simplification (shared edges stay shared), coordinates rounded; GeoJSON strings."""
    # Snap to the map grid first: neighbours share identical vertices, so they snap identically, and the
    # simplification only drops vertices, so its output stays on the grid with shared edges still shared.
    snapped = shapely.set_precision(np.asarray(geoms), MAP_PRECISION)
    simple = shapely.coverage_simplify(snapped, tolerance)
    simple = np.where(shapely.is_empty(simple) | ~shapely.is_valid(simple), snapped, simple)
    return [shapely.to_geojson(g) for g in simple]
