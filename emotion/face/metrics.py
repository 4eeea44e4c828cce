"""Classification scores shared by training (model selection) and the evaluation CLI.

Plain numpy so the scores are the same wherever they are computed, with no sklearn needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    per_class_recall: tuple[float, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: true class, columns: predicted class

    def as_dict(self, labels: Sequence[str]) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_class_recall": {
                label: round(r, 4) for label, r in zip(labels, self.per_class_recall, strict=True)
            },
        }


def confusion_matrix(
    y_true: npt.NDArray[np.integer], y_pred: npt.NDArray[np.integer], n_classes: int
) -> npt.NDArray[np.int64]:
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true.astype(np.int64), y_pred.astype(np.int64)), 1)
    return matrix


def score(
    y_true: npt.NDArray[np.integer], y_pred: npt.NDArray[np.integer], n_classes: int
) -> Scores:
    """Accuracy, macro-F1 over all classes (a class never seen nor predicted counts 0), recall."""
    matrix = confusion_matrix(y_true, y_pred, n_classes)
    true_pos = np.diag(matrix).astype(np.float64)
    actual = matrix.sum(axis=1).astype(np.float64)
    predicted = matrix.sum(axis=0).astype(np.float64)
    recall = np.divide(true_pos, actual, out=np.zeros_like(true_pos), where=actual > 0)
    precision = np.divide(true_pos, predicted, out=np.zeros_like(true_pos), where=predicted > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(denom), where=denom > 0)
    n = int(matrix.sum())
    return Scores(
        n=n,
        accuracy=float(true_pos.sum() / n) if n else 0.0,
        macro_f1=float(f1.mean()),
        per_class_recall=tuple(float(r) for r in recall),
        confusion=tuple(tuple(int(v) for v in row) for row in matrix),
    )
