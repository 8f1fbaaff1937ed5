#!/usr/bin/env bash
# Make .venv from requirements.lock and install the web page's npm packages; with --dev, also the test and
# lint tools of requirements-dev.lock. Skip what is already there.
# The virtualenv lives in a cache folder named by the hash of both locks, so a second clone reuses it.
set -euo pipefail
cd "$(dirname "$0")/.."

lock_hash=$(cat requirements.lock requirements-dev.lock | sha256sum | cut -c1-16)
cache="${ZGFW_CACHE:-$HOME/.cache/zgfw}"
venv="$cache/venv-$lock_hash"

# Every package comes pinned and with its hashes from the lock, so pip installs exactly what was locked.
pip_install() {
  if ! "$venv/bin/pip" install --quiet --require-hashes -r "$1"; then
    echo "pip could not install $1: see pip's error above (a package registry out of reach, or a download" \
         "whose hash differs from the lock)" >&2
    exit 1
  fi
}

if [ ! -f "$venv/.installed" ]; then
  python=$(scripts/python310.sh)
  echo "Installing Python packages into $venv (a few minutes the first time)..."
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip==24.0
  pip_install requirements.lock
  touch "$venv/.installed"
fi
if [ "${1:-}" = --dev ] && [ ! -f "$venv/.installed-dev" ]; then
  echo "Installing the test and lint tools into $venv..."
  pip_install requirements-dev.lock
  touch "$venv/.installed-dev"
fi
if [ "$(readlink .venv 2>/dev/null)" != "$venv" ]; then
  rm -rf .venv
  ln -s "$venv" .venv
fi

if ! command -v npm >/dev/null; then
  echo "npm is missing: install Node.js (apt-get install nodejs npm)." >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-copy; then
  echo "Installing npm packages for the web page..."
  npm ci --silent --no-audit --no-fund
  cp package-lock.json node_modules/.lock-copy
fi
