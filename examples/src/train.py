"""Train a linear classifier epoch by epoch, logging to MLflow and DVCLive.

Both trackers get the same params and per-epoch metrics, so the extension can read
this project through either backend and the two must agree.
"""
import logging
import os
import pickle

import mlflow
import mlflow.sklearn
import numpy as np
from dvclive import Live
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss

from common import MODEL, ROOT, load_params, load_split

EXPERIMENT = "examples-classifier"
# The Model Registry name of the trained classifier; its newest version is @champion.
REGISTERED_MODEL = "examples-classifier"


def setup_mlflow():
    # A local SQLite store needs no server; MLFLOW_TRACKING_URI still wins so a test
    # can point the same script at a tracking server.
    mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI") or "sqlite:///mlflow.db")
    for name in ("mlflow", "alembic"):  # schema migrations log a page on a new db
        logging.getLogger(name).setLevel(logging.WARNING)
    mlflow.set_experiment(EXPERIMENT)


def epoch_metrics(model, x_train, y_train, x_test, y_test):
    return {
        "train_loss": log_loss(y_train, model.predict_proba(x_train)),
        "train_accuracy": accuracy_score(y_train, model.predict(x_train)),
        "test_loss": log_loss(y_test, model.predict_proba(x_test)),
        "test_accuracy": accuracy_score(y_test, model.predict(x_test)),
    }


def main():
    # MLflow (mlflow.db, its default ./mlruns artifact root) and DVCLive resolve their
    # locations from the cwd: anchor them in the project, wherever this is run from.
    os.chdir(ROOT)
    p = load_params("train")
    x_train, y_train = load_split("train")
    x_test, y_test = load_split("test")
    classes = np.unique(y_train)
    rng = np.random.default_rng(p["seed"])
    model = SGDClassifier(loss="log_loss", alpha=p["alpha"], learning_rate="constant",
                          eta0=p["eta0"], random_state=p["seed"])
    n_batches = max(1, len(y_train) // p["batch_size"])

    setup_mlflow()
    # `dvc exp run` names the experiment in the environment; using it as the run
    # name links an MLflow run to its DVC experiment.
    exp_name = os.environ.get("DVC_EXP_NAME")
    # dvcyaml=None: our dvc.yaml declares the metrics and plots already, and DVCLive
    # would otherwise rewrite it. save_dvc_exp=False: run by hand, outside DVC, the
    # script must not commit an experiment behind the user's back.
    with Live(dir="dvclive", dvcyaml=None, save_dvc_exp=False) as live, \
            mlflow.start_run(run_name=exp_name) as run:
        if exp_name:
            mlflow.set_tag("dvc.exp_name", exp_name)
        mlflow.log_params(p)
        live.log_params(p)
        for epoch in range(1, p["epochs"] + 1):
            for batch in np.array_split(rng.permutation(len(y_train)), n_batches):
                model.partial_fit(x_train[batch], y_train[batch], classes=classes)
            metrics = epoch_metrics(model, x_train, y_train, x_test, y_test)
            mlflow.log_metrics(metrics, step=epoch)
            live.step = epoch  # the same step numbers as MLflow: 1..epochs
            for name, value in metrics.items():
                live.log_metric(name, value)
            live.next_step()
            print(f"epoch {epoch}: " + " ".join(f"{k}={v:.4f}" for k, v in metrics.items()))
        # A small artifact, so artifact views have something real to show.
        mlflow.log_dict({"coef": model.coef_.tolist(), "intercept": model.intercept_.tolist()},
                        "model/weights.json")
        # The model in MLflow's format, with its signature and an input example, registered
        # so that the Models view (and `mlflow models serve -m models:/...@champion`) has it.
        info = mlflow.sklearn.log_model(
            model, name="classifier", signature=infer_signature(x_test, model.predict(x_test)),
            input_example=x_test[:3], registered_model_name=REGISTERED_MODEL)
        MlflowClient().set_registered_model_alias(
            REGISTERED_MODEL, "champion", info.registered_model_version)

    MODEL.parent.mkdir(parents=True, exist_ok=True)
    with open(MODEL, "wb") as f:
        pickle.dump(model, f)
    print(f"train: MLflow run {run.info.run_id}")


if __name__ == "__main__":
    main()
