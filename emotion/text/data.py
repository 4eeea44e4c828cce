"""Reading GoEmotions-style TSV files (text, comma-separated label ids, comment id).

Label ids index the ``labels.txt`` beside the file; the names are mapped onto our labels by
name (anger -> angry, joy -> happy, sadness -> sad), never by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from emotion.labels import LABELS, N_LABELS, Emotion

#: Dataset label names that differ from ours.
NAME_MAP = {"anger": Emotion.ANGRY, "joy": Emotion.HAPPY, "sadness": Emotion.SAD}

#: GoEmotions' Ekman label order (labels.txt), used when a TSV has no labels.txt beside it.
DEFAULT_NAMES = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")


@dataclass(frozen=True, slots=True)
class Dataset:
    """Texts and their multi-hot targets in ``LABELS`` order."""

    texts: tuple[str, ...]
    targets: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return len(self.texts)

    def head(self, n: int) -> Dataset:
        return Dataset(self.texts[:n], self.targets[:n])


def to_label(name: str) -> Emotion:
    name = name.strip().lower()
    return NAME_MAP.get(name) or Emotion(name)


def label_names(tsv: Path) -> tuple[str, ...]:
    labels_file = tsv.parent / "labels.txt"
    if labels_file.exists():
        return tuple(n.strip() for n in labels_file.read_text("utf-8").split("\n") if n.strip())
    return DEFAULT_NAMES


def read_tsv(tsv: Path) -> Dataset:
    """Read one split; rows without a usable label are skipped."""
    names = label_names(tsv)
    columns = [LABELS.index(to_label(n)) for n in names]
    texts: list[str] = []
    rows: list[list[int]] = []
    with tsv.open(encoding="utf-8", newline="") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[1].strip():
                continue
            ids = [int(i) for i in parts[1].split(",") if i.strip()]
            texts.append(parts[0])
            rows.append([columns[i] for i in ids])
    targets = np.zeros((len(texts), N_LABELS), dtype=np.float32)
    for r, cols in enumerate(rows):
        targets[r, cols] = 1.0
    return Dataset(tuple(texts), targets)
