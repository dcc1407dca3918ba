#!/usr/bin/env bash
# Create Benchmarks/.venv-nnmt (git-ignored) with pyenv's Python 3.11 (or system python3) and
# NNMT 1.3.0 (Neuronal Network Meanfield Toolbox, INM-6) from PyPI.
# Idempotent: does nothing if the venv already imports nnmt at the requested version.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-nnmt"
python="${PYTHON:-$HOME/.pyenv/versions/3.11.7/bin/python3}"
[[ -x "$python" ]] || python="$(command -v python3 || true)"
version="${NNMT_VERSION:-1.3.0}"

if [[ -x "$venv/bin/python" ]] &&
   "$venv/bin/python" -c "import nnmt, sys; sys.exit(0 if nnmt.__version__ == '$version' else 1)" 2>/dev/null; then
    echo "nnmt $version already installed in $venv"
    exit 0
fi

[[ -n "$python" && -x "$python" ]] || { echo "error: no Python 3 found (set PYTHON=...)" >&2; exit 1; }
[[ -d "$venv" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
# nnmt's own requirements (numpy, scipy, pint, mpmath, h5py, ...) come with it from PyPI.
"$venv/bin/python" -m pip install --quiet "nnmt==$version"
echo "installed nnmt $("$venv/bin/python" -c 'import nnmt; print(nnmt.__version__)') in $venv"
