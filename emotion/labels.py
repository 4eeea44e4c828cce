"""The seven emotion labels every model, the fusion and the replies share.

The order is FER-2013's label order (0 angry … 6 neutral). Every probability vector in the
project is indexed by this order; model files declare their own order beside the weights and
are re-ordered to this one when they load, so no label is ever guessed from a position.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Emotion(StrEnum):
    ANGRY = "angry"
    DISGUST = "disgust"
    FEAR = "fear"
    HAPPY = "happy"
    SAD = "sad"
    SURPRISE = "surprise"
    NEUTRAL = "neutral"


LABELS: tuple[Emotion, ...] = tuple(Emotion)
N_LABELS = len(LABELS)

#: How pleasant each emotion feels, from -1 (very unpleasant) to +1 (very pleasant). Used for
#: the mood line in charts and for trends; rough circumplex values, not a clinical scale.
VALENCE: Mapping[Emotion, float] = {
    Emotion.ANGRY: -0.8,
    Emotion.DISGUST: -0.7,
    Emotion.FEAR: -0.7,
    Emotion.HAPPY: 0.9,
    Emotion.SAD: -0.8,
    Emotion.SURPRISE: 0.2,
    Emotion.NEUTRAL: 0.0,
}


class Source(StrEnum):
    """Where an estimate came from."""

    TEXT = "text"
    FACE = "face"
    HISTORY = "history"
    FUSED = "fused"


def _normalise(values: Sequence[float]) -> tuple[float, ...]:
    if len(values) != N_LABELS:
        raise ValueError(f"expected {N_LABELS} probabilities, got {len(values)}")
    clipped = [v if math.isfinite(v) and v > 0.0 else 0.0 for v in values]
    total = sum(clipped)
    if total <= 0.0:
        return tuple(1.0 / N_LABELS for _ in clipped)
    return tuple(v / total for v in clipped)


@dataclass(frozen=True, slots=True)
class EmotionEstimate:
    """A probability for each label (in ``LABELS`` order) plus how sure the source is.

    ``confidence`` is the source's own trust in this estimate (0..1), separate from the
    probabilities: a text model can be sure that a two-letter message tells nothing.
    """

    probabilities: tuple[float, ...]
    source: Source
    confidence: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "probabilities", _normalise(self.probabilities))
        object.__setattr__(self, "confidence", min(1.0, max(0.0, float(self.confidence))))

    @classmethod
    def from_mapping(
        cls, scores: Mapping[Emotion, float], source: Source, confidence: float
    ) -> EmotionEstimate:
        return cls(tuple(float(scores.get(label, 0.0)) for label in LABELS), source, confidence)

    @classmethod
    def neutral(cls, source: Source, confidence: float = 0.0) -> EmotionEstimate:
        return cls.from_mapping({Emotion.NEUTRAL: 1.0}, source, confidence)

    @property
    def top(self) -> Emotion:
        best = max(range(N_LABELS), key=lambda i: self.probabilities[i])
        return LABELS[best]

    @property
    def top_probability(self) -> float:
        return max(self.probabilities)

    def probability(self, label: Emotion) -> float:
        return self.probabilities[LABELS.index(label)]

    def as_dict(self) -> dict[str, float]:
        return {label.value: p for label, p in zip(LABELS, self.probabilities, strict=True)}

    @property
    def valence(self) -> float:
        """Expected pleasantness (-1..1) under this distribution."""
        return sum(VALENCE[label] * p for label, p in zip(LABELS, self.probabilities, strict=True))
