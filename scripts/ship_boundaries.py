"""Make the simplified desa boundaries the repository ships in data/ (run once by a developer, not by the app).

    .venv/bin/python scripts/ship_boundaries.py [--kabupaten 35.23] [--source URL_OR_FOLDER]

Reads the pinned public source (cahyadsn/wilayah_boundaries at etl.reference.boundaries.SOURCE_COMMIT, MIT licence; the file's
SHA-256 must match etl.reference.boundaries.KNOWN_SHA256), removes overlaps between neighbours, simplifies the coverage (shared
edges stay shared) and writes data/batas_desa_<kabupaten>.geojson.gz. The same input gives the same bytes. The app
and `python -m etl boundaries --shipped / --if-missing` load it when the download is not possible; data/README.md
says where it comes from.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common.config import DEFAULT_KABUPATEN  # noqa: E402
from etl.reference import boundaries as bnd  # noqa: E402
from etl.reference import shipped_boundaries as shipped_copy  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kabupaten", default=DEFAULT_KABUPATEN)
    parser.add_argument("--source", help="a folder or URL holding the source file (default: the public repository)")
    parser.add_argument("--out", type=Path, help="where to write (default: data/batas_desa_<kabupaten>.geojson.gz)")
    args = parser.parse_args(argv)
    text, digest = bnd.fetch_source(args.kabupaten, args.source)
    if bnd.KNOWN_SHA256.get(bnd.source_file_name(args.kabupaten)) != digest:
        raise SystemExit(f"{bnd.source_file_name(args.kabupaten)}: no pinned SHA-256 for this file; pin it first")
    gdf = bnd.read_boundaries_sql(text)
    target = args.out or shipped_copy.shipped_file(args.kabupaten)
    data = shipped_copy.write_shipped(gdf, target)
    sys.stdout.write(f"{target.name}: {len(gdf)} desa, {len(data) / 1024:.0f} KB, sha256 {hashlib.sha256(data).hexdigest()}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
