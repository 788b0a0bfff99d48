#!/usr/bin/env bash
# Install everything (Debian chromium and poppler-utils included) and run every test, the real-browser ones too.
set -euo pipefail
if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core poppler-utils >/dev/null
fi
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
python -m ruff check .  # lint first: a finding fails the run in seconds
exec python -m pytest -n 2 "$@"
