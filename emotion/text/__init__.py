"""Text emotion: NLTK preprocessing, the lexicon baseline and the trained Keras model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from emotion.labels import EmotionEstimate


class TextEstimator(Protocol):
    """Anything that turns a message into an estimate (source TEXT).

    ``confidence`` says how much the words can be trusted this time: near 0 for empty,
    non-language or one-emoji input, higher for clear, longer text.
    """

    def estimate(self, text: str) -> EmotionEstimate: ...


@runtime_checkable
class BatchTextEstimator(TextEstimator, Protocol):
    """An estimator that reads several messages at once more cheaply than one by one."""

    def estimate_many(self, texts: Sequence[str]) -> list[EmotionEstimate]: ...


def estimate_all(estimator: TextEstimator, texts: Sequence[str]) -> list[EmotionEstimate]:
    """Every text's estimate, in one batch when the estimator can."""
    if isinstance(estimator, BatchTextEstimator):
        return estimator.estimate_many(texts)
    return [estimator.estimate(text) for text in texts]
