"""Paths and helpers shared by the stages.

Paths are resolved from this file, not the cwd, so the stages work whether DVC,
a test, or a person runs them from elsewhere.
"""
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
PREPARED = ROOT / "data" / "prepared"
MODEL = ROOT / "models" / "model.pkl"


def load_params(section):
    with open(ROOT / "params.yaml") as f:
        return yaml.safe_load(f)[section]


def load_split(name):
    """Features and labels of data/prepared/<name>.csv (label is the last column)."""
    table = np.loadtxt(PREPARED / f"{name}.csv", delimiter=",", skiprows=1)
    return table[:, :-1], table[:, -1].astype(int)
