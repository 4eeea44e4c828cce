"""Evaluate a trained expression model on an npz of faces and write a report folder.

The npz holds ``x`` uint8 [N,48,48] and ``y`` uint8 [N] in FER-2013 label order, which is
``LABELS`` order; the model's outputs are re-ordered with its labels file before scoring.
The report holds ``metrics.json``, ``confusion.png`` and, when the model folder has a training
history, ``curves.png``. Plots use matplotlib's Agg canvas directly: no pyplot global state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from emotion.face.artifacts import HISTORY_FILE, load_network
from emotion.face.inference import make_predictor, predict_in_batches
from emotion.face.metrics import Scores, score
from emotion.face.train import load_split
from emotion.labels import LABELS, N_LABELS


def evaluate(
    data_file: Path,
    model_dir: Path,
    report_dir: Path | None = None,
    *,
    tta: bool = True,
    emit: Callable[[str], None] = lambda line: None,
) -> dict[str, object]:
    """Score the model on ``data_file``; returns the metrics dict (n, accuracy, macro_f1, …)."""
    x, y = load_split(data_file)
    model, _config, permutation = load_network(model_dir)
    probs = predict_in_batches(make_predictor(model, tta=tta), x)
    probs = probs[:, permutation] if len(probs) else np.zeros((0, N_LABELS), np.float32)
    names = [label.value for label in LABELS]
    scores = score(y, probs.argmax(axis=1), N_LABELS)
    result = scores.as_dict(names)
    emit(
        f"{data_file}: {scores.n} faces, accuracy {scores.accuracy:.4f}, "
        f"macro-F1 {scores.macro_f1:.4f} (tta={'hflip' if tta else 'none'})"
    )
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        report = {
            "data": data_file.name,
            "tta": "hflip" if tta else "none",
            **result,
            "confusion": [list(row) for row in scores.confusion],
            "labels": names,
        }
        (report_dir / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
        plot_confusion(scores, names, report_dir / "confusion.png")
        history_path = model_dir / HISTORY_FILE
        if history_path.exists():
            plot_history(json.loads(history_path.read_text()), report_dir / "curves.png")
        emit(f"report written to {report_dir}")
    return result


def plot_confusion(scores: Scores, names: Sequence[str], path: Path) -> None:
    """Row-normalised confusion matrix (recall on the diagonal) with raw counts in each cell."""
    counts = np.asarray(scores.confusion, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    rates: npt.NDArray[np.float64] = np.divide(
        counts, totals, out=np.zeros_like(counts), where=totals > 0
    )
    figure = Figure(figsize=(7, 6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(rates, cmap="Blues", vmin=0.0, vmax=1.0)
    figure.colorbar(image, ax=axes, label="share of the true class")
    axes.set_xticks(range(len(names)), names, rotation=45, ha="right")
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(f"accuracy {scores.accuracy:.3f}, macro-F1 {scores.macro_f1:.3f}, n={scores.n}")
    for i in range(len(names)):
        for j in range(len(names)):
            colour = "white" if rates[i, j] > 0.5 else "black"
            axes.text(
                j, i, f"{int(counts[i, j])}", ha="center", va="center", color=colour, fontsize=8
            )
    figure.tight_layout()
    figure.savefig(path)


def plot_history(history: list[dict[str, Any]], path: Path) -> None:
    """Training loss and train/val accuracy per epoch, from the saved history."""
    epochs = [int(row["epoch"]) for row in history]
    figure = Figure(figsize=(10, 4), dpi=100)
    FigureCanvasAgg(figure)
    loss_axes, acc_axes = figure.subplots(1, 2)
    loss_axes.plot(epochs, [row["loss"] for row in history], marker=".", label="train loss")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_title("loss (weighted, label-smoothed)")
    loss_axes.legend()
    acc_axes.plot(epochs, [row["accuracy"] for row in history], marker=".", label="train acc")
    acc_axes.plot(epochs, [row["val_accuracy"] for row in history], marker=".", label="val acc")
    acc_axes.plot(
        epochs, [row["val_macro_f1"] for row in history], marker=".", label="val macro-F1"
    )
    acc_axes.set_xlabel("epoch")
    acc_axes.set_title("accuracy")
    # A warm start (``--init-from``) restarts the learning rate: mark where each cycle began.
    for before, row in pairwise(history):
        if row.get("cycle", 1) != before.get("cycle", 1):
            for axes in (loss_axes, acc_axes):
                axes.axvline(int(row["epoch"]) - 0.5, color="grey", linestyle=":", linewidth=1)
    acc_axes.legend()
    figure.tight_layout()
    figure.savefig(path)
