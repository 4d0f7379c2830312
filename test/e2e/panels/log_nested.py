"""Real nested MLflow runs for the nested-rows and group-mean E2E, written by MLflow's fluent API.

  log_nested.py <mlruns dir>    a parent run `sweep` with four nested children: lr 0.1 and 0.01,
                                seeds 1 and 2 each, logging `loss` over 30 steps. Prints the ids as JSON.
"""
import json
import math
import os
import random
import sys
from pathlib import Path

# A file store of its own, removed after the test; MLflow 3 asks for this opt-in to write one.
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
import mlflow  # noqa: E402


def main(store):
    mlflow.set_tracking_uri(Path(store).resolve().as_uri())
    mlflow.set_experiment("e2e-nested")
    ids = {}
    with mlflow.start_run(run_name="sweep") as parent:
        ids["sweep"] = parent.info.run_id
        for lr in ("0.1", "0.01"):
            for seed in (1, 2):
                name = f"lr{lr}-s{seed}"
                with mlflow.start_run(run_name=name, nested=True) as child:
                    mlflow.log_params({"lr": lr, "seed": seed})
                    rnd = random.Random(seed)
                    rate = 6 if lr == "0.1" else 14
                    # Seeds apart by a clear offset: the group's ±std band is wide enough to see.
                    offset = 0.3 * (seed - 1.5)
                    for s in range(30):
                        mlflow.log_metric("loss", 2.0 * math.exp(-s / rate) + 0.5 + offset + 0.1 * rnd.random(), step=s)
                    ids[name] = child.info.run_id
    print(json.dumps({"runs": ids}))


if __name__ == "__main__":
    main(sys.argv[1])
