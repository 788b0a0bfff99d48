#!/usr/bin/env bash
# Install everything and open the app on the demo database (built on first run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export PMKS_DB="${PMKS_DB:-$PWD/data/demo.duckdb}"
if [ ! -f "$PMKS_DB" ]; then
  python -m etl init
  if [ -d ../shared/reference/raw ]; then
    python -m etl boundaries --download --source ../shared/reference/raw || true
  else
    python -m etl boundaries --download || echo "Peringatan: batas wilayah tidak dapat diunduh; peta belum tersedia."
  fi
  python -m etl demo --seed 42 --months 24
else
  python -m etl init >/dev/null  # apply new migrations to an existing database (idempotent)
fi
exec streamlit run server.py --server.port "${PORT:-8501}" "$@"
