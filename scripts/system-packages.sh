#!/usr/bin/env bash
# Install the Debian packages the app and its tests need, only those missing.
# `system-packages.sh stack` also installs what `make stack` runs beside them (nginx, Redis,
# openssl for the certificate): `make test` never needs those.
# Uses sudo when not root. Safe to run again: it does nothing when all are present.
set -euo pipefail

PACKAGES=(
  python3 python3-venv python3-dev build-essential
  fonts-noto-cjk fonts-babelstone-han libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
  poppler-utils qpdf chromium postgresql
)
case "${1:-}" in
  "") ;;
  stack) PACKAGES+=(nginx redis-server openssl) ;;
  *) echo "usage: $0 [stack]" >&2; exit 2 ;;
esac

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "Missing system packages (${missing[*]}) and no apt-get to install them." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
