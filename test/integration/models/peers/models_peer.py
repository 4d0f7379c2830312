"""The real MLflow client writes and reads a model registry for our readers' tests.

write URI N_MODELS N_VERSIONS: trains a tiny sklearn model per run and logs it with
    mlflow.sklearn.log_model(signature, input_example, registered_model_name=...), then sets
    aliases, tags, descriptions and a legacy stage. Prints the run ids as JSON.
read URI: prints MlflowClient.search_registered_models / search_model_versions as JSON.
logged URI: prints the MLflow 3 logged models (search_logged_models) as JSON.
serve-model URI NAME SEED ROWS: registers one sklearn classifier (input example: its first
    ROWS rows) as NAME with alias champion, for the serving suites. Prints its version, its
    storage and the oracle: MLflow's own pyfunc loader's predictions on the example rows.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402


def write(uri, n_models, n_versions):
    import numpy as np
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("models-test")
    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
    y = np.array([0, 1, 0, 1])
    runs = []
    for m in range(n_models):
        name = f"model-{m}"
        for v in range(n_versions):
            with mlflow.start_run() as run:
                clf = LogisticRegression(C=1.0 + v).fit(x, y)
                mlflow.log_metric("accuracy", float(clf.score(x, y)) - v / 100)
                sig = infer_signature(x, clf.predict(x))
                mlflow.sklearn.log_model(clf, name="model", signature=sig, input_example=x[:2], registered_model_name=name)
                runs.append(run.info.run_id)
    client = MlflowClient(uri)
    client.update_registered_model("model-0", description="the first model")
    client.set_registered_model_tag("model-0", "team", "vision")
    client.set_registered_model_tag("model-0", "big", "x" * 5000)
    client.set_registered_model_alias("model-0", "champion", "1")
    if n_versions > 1:
        client.set_registered_model_alias("model-0", "challenger", str(n_versions))
        client.set_model_version_tag("model-0", "2", "validated", "yes")
        client.update_model_version("model-0", "2", description="second try")
        client.transition_model_version_stage("model-0", "2", "Staging")
    print(json.dumps({"runs": runs}))


def read(uri):
    client = MlflowClient(uri)
    models = []
    for rm in client.search_registered_models(max_results=1000):
        models.append({
            "name": rm.name,
            "description": rm.description or "",
            "created": rm.creation_timestamp,
            "updated": rm.last_updated_timestamp,
            "tags": dict(rm.tags),
            "aliases": {k: str(v) for k, v in rm.aliases.items()},
        })
    versions = []
    token = None
    while True:
        page = client.search_model_versions(max_results=1000, page_token=token)
        for mv in page:
            # search_model_versions leaves aliases (and over REST model_id) out: ask for each.
            full = client.get_model_version(mv.name, mv.version)
            versions.append({
                "name": mv.name,
                "version": str(mv.version),
                "stage": mv.current_stage,
                "status": mv.status,
                "created": mv.creation_timestamp,
                "description": mv.description or "",
                "source": mv.source,
                "runId": mv.run_id or "",
                "tags": dict(mv.tags),
                "aliases": sorted(full.aliases),
                "modelId": getattr(full, "model_id", None) or "",
            })
        token = page.token
        if not token:
            break
    print(json.dumps({"models": models, "versions": versions}))


def logged(uri):
    client = MlflowClient(uri)
    exps = [e.experiment_id for e in client.search_experiments()]
    out = []
    for lm in client.search_logged_models(experiment_ids=exps, max_results=1000):
        out.append({
            "id": lm.model_id,
            "name": lm.name,
            "experimentId": lm.experiment_id,
            "runId": lm.source_run_id or "",
            "status": str(lm.status),
            "created": lm.creation_timestamp,
            "artifactLocation": lm.artifact_location,
            "tags": dict(lm.tags),
        })
    print(json.dumps(out))


def serve_model(uri, name, seed, rows):
    import logging

    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    logging.disable(logging.WARNING)
    mlflow.set_tracking_uri(uri)
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(size=(40 + rows, 3)), columns=["sepal", "petal", "stem"])
    y = (x["sepal"] + x["petal"] - x["stem"] > 0).astype(int)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(LogisticRegression().fit(x, y), name="model", input_example=x[:rows], registered_model_name=name)
    client = MlflowClient()
    client.set_registered_model_alias(name, "champion", info.registered_model_version)
    pred = mlflow.pyfunc.load_model(f"models:/{name}@champion").predict(x[:rows])
    print(json.dumps({
        "version": str(client.get_model_version(name, info.registered_model_version).version),
        "storage": mlflow.get_logged_model(info.model_id).artifact_location,
        "predictions": [int(p) for p in pred],
    }))


if __name__ == "__main__":
    cmd, uri = sys.argv[1], sys.argv[2]
    if cmd == "write":
        write(uri, int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "read":
        read(uri)
    elif cmd == "logged":
        logged(uri)
    elif cmd == "serve-model":
        serve_model(uri, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
