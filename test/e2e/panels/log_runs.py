"""Real MLflow runs for the panels E2E, written with MLflow's own client into a file store.

  log_runs.py create <mlruns dir>            three runs; `live` is left RUNNING. Prints their ids as JSON.
  log_runs.py log <mlruns dir> <run id> <step> <value>   one more `loss` point, as training would.
"""
import json
import math
import os
import sys
import time
from pathlib import Path

# A file store keeps these runs apart from the example's mlflow.db (its own source in the
# Runs view, removed after the test); MLflow 3 asks for this opt-in to write one.
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
from mlflow.tracking import MlflowClient  # noqa: E402

RUNS = [
    # name, params, steps, finished
    ("baseline", {"lr": "0.1", "epochs": "40", "optimizer": "sgd", "seed": "7"}, 40, True),
    ("wide", {"lr": "0.03", "epochs": "40", "optimizer": "adam", "seed": "7"}, 40, True),
    ("live", {"lr": "0.01", "epochs": "40", "optimizer": "adam", "seed": "7"}, 25, False),
]


def create(store):
    client = MlflowClient(tracking_uri=Path(store).resolve().as_uri())
    exp = client.create_experiment("e2e-panels")
    ids = {}
    now = int(time.time() * 1000) - 600_000
    for i, (name, params, steps, finished) in enumerate(RUNS):
        run = client.create_run(exp, run_name=name, start_time=now + i * 1000)
        rid = run.info.run_id
        for k, v in params.items():
            client.log_param(rid, k, v)
        client.set_tag(rid, "mlflow.source.git.commit", f"{i + 1}" * 12)
        for s in range(steps):
            t = now + i * 1000 + s * 2000
            loss = 2.0 * math.exp(-s / (8 + 6 * i)) + 0.05 * math.sin(s * (i + 1))
            client.log_metric(rid, "loss", loss, timestamp=t, step=s)
            client.log_metric(rid, "accuracy", 1 - loss / 2.2, timestamp=t, step=s)
        if finished:
            client.set_terminated(rid, "FINISHED", end_time=now + i * 1000 + steps * 2000)
        ids[name] = rid
    print(json.dumps({"experiment": exp, "runs": ids}))


def log(store, run_id, step, value):
    client = MlflowClient(tracking_uri=Path(store).resolve().as_uri())
    client.log_metric(run_id, "loss", float(value), step=int(step))


if __name__ == "__main__":
    if sys.argv[1] == "create":
        create(sys.argv[2])
    elif sys.argv[1] == "log":
        log(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
