#!/usr/bin/env bash
# MLServer's own Python venv for the MLServer serving test (test/integration/models/
# mlserver.test.ts finds it as .venv-mlserver). Apart from the peers' venv: mlserver-mlflow
# pins its own mlflow, and adding it there would change the peers' hash for everyone.
# Built once per requirements hash (lib.sh), linked as .venv-mlserver.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cached_venv mlserver "$root/scripts/setup/mlserver-requirements.txt" "the MLServer test will skip" || exit 0
echo "mlserver: $("$venv/bin/mlserver" --version 2>&1 | tail -1), mlflow $("$venv/bin/python" -c 'import mlflow;print(mlflow.__version__)')"
