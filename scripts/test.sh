#!/usr/bin/env bash
# Install everything (Debian chromium, poppler-utils, postgresql and nginx included) and run every test, the
# real-browser ones and the several-servers ones too (a throwaway PostgreSQL cluster and nginx, started by the tests).
set -euo pipefail
missing_nginx() { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; }
missing_postgresql() { ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null || missing_postgresql || missing_nginx; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # Debian's postgresql and nginx packages may start their services; the tests start their own (own ports, own
  # folders) and need neither running.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core poppler-utils postgresql nginx >/dev/null
fi
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
python -m ruff check .  # lint first: a finding fails the run in seconds
python -m mypy  # types of the application packages (pyproject.toml): any error fails the run
exec python -m pytest -n 2 "$@"
