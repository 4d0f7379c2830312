"""Nested runs and run tags through MLflow's own client, for the nesting and star/note tests.

  write URI   logs nested runs with mlflow.start_run(nested=True): two experiments, three
              levels, several children per parent, and one run whose parent is deleted
  parents URI prints {run_id: parentRunId or null} for every run, as mlflow.search_runs
              returns them (tags.mlflow.parentRunId column)
  tags URI RUN_ID  prints the run's tags as MlflowClient.get_run reads them
"""
import json
import sys

import mlflow
from mlflow.tracking import MlflowClient


def write(uri):
    mlflow.set_tracking_uri(uri)
    for exp in ("nested-a", "nested-b"):
        mlflow.set_experiment(exp)
        with mlflow.start_run(run_name=f"{exp}-sweep"):
            mlflow.log_param("kind", "sweep")
            for i in range(3):
                with mlflow.start_run(run_name=f"{exp}-trial-{i}", nested=True):
                    mlflow.log_metric("loss", 1.0 / (i + 1))
                    if i == 1:
                        for fold in range(2):
                            with mlflow.start_run(run_name=f"{exp}-trial-{i}-fold-{fold}", nested=True):
                                mlflow.log_metric("loss", 0.5 + fold)
        with mlflow.start_run(run_name=f"{exp}-plain"):
            mlflow.log_param("kind", "plain")
    # A child whose parent is deleted: the readers list only active runs, so it is a root.
    with mlflow.start_run(run_name="doomed-parent") as parent:
        with mlflow.start_run(run_name="orphan", nested=True):
            pass
    MlflowClient(uri).delete_run(parent.info.run_id)


def parents(uri):
    mlflow.set_tracking_uri(uri)
    df = mlflow.search_runs(search_all_experiments=True, output_format="pandas")
    col = "tags.mlflow.parentRunId"
    out = {}
    for _, row in df.iterrows():
        p = row[col] if col in df.columns else None
        out[row["run_id"]] = p if isinstance(p, str) and p else None
    print(json.dumps(out))


def tags(uri, run_id):
    print(json.dumps(MlflowClient(uri).get_run(run_id).data.tags))


if __name__ == "__main__":
    cmd, uri = sys.argv[1], sys.argv[2]
    if cmd == "write":
        write(uri)
    elif cmd == "parents":
        parents(uri)
    elif cmd == "tags":
        tags(uri, sys.argv[3])
    else:
        sys.exit(f"unknown command {cmd}")
