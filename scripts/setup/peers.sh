#!/usr/bin/env bash
# The peers' Python venv (mlflow, dvc, dvclive, tensorboard, scikit-learn), owned by the
# tests: built once per requirements hash (lib.sh), linked as .venv-peers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cached_venv peers "$root/scripts/setup/peers-requirements.txt" "integration tiers that need mlflow/dvc will skip" || exit 0
echo "peers: $("$venv/bin/python" -c 'import mlflow,dvc.version,tensorboard,sklearn;print("mlflow",mlflow.__version__,"dvc",dvc.version.__version__,"tensorboard",tensorboard.__version__,"sklearn",sklearn.__version__)')"
