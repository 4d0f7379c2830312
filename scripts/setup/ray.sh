#!/usr/bin/env bash
# Ray's own Python venv for the Ray cluster tests (scripts/components/ray.sh starts a head
# and a second node from it). Apart from the peers' venv: Ray is large (~1 GB installed) and
# adding it there would change the peers' hash for everyone. Built once per requirements
# hash in a cache outside the repo, then linked as .venv-ray. Never touches the system Python.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${MLOPS_CACHE:-$HOME/.cache/mlops-workbench}
req="$root/scripts/setup/ray-requirements.txt"
hash=$(sha256sum "$req" | cut -c1-12)
venv="$cache/ray-$hash"
py=${MLOPS_PYTHON:-python3}
if ! command -v "$py" >/dev/null; then echo "ray: no $py on PATH; skipping (the Ray tests will skip)"; exit 0; fi
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  echo "ray: creating $venv (a few minutes the first time)"
  rm -rf "$venv"; mkdir -p "$cache"
  start=$(date +%s)
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -r "$req"
  touch "$venv/.complete"
  echo "ray: venv built in $(( $(date +%s) - start )) s"
fi
ln -sfn "$venv" "$root/.venv-ray"
echo "ray: $("$venv/bin/python" -c 'import ray;print("ray",ray.__version__)')"
