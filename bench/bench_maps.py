"""Benchmark: figure size and build time of the maps.

- Tuban desa map (real boundaries from ../shared/reference/raw, imported as a user would, demo data);
- Tuban kecamatan map;
- a Jawa Timur kecamatan map (about 670 kecamatan). Real province-wide kecamatan boundaries are not at hand,
  so shapes are synthetic: Voronoi cells over Jawa Timur's extent, their borders made wiggly with a
  deterministic perturbation (neighbours stay exact neighbours), calibrated on Tuban's real kecamatan: about
  440 vertices per kecamatan before and 2,3 KB of GeoJSON after simplification at 0,002°. They are prepared by
  the same code as real boundaries; a map spanning several kabupaten uses the coarser copy (0,008°).

Figure size is the JSON Streamlit sends (plotly.io.to_json); build time covers classification and figure
construction, median of --repeat runs. Goals (issue 5): Tuban desa <= 200 KB, province kecamatan <= 1 MB.
Usage: python bench/bench_maps.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import plotly.io as pio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_foundation import REPO  # noqa: E402
from common.geometry import WIDE_TOLERANCE, simplify_for_map  # noqa: E402
from dashboard import maps  # noqa: E402
from dashboard import queries as q  # noqa: E402
from etl.reference.boundaries import clean_coverage  # noqa: E402

JATIM_BOUNDS = (111.0, -8.8, 114.6, -6.8)  # lon/lat extent of Jawa Timur's mainland


def tuban_db(tmp: Path) -> Path:
    db = tmp / "tuban.duckdb"
    env = {**os.environ, "PMKS_DB": str(db)}
    for args in (["init"], ["boundaries", "--download", "--source", str(REPO.parent / "shared" / "reference" / "raw")],
                 ["demo", "--seed", "7", "--months", "12", "--until", "2026-10"]):
        subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, env=env, check=True, capture_output=True)
    return db


def synthetic_kecamatan(n: int = 670, vertices: int = 440, seed: int = 1) -> pd.DataFrame:
    """Prepared map geometry (kode, geom_peta) of n synthetic kecamatan over Jawa Timur."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = JATIM_BOUNDS
    points = shapely.points(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n))
    box = shapely.box(x0, y0, x1, y1)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=box))
    cells = shapely.intersection(cells, box)
    perimeter = float(np.mean(shapely.length(cells)))
    cells = shapely.segmentize(cells, perimeter / vertices)

    def wiggle(coords: np.ndarray) -> np.ndarray:  # a function of the point itself: shared borders move together
        dx = 0.003 * np.sin(coords[:, 1] * 600.0) * np.cos(coords[:, 0] * 480.0)
        dy = 0.003 * np.cos(coords[:, 0] * 540.0) * np.sin(coords[:, 1] * 420.0)
        on_box = (np.isclose(coords[:, 0], x0) | np.isclose(coords[:, 0], x1) | np.isclose(coords[:, 1], y0) | np.isclose(coords[:, 1], y1))
        return coords + np.where(on_box[:, None], 0.0, np.column_stack([dx, dy]))

    cells = shapely.make_valid(shapely.transform(cells, wiggle))
    cells = clean_coverage(cells)
    codes = [f"35.{i // 30 + 1:02d}.{i % 30 + 1:02d}" for i in range(len(cells))]
    return pd.DataFrame({"kode": codes, "geom_peta": simplify_for_map(cells, WIDE_TOLERANCE["kecamatan"]),
                         "titik_asli": shapely.get_num_coordinates(cells)})


def measure(build, repeat: int) -> tuple[float, int]:
    times, fig = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        fig = build()
        text = pio.to_json(fig, validate=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, len(text.encode())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = tuban_db(Path(tmp))
        con = duckdb.connect(str(db), read_only=True)
        periode = date(2026, 10, 1)
        for level in ("desa", "kecamatan"):
            data = q.map_values(con, periode, periode, q.Selection(), level)
            geometry = q.map_geometry(con, level, "")

            def choropleth(data=data, geometry=geometry, level=level):
                classes = maps.classify(data["per_1000"], "natural", 5, 1)
                return maps.choropleth(data, geometry, "per_1000", classes, "t", "per 1.000 penduduk", level, 1)

            def circles(data=data, geometry=geometry, level=level):
                return maps.circles(data, geometry, "jumlah", "t", "jiwa", level)

            for name, build in (("koroplet", choropleth), ("lingkaran", circles)):
                ms, size = measure(build, args.repeat)
                rows.append((f"Tuban {level} ({len(geometry)}), {name}", ms, size))
        con.close()
    baseline_ms, _ = measure(lambda: maps.go.Figure(), args.repeat)
    geometry = synthetic_kecamatan()
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"kode": geometry["kode"], "nama": [f"Kecamatan {i}" for i in range(len(geometry))], "kecamatan": None,
                         "laporan": 15, "desa": 16, "jumlah": rng.integers(100, 3000, len(geometry)).astype(float)})
    data["per_1000"] = data["jumlah"] / 40.0
    for name, build in (
        ("koroplet", lambda: maps.choropleth(data, geometry, "per_1000", maps.classify(data["per_1000"], "quantile", 5, 1), "t", "per 1.000", "kecamatan", 1)),
        ("lingkaran", lambda: maps.circles(data, geometry, "jumlah", "t", "jiwa", "kecamatan")),
    ):
        ms, size = measure(build, args.repeat)
        rows.append((f"Jawa Timur kecamatan ({len(geometry)}, sintetis), {name}", ms, size))
    print(f"Figure JSON size and build time (classes + figure + to_json), median of {args.repeat} runs; "
          f"synthetic Jawa Timur shapes: {int(geometry['titik_asli'].median())} vertices per kecamatan before simplification")
    print(f"{'map':<50}{'build ms':>10}{'x empty fig':>13}{'KB':>9}")
    for name, ms, size in rows:
        print(f"{name:<50}{ms:>10.1f}{ms / baseline_ms:>13.0f}{size / 1024:>9.1f}".replace(".", ","))
    print(f"(baseline: an empty figure built and serialised, {baseline_ms:.2f} ms)".replace(".", ","))


if __name__ == "__main__":
    main()
