#!/usr/bin/env bash
# MLServer's own Python venv for the MLServer serving test (test/integration/models/
# mlserver.test.ts finds it as .venv-mlserver). Apart from the peers' venv: mlserver-mlflow
# pins its own mlflow, and adding it there would change the peers' hash for everyone. Built
# once per requirements hash in a cache outside the repo, then linked. Never touches the
# system Python.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${MLOPS_CACHE:-$HOME/.cache/mlops-workbench}
req="$root/scripts/setup/mlserver-requirements.txt"
hash=$(sha256sum "$req" | cut -c1-12)
venv="$cache/mlserver-$hash"
py=${MLOPS_PYTHON:-python3}
if ! command -v "$py" >/dev/null; then echo "mlserver: no $py on PATH; skipping (the MLServer test will skip)"; exit 0; fi
if [ ! -x "$venv/bin/mlserver" ] || [ ! -f "$venv/.complete" ]; then
  echo "mlserver: creating $venv (a few minutes the first time)"
  rm -rf "$venv"; mkdir -p "$cache"
  start=$(date +%s)
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -r "$req"
  touch "$venv/.complete"
  echo "mlserver: venv built in $(( $(date +%s) - start )) s"
fi
ln -sfn "$venv" "$root/.venv-mlserver"
echo "mlserver: $("$venv/bin/mlserver" --version 2>&1 | tail -1), mlflow $("$venv/bin/python" -c 'import mlflow;print(mlflow.__version__)')"
