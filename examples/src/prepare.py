"""Make a small synthetic binary classification dataset, split into train and test."""
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from common import PREPARED, load_params


def write_csv(path, x, y):
    header = ",".join([f"f{i}" for i in range(x.shape[1])] + ["label"])
    # Fixed formats keep the files byte-identical across runs, so DVC sees no change.
    fmt = ["%.6f"] * x.shape[1] + ["%d"]
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", fmt=fmt, header=header, comments="")


def main():
    p = load_params("prepare")
    x, y = make_classification(
        n_samples=p["n_samples"], n_features=p["n_features"],
        n_informative=max(2, p["n_features"] // 2), class_sep=p["class_sep"],
        random_state=p["seed"],
    )
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=p["test_size"], random_state=p["seed"], stratify=y,
    )
    PREPARED.mkdir(parents=True, exist_ok=True)
    write_csv(PREPARED / "train.csv", x_train, y_train)
    write_csv(PREPARED / "test.csv", x_test, y_test)
    print(f"prepare: {len(y_train)} train rows, {len(y_test)} test rows")


if __name__ == "__main__":
    main()
