"""The GoEmotions paper's scores: top-label accuracy and multi-label macro F1 with thresholds.

A label is predicted when its probability reaches its threshold; when none does, the top label
is predicted, so every message gets at least one label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from emotion.labels import LABELS, N_LABELS

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    per_class_f1: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_class_f1": {k: round(v, 4) for k, v in self.per_class_f1.items()},
        }


def decide(probabilities: FloatArray, thresholds: FloatArray) -> BoolArray:
    """Multi-label decisions: every label at or over its threshold, else the top label."""
    predicted: BoolArray = probabilities >= thresholds[None, :]
    none = ~predicted.any(axis=1)
    top = probabilities.argmax(axis=1)
    predicted[np.flatnonzero(none), top[none]] = True
    return predicted


def f1(predicted: BoolArray, gold: BoolArray) -> float:
    tp = float(np.sum(predicted & gold))
    denominator = float(np.sum(predicted) + np.sum(gold))
    return 2.0 * tp / denominator if denominator else 0.0


def score(probabilities: FloatArray, targets: FloatArray, thresholds: FloatArray) -> Scores:
    gold = targets > 0.5
    top = probabilities.argmax(axis=1)
    accuracy = float(np.mean(gold[np.arange(len(gold)), top])) if len(gold) else 0.0
    predicted = decide(probabilities, thresholds)
    per_class = {label.value: f1(predicted[:, i], gold[:, i]) for i, label in enumerate(LABELS)}
    macro = float(np.mean(list(per_class.values())))
    return Scores(len(gold), accuracy, macro, per_class)


def choose_thresholds(probabilities: FloatArray, targets: FloatArray) -> FloatArray:
    """Per label, the threshold (0.05 … 0.95) with the best F1 for that label alone."""
    gold = targets > 0.5
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    thresholds = np.full(N_LABELS, 0.5, dtype=np.float32)
    for i in range(N_LABELS):
        best = -1.0
        for t in grid:
            value = f1(probabilities[:, i] >= t, gold[:, i])
            if value > best:
                best, thresholds[i] = value, t
    return thresholds


def confusion(probabilities: FloatArray, targets: FloatArray) -> npt.NDArray[np.int64]:
    """Single-label confusion: rows = gold (first gold label), columns = top prediction."""
    matrix = np.zeros((N_LABELS, N_LABELS), dtype=np.int64)
    gold = targets.argmax(axis=1)
    top = probabilities.argmax(axis=1)
    # A prediction that hits any gold label counts on the diagonal.
    hit = targets[np.arange(len(targets)), top] > 0.5
    gold = np.where(hit, top, gold)
    np.add.at(matrix, (gold, top), 1)
    return matrix
