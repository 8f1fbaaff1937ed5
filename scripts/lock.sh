#!/usr/bin/env bash
# Pin every package of requirements.in (run time) and requirements-dev.in (tests, lint), with hashes, by
# pip-tools in a scratch virtualenv. A version already in a lock stays unless an .in file rules it out;
# arguments go to pip-compile, e.g. `scripts/lock.sh --upgrade-package sanic`.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$(scripts/python310.sh)" -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet pip==24.0 pip-tools==7.6.2
# --allow-unsafe pins setuptools too (Rasa requires it; --require-hashes refuses anything unpinned); no
# index or find-links lines, so the locks name no mirror of this machine.
compile=(env CUSTOM_COMPILE_COMMAND="make lock" "$scratch/venv/bin/pip-compile" --quiet --generate-hashes
         --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links "$@")
"${compile[@]}" --output-file requirements.lock requirements.in
# Second: requirements-dev.in is constrained by the runtime lock just written.
"${compile[@]}" --output-file requirements-dev.lock requirements-dev.in
for lock in requirements.lock requirements-dev.lock; do
  echo "$lock: $(grep -c '^[A-Za-z0-9]' "$lock") packages"
done
