#!/usr/bin/env bash
# Create Benchmarks/.venv-brian2 (git-ignored) with pyenv's Python 3.13 and Brian2 2.11.x.
# Idempotent: does nothing if the venv already has a Brian2 2.11.x installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-brian2"
python="${PYTHON:-$HOME/.pyenv/versions/3.13.0/bin/python3}"
spec="${BRIAN2_SPEC:-brian2==2.11.*}"

if [[ -x "$venv/bin/python" ]] &&
   "$venv/bin/python" -c 'import brian2, sys; sys.exit(0 if brian2.__version__.startswith("2.11") else 1)' 2>/dev/null; then
    echo "brian2 $("$venv/bin/python" -c 'import brian2; print(brian2.__version__)') already installed in $venv"
    exit 0
fi

[[ -x "$python" ]] || { echo "error: $python not found (set PYTHON=...)" >&2; exit 1; }
[[ -d "$venv" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$spec"
echo "installed brian2 $("$venv/bin/python" -c 'import brian2; print(brian2.__version__)') in $venv"
