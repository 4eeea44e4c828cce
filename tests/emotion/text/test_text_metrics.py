"""The paper's scores: thresholds, the top-label fallback, data reading by label name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emotion.labels import LABELS, Emotion
from emotion.text.data import read_tsv
from emotion.text.metrics import choose_thresholds, confusion, decide, score


def column(label: Emotion) -> int:
    return LABELS.index(label)


def test_decide_falls_back_to_the_top_label() -> None:
    probabilities = np.asarray([[0.1, 0.2, 0.3, 0.9, 0.1, 0.1, 0.6], [0.1] * 6 + [0.2]])
    decided = decide(probabilities.astype(np.float32), np.full(7, 0.5, dtype=np.float32))
    assert decided[0].tolist() == [False, False, False, True, False, False, True]
    assert decided[1].tolist() == [False] * 6 + [True]  # none reached 0.5: the top one


def test_score_accuracy_and_macro_f1() -> None:
    targets = np.zeros((2, 7), dtype=np.float32)
    targets[0, column(Emotion.HAPPY)] = 1
    targets[1, column(Emotion.SAD)] = 1
    targets[1, column(Emotion.ANGRY)] = 1
    probabilities = np.full((2, 7), 0.01, dtype=np.float32)
    probabilities[0, column(Emotion.HAPPY)] = 0.9
    probabilities[1, column(Emotion.ANGRY)] = 0.8  # top is a gold label: accurate
    scores = score(probabilities, targets, np.full(7, 0.5, dtype=np.float32))
    assert scores.n == 2
    assert scores.accuracy == 1.0
    assert scores.per_class_f1["happy"] == 1.0
    assert scores.per_class_f1["sad"] == 0.0  # missed
    assert scores.macro_f1 == pytest.approx(2 / 7)
    assert confusion(probabilities, targets).trace() == 2


def test_thresholds_are_chosen_per_label() -> None:
    rng = np.random.default_rng(0)
    targets = (rng.random((200, 7)) < 0.3).astype(np.float32)
    probabilities = np.clip(targets * 0.3 + rng.random((200, 7)) * 0.2, 0, 1).astype(np.float32)
    thresholds = choose_thresholds(probabilities, targets)
    assert np.all((thresholds >= 0.2) & (thresholds <= 0.3))  # the gap separates the classes
    # (not 1.0: rows with no gold label still get their top label predicted)
    assert score(probabilities, targets, thresholds).macro_f1 > 0.95


def test_read_tsv_maps_labels_by_name(tmp_path: Path) -> None:
    # labels.txt in another order than ours: columns must follow the names
    (tmp_path / "labels.txt").write_text("joy\nsadness\nanger", encoding="utf-8")
    (tmp_path / "x.tsv").write_text("yay\t0\ta\nboo\t1,2\tb\nskip me\t\tc\n", encoding="utf-8")
    data = read_tsv(tmp_path / "x.tsv")
    assert data.texts == ("yay", "boo")
    assert data.targets[0, column(Emotion.HAPPY)] == 1
    assert data.targets[1, column(Emotion.SAD)] == 1
    assert data.targets[1, column(Emotion.ANGRY)] == 1
    assert data.targets.sum() == 3
