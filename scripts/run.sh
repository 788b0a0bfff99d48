#!/usr/bin/env bash
# Install everything and open the app on the demo database (built on first run; missing boundaries filled in on
# every run, from the copy shipped in data/ when there is no internet).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export PMKS_DB="${PMKS_DB:-$PWD/data/demo.duckdb}"
bash scripts/prepare.sh
exec streamlit run server.py --server.port "${PORT:-8501}" "$@"
