"""Ordinary-chat negatives for the risk trainer: the filter keeps disclosures out, sampling is
seeded, the held-apart sample is the file's head, and the cuts respect the ordinary-chat caps.

The GoEmotions-shaped files here are written by the test (``text<TAB>labels<TAB>id``); the
real data is only read by the trainer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from responses.risk_chat import (
    first_comments,
    is_clear_chat,
    read_hand_written,
    sample_chat,
)
from responses.risk_train import TrainOptions, choose_thresholds

DISCLOSURES = [
    "honestly I just want to die",
    "thinking about ending it all tonight",
    "I cut again last night",
    "he hits me when he's drunk",
    "took a bunch of pills, feel weird",
    "I haven't eaten in four days and I'm still fat",
    "the voices won't stop",
]
EVERYDAY = [
    "That's a great recipe, thanks for sharing!",
    "Which team are you cheering for on Saturday?",
    "Lovely photo of the mountains.",
]


@pytest.mark.parametrize("text", DISCLOSURES)
def test_filter_drops_possible_disclosures(text: str) -> None:
    assert not is_clear_chat(text)


@pytest.mark.parametrize("text", EVERYDAY)
def test_filter_keeps_everyday_comments(text: str) -> None:
    assert is_clear_chat(text)


def _goemotions(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "train.tsv"
    rows = [f"{t}\t{i % 7}\tid{i}" for i, t in enumerate(texts)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_sample_is_seeded_filtered_and_unmasked(tmp_path: Path) -> None:
    everyday = [f"comment number {i} about [NAME] and the weather" for i in range(40)]
    path = _goemotions(tmp_path, everyday + DISCLOSURES)
    first = sample_chat(path, 10, seed=13)
    assert first == sample_chat(path, 10, seed=13)
    assert first != sample_chat(path, 10, seed=14)
    assert len(first) == 10 and not set(first) & set(DISCLOSURES)
    assert all("[NAME]" not in text for text in first)
    assert len(sample_chat(path, 1000, seed=13)) == len(everyday)


def test_held_apart_sample_is_the_head_of_the_file(tmp_path: Path) -> None:
    path = _goemotions(tmp_path, [*DISCLOSURES[:2], *EVERYDAY, "later comment"])
    assert first_comments(path, 5) == EVERYDAY
    assert len(first_comments(path, 5, clear_only=False)) == 5


def test_hand_written_lines_cover_every_language() -> None:
    rows = read_hand_written()
    assert {lang for lang, _ in rows} == {"en", "de", "fr", "es", "nl"}
    assert all(text and "\t" not in text for _, text in rows)


def test_cuts_respect_the_ordinary_chat_caps() -> None:
    rng = np.random.default_rng(0)
    # Dev lines: 100 risk lines scoring high, 100 hard negatives scoring low.
    top = np.concatenate([rng.uniform(0.6, 1.0, 100), rng.uniform(0.0, 0.5, 100)])
    scores = top[:, None].astype(np.float32)
    y = np.concatenate([np.ones(100), np.zeros(100)])[:, None].astype(np.float32)
    options = TrainOptions()
    # Without ordinary chat both cuts could sit low; with ordinary chat scoring up to 0.9
    # the confident cut must leave at most 1% of it in, the watch cut at most 3%.
    ordinary = rng.uniform(0.0, 0.9, 1000).astype(np.float32)
    watch, confident = choose_thresholds(scores, y, options, ordinary=ordinary)
    assert (ordinary >= confident).mean() <= options.max_ordinary_confident
    assert (ordinary >= watch).mean() <= options.max_ordinary_watch
    plain_watch, plain_confident = choose_thresholds(scores, y, options)
    assert plain_confident < confident and plain_watch < watch


def test_sample_never_draws_an_excluded_comment(tmp_path: Path) -> None:
    everyday = [f"comment number {i} about the weather" for i in range(40)]
    path = _goemotions(tmp_path, everyday)
    held_apart = set(everyday[:30])
    sample = sample_chat(path, 40, seed=13, exclude=held_apart)
    assert sorted(sample) == sorted(everyday[30:])
