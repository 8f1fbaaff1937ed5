#!/usr/bin/env bash
# Everything `make test` checks, in order of cost; pytest last so its summary closes the output.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3
start=$(date +%s)

echo "== ruff"
.venv/bin/ruff check bot actions tests migrations

echo "== rasa data validate"
.venv/bin/rasa data validate --fail-on-warnings --data data build/data --domain domain.yml --config config.yml

echo "== test stories"
.venv/bin/rasa test core --stories tests/stories --model models/current.tar.gz \
  --fail-on-prediction-errors --out build/results/core --no-plot >/dev/null
echo "test stories: all predicted as written"

echo "== pytest (checks above took $(( $(date +%s) - start )) s)"
exec .venv/bin/python -m pytest
