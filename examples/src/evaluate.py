"""Score the trained model on the test split and write metrics.json."""
import json
import pickle

from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

from common import MODEL, ROOT, load_split


def main():
    x_test, y_test = load_split("test")
    with open(MODEL, "rb") as f:
        model = pickle.load(f)
    predicted = model.predict(x_test)
    metrics = {
        "accuracy": accuracy_score(y_test, predicted),
        "f1": f1_score(y_test, predicted),
        "precision": precision_score(y_test, predicted),
        "recall": recall_score(y_test, predicted),
        "roc_auc": roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]),
    }
    # Rounded so that reruns write identical bytes and diffs stay readable.
    metrics = {k: round(float(v), 4) for k, v in metrics.items()}
    (ROOT / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print("evaluate: " + " ".join(f"{k}={v}" for k, v in metrics.items()))


if __name__ == "__main__":
    main()
