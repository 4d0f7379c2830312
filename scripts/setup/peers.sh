#!/usr/bin/env bash
# The peers' Python venv (mlflow, dvc, dvclive, tensorboard, scikit-learn), owned by the
# tests. Built once per requirements hash in a cache outside the repo, then linked as
# .venv-peers. Never touches the system Python.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${MLOPS_CACHE:-$HOME/.cache/mlops-workbench}
req="$root/scripts/setup/peers-requirements.txt"
hash=$(sha256sum "$req" | cut -c1-12)
venv="$cache/peers-$hash"
py=${MLOPS_PYTHON:-python3}
if ! command -v "$py" >/dev/null; then echo "peers: no $py on PATH; skipping (integration tiers that need mlflow/dvc will skip)"; exit 0; fi
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  echo "peers: creating $venv (a few minutes the first time)"
  rm -rf "$venv"; mkdir -p "$cache"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -r "$req"
  touch "$venv/.complete"
fi
ln -sfn "$venv" "$root/.venv-peers"
echo "peers: $("$venv/bin/python" -c 'import mlflow,dvc.version,tensorboard,sklearn;print("mlflow",mlflow.__version__,"dvc",dvc.version.__version__,"tensorboard",tensorboard.__version__,"sklearn",sklearn.__version__)')"
