#!/usr/bin/env bash
# Copy examples/ into DEST as its own git + DVC repo with one commit, so tests and
# demos can run the pipeline and experiments without dirtying this repository.
# Usage: scripts/example/make-sandbox.sh DEST   (DEST must not exist or be empty)
# Needs git, and dvc on PATH or in .venv-peers (only when examples/.dvc is missing).
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: $0 DEST" >&2; exit 2; fi
root=$(cd "$(dirname "$0")/../.." && pwd)
src="$root/examples"
dest=$1
if [ -e "$dest" ] && [ -n "$(ls -A "$dest")" ]; then
  echo "make-sandbox: $dest exists and is not empty" >&2; exit 1
fi
mkdir -p "$dest"
cp -R "$src/." "$dest/"
# Generated outputs stay behind: the sandbox starts as a fresh clone would.
( cd "$dest" && rm -rf data models dvclive mlruns mlflow.db metrics.json dvc.lock \
    .dvc/cache .dvc/tmp .dvc/config.local src/__pycache__ )

cd "$dest"
git -c init.defaultBranch=main init -q
git config user.name "MLOps Workbench Sandbox"
git config user.email "sandbox@mlops-workbench.invalid"
git config commit.gpgsign false
if [ ! -d .dvc ]; then
  dvc=$(command -v dvc || echo "$root/.venv-peers/bin/dvc")
  DVC_NO_ANALYTICS=1 "$dvc" init -q
  DVC_NO_ANALYTICS=1 "$dvc" config core.analytics false
fi
git add -A
git commit -q -m "Example project"
echo "$(pwd)"
