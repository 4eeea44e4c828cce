"""Fixtures for the text emotion tests: a tiny GoEmotions-style data folder and the model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Our own sentences (not GoEmotions rows), one per line: text and label ids of labels.txt.
ROWS = (
    ("I am so happy for you, congratulations!", "3"),
    ("This is the best day ever, I love it", "3"),
    ("Thank you so much, that made my day :)", "3"),
    ("Haha that is hilarious, love it", "3"),
    ("I hate this, it makes me furious", "0"),
    ("Stop lying to me, you idiot", "0"),
    ("This is so annoying and stupid", "0"),
    ("WHY WOULD YOU DO THAT, UNBELIEVABLE", "0"),
    ("That is disgusting, gross", "1"),
    ("Eww, that smell makes me sick", "1"),
    ("I'm scared of what happens next", "2"),
    ("This is terrifying, I'm so nervous", "2"),
    ("I miss her so much, I cried all night", "5"),
    ("I feel so sad and lonely today", "5"),
    ("Sorry for your loss, that is heartbreaking", "5"),
    ("Wow, I did not expect that at all!", "6"),
    ("What? How did that happen?", "6"),
    ("Oh really? I had no idea", "6"),
    ("The meeting is on Tuesday at noon", "4"),
    ("I bought some bread and milk", "4"),
    ("He is going to the store later", "4"),
    ("The train leaves at six", "4"),
    ("[NAME] said the game starts at 8", "4"),
    ("Great, another crash. I hate this wonderful day", "0,3"),
)
LABEL_NAMES = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")


def write_tsv(path: Path, rows: tuple[tuple[str, str], ...]) -> Path:
    lines = [f"{text}\t{ids}\tid{i}" for i, (text, ids) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder in the training layout: train.tsv, dev.tsv, labels.txt."""
    folder = tmp_path_factory.mktemp("goemotions_tiny")
    (folder / "labels.txt").write_text("\n".join(LABEL_NAMES), encoding="utf-8")
    write_tsv(folder / "train.tsv", ROWS)
    write_tsv(folder / "dev.tsv", ROWS[::2])
    return folder


@pytest.fixture(scope="module")
def text_model() -> Iterator[object]:
    """The committed model, loaded once a session (loading takes seconds; tests/shared_models.py).

    ``ATTUNE_TEXT_MODEL_DIR`` points the behaviour tests at a candidate model instead (loaded
    once per test module).
    """
    from emotion.text.model import load_text_model
    from tests.shared_models import text_model

    candidate = os.environ.get("ATTUNE_TEXT_MODEL_DIR")
    yield load_text_model(Path(candidate)) if candidate else text_model()
