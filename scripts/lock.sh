#!/usr/bin/env bash
# Resolve requirements.in in a scratch virtualenv and write every pinned version to requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$(scripts/python310.sh)" -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet --upgrade pip==24.0
"$scratch/venv/bin/pip" install --quiet -r requirements.in
"$scratch/venv/bin/pip" freeze --exclude-editable > requirements.lock
echo "requirements.lock: $(wc -l < requirements.lock) packages"
