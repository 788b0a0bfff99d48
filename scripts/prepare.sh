#!/usr/bin/env bash
# Prepare the demo warehouse ($PMKS_DB, default data/demo.duckdb) for run.sh, on every start: apply new migrations,
# fill in missing desa boundaries (download, else the copy shipped in data/, so maps work without internet) and,
# when the warehouse is new, write the synthetic demo history. Needs the virtualenv's python on PATH (setup.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PMKS_DB="${PMKS_DB:-$PWD/data/demo.duckdb}"
new=0
[ -f "$PMKS_DB" ] || new=1
python -m etl init >/dev/null  # creates the warehouse, or applies new migrations to it (idempotent)
python -m etl boundaries --if-missing || echo "Peringatan: batas wilayah belum lengkap; peta belum tersedia untuk sebagian wilayah."
if [ "$new" = 1 ]; then
  python -m etl demo --seed 42 --months 24
fi
