#!/usr/bin/env bash
# Make .venv from the lock file and install the web page's npm packages; skip what is already there.
# The virtualenv lives in a cache folder named by the lock file's hash, so a second clone reuses it.
set -euo pipefail
cd "$(dirname "$0")/.."

lock_hash=$(sha256sum requirements.lock | cut -c1-16)
cache="${ZGFW_CACHE:-$HOME/.cache/zgfw}"
venv="$cache/venv-$lock_hash"

if [ ! -f "$venv/.installed" ]; then
  python=$(scripts/python310.sh)
  echo "Installing Python packages into $venv (a few minutes the first time)..."
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip==24.0
  if ! "$venv/bin/pip" install --quiet -r requirements.lock; then
    echo "pip could not install requirements.lock: see the error above (is the package registry reachable?)" >&2
    exit 1
  fi
  touch "$venv/.installed"
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
