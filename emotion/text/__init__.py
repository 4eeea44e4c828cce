"""Text emotion: NLTK preprocessing, the lexicon baseline and the trained Keras model."""

from __future__ import annotations

from typing import Protocol

from emotion.labels import EmotionEstimate


class TextEstimator(Protocol):
    """Anything that turns a message into an estimate (source TEXT).

    ``confidence`` says how much the words can be trusted this time: near 0 for empty,
    non-language or one-emoji input, higher for clear, longer text.
    """

    def estimate(self, text: str) -> EmotionEstimate: ...
