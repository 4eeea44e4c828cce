"""Evaluation report pictures: confusion matrix, per-class F1 (model vs lexicon), curves.

matplotlib runs on the Agg backend (no display on a server); figures are closed after saving
so repeated evaluations do not accumulate memory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt

from emotion.labels import LABELS
from emotion.text.metrics import Scores


def plot_confusion(matrix: npt.NDArray[np.int64], path: Path, title: str) -> None:
    names = [label.value for label in LABELS]
    totals = matrix.sum(axis=1, keepdims=True)
    share = matrix / np.maximum(totals, 1)
    fig, ax = plt.subplots(figsize=(7, 6))
    image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted (top label)")
    ax.set_ylabel("gold (a hit counts on the diagonal)")
    for i in range(len(names)):
        for j in range(len(names)):
            colour = "white" if share[i, j] > 0.5 else "black"
            ax.text(j, i, f"{matrix[i, j]}", ha="center", va="center", color=colour, fontsize=8)
    fig.colorbar(image, ax=ax, label="share of the gold row")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_per_class(results: Mapping[str, Scores], path: Path, title: str) -> None:
    names = [label.value for label in LABELS]
    x = np.arange(len(names) + 1)
    width = 0.8 / max(1, len(results))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for k, (name, scores) in enumerate(results.items()):
        values = [scores.per_class_f1[n] for n in names] + [scores.macro_f1]
        bars = ax.bar(x + (k - (len(results) - 1) / 2) * width, values, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(x, [*names, "macro"])
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("F1")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_history(history_file: Path, path: Path) -> bool:
    """Training curves from the model's saved history; False when there is none."""
    if not history_file.exists():
        return False
    history = json.loads(history_file.read_text(encoding="utf-8"))
    epochs = history.get("epochs", [])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    if history.get("steps"):
        left.plot(history["steps"], history["step_loss"], label="train loss (running mean)")
    left.set_xlabel("step")
    left.set_ylabel("binary cross-entropy")
    left.set_title("training loss")
    if epochs:
        numbers = [e["epoch"] for e in epochs]
        right.plot(numbers, [e["dev_loss"] for e in epochs], "o-", label="dev loss")
        right.plot(numbers, [e["train_loss"] for e in epochs], "o-", label="train loss")
        twin = right.twinx()
        twin.plot(numbers, [e["dev_macro_f1"] for e in epochs], "s--", color="C2")
        twin.set_ylabel("dev macro-F1 (dashed)")
        right.set_xticks(numbers)
    right.set_xlabel("epoch")
    right.set_title("per epoch")
    right.legend(loc="upper left")
    left.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
