#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 does not install on 3.11), or explain and fail.
set -euo pipefail
for candidate in "${PYTHON310:-}" "$(command -v python3.10 2>/dev/null || true)" \
                 $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$candidate"; exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.10 interpreter found. Rasa 3.6 needs Python 3.10 (it does not install on 3.11).
Install one, for example `pyenv install 3.10` or `apt-get install python3.10 python3.10-venv`,
or point PYTHON310 at it: `make install PYTHON310=/path/to/python3.10`.
MSG
exit 1
