#!/usr/bin/env bash
# Train only when an input changed: config, domain, data, knowledge/ (less replies) or the code the model runs.
# A model trained from the same inputs is reused from the cache folder (it must also work without it).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3

if ! .venv/bin/python -m bot kb check >/tmp/zgfw-kb-check.$$ 2>&1; then
  cat /tmp/zgfw-kb-check.$$; rm -f /tmp/zgfw-kb-check.$$; exit 1
fi
rm -f /tmp/zgfw-kb-check.$$
.venv/bin/python -m bot kb build --out build >/dev/null

# knowledge/replies.yml is wording the actions read at run time, knowledge/canned.yml the console's
# canned responses and knowledge/assignment.yml (capacity, offers, escalation) the web server's rules:
# none is a training input, so staff can change them without a retrain.
# The code inputs are bot/nlu (the pipeline's components) and every module of ours it imports (`bot kb code`).
inputs=$( { ls config.yml domain.yml;
            find data knowledge build/data build/jieba -type f -not -path knowledge/replies.yml \
                 -not -path knowledge/canned.yml -not -path knowledge/assignment.yml;
            .venv/bin/python -m bot kb code; } | LC_ALL=C sort)
# Packages count by their pinned versions (the lock's hashes and comments do not change a model).
digest=$( { cat $inputs; grep -oE '^[A-Za-z0-9_.-]+==[^ ;\\]+' requirements.lock; } | sha256sum | cut -c1-16)
model=models/current.tar.gz
if [ -f "$model" ] && [ "$(cat models/.inputs 2>/dev/null)" = "$digest" ]; then
  echo "Model is up to date ($model)."
  exit 0
fi

cache="${ZGFW_CACHE:-$HOME/.cache/zgfw}/models"
mkdir -p models "$cache"
if [ -f "$cache/$digest.tar.gz" ]; then
  cp "$cache/$digest.tar.gz" "$model"
  echo "Model restored from cache ($digest)."
else
  echo "Training the model (a few minutes)..."
  start=$(date +%s)
  .venv/bin/rasa train --data data build/data --config config.yml --domain domain.yml \
    --out models --fixed-model-name current --force
  echo "Trained in $(( $(date +%s) - start )) s."
  cp "$model" "$cache/$digest.tar.gz"
fi
echo "$digest" > models/.inputs
