# Helpers shared by the setup scripts (sourced, not run).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${MLOPS_CACHE:-$HOME/.cache/mlops-workbench}

# cached_venv NAME REQUIREMENTS WHY_SKIP: a Python venv with REQUIREMENTS installed, built once
# per requirements hash in the cache outside the repo ($cache/NAME-<hash>: the hash is its
# cache key, so a changed requirements file builds a new one and never disturbs the old),
# then linked as .venv-NAME in the repo. Never touches the system Python. Sets `venv`.
# Without Python on PATH it prints WHY_SKIP and returns 1 (the caller exits 0: its tests skip).
cached_venv() {
  local name=$1 req=$2 why=$3 py=${MLOPS_PYTHON:-python3} hash start
  hash=$(sha256sum "$req" | cut -c1-12)
  venv="$cache/$name-$hash"
  if ! command -v "$py" >/dev/null; then echo "$name: no $py on PATH; skipping ($why)"; return 1; fi
  if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
    echo "$name: creating $venv (a few minutes the first time)"
    rm -rf "$venv"; mkdir -p "$cache"
    start=$(date +%s)
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q -r "$req"
    # Written last: a build cut short is not taken for a complete one next time.
    touch "$venv/.complete"
    echo "$name: venv built in $(( $(date +%s) - start )) s"
  fi
  ln -sfn "$venv" "$root/.venv-$name"
}
