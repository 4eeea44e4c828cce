"""The files a trained expression model is made of, and how they are read back.

A model directory holds ``expression_cnn.weights.h5`` (weights only: small, and no pickled
code), ``model.json`` (how to rebuild the network), ``labels.json`` (the order of the output
columns: read, never assumed), plus ``history.json`` and ``metrics.json`` from training.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import keras

from emotion.face.network import INPUT_SIZE, build_network
from emotion.labels import LABELS

WEIGHTS_FILE = "expression_cnn.weights.h5"
CONFIG_FILE = "model.json"
LABELS_FILE = "labels.json"
HISTORY_FILE = "history.json"
METRICS_FILE = "metrics.json"

#: The committed model that ships inside the package.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """What is needed to rebuild the network the weights belong to."""

    width: int = 40
    dropout: float = 0.4
    input_size: int = INPUT_SIZE


def save_model_dir(model: keras.Model, config: NetworkConfig, out_dir: Path) -> None:
    """Export weights only: a fresh copy of the network, so no optimizer state rides along."""
    out_dir.mkdir(parents=True, exist_ok=True)
    bare = build_network(config.width, config.dropout)
    bare.set_weights(model.get_weights())
    bare.save_weights(out_dir / WEIGHTS_FILE)
    (out_dir / CONFIG_FILE).write_text(json.dumps(asdict(config), indent=2) + "\n")
    labels = {"labels": [label.value for label in LABELS], "output": "logits"}
    (out_dir / LABELS_FILE).write_text(json.dumps(labels, indent=2) + "\n")


def read_labels(model_dir: Path) -> list[str]:
    data = json.loads((model_dir / LABELS_FILE).read_text())
    labels = data["labels"]
    if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
        raise ValueError(f"{model_dir / LABELS_FILE}: 'labels' must be a list of names")
    return labels


def label_permutation(model_labels: list[str]) -> list[int]:
    """Column indices that re-order the model's outputs into ``LABELS`` order."""
    if sorted(model_labels) != sorted(label.value for label in LABELS):
        raise ValueError(f"model labels {model_labels} do not match {[v.value for v in LABELS]}")
    return [model_labels.index(label.value) for label in LABELS]


def load_network(model_dir: Path) -> tuple[keras.Model, NetworkConfig, list[int]]:
    """Rebuild the network, load its weights and return the column order to apply to outputs."""
    raw = json.loads((model_dir / CONFIG_FILE).read_text())
    config = NetworkConfig(
        width=int(raw["width"]), dropout=float(raw["dropout"]), input_size=int(raw["input_size"])
    )
    model = build_network(config.width, config.dropout)
    model.load_weights(model_dir / WEIGHTS_FILE)
    return model, config, label_permutation(read_labels(model_dir))
