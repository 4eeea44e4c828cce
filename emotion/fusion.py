"""Fusing what the words, the face and the user's recent history say into one estimate.

A pure function (no I/O, no clock: ``now`` is passed in) so the rule can be tested and
explained. It is a *late* fusion: each source gives its own 7-label probabilities and the
fusion only decides how far to trust each one this time.

The rule
--------
Each source gets a raw trust in 0..1, then a base weight, and the weights are normalised to
sum to 1 over the sources that are present (CAPITALISED names are ``FusionParams`` fields):

* **peak** of a distribution: ``(top - 1/7) / (1 - 1/7)``, 0 for a flat guess, 1 for a
  one-hot one; ``sharp = PEAK_FLOOR + (1 - PEAK_FLOOR) * peak`` so a flat guess keeps half
  its say rather than none (the models' top probabilities are modest even when right).
* **text**: ``text.confidence * sharp(text)``. The text estimators already fold message
  length, emoji-only input and unknown language into ``confidence``.
* **face**: ``detection * size * crowd * face.confidence * sharp(face)``, where
  ``detection`` is the detector's confidence in the face; ``size`` rises smoothly from 0 at
  ``MIN_FACE_FRACTION`` to 1 at ``FULL_FACE_FRACTION`` of the shorter image side (0.5 when
  the size is unknown); ``crowd = 1 / (1 + EXTRA_FACE_PENALTY * (faces - 1))`` because with
  several faces the largest one may not be the sender's.
* **history**: a prior from the user's recent entries, each weighted by
  ``0.5 ** (age / half_life)`` (a corrected entry arrives as a one-hot). Its trust is
  ``m / (m + 1)`` for total decayed mass ``m``, times ``HISTORY_BASE``, so a long, recent
  history counts for at most ``HISTORY_BASE`` and an old one fades to nothing.
* base weights ``TEXT_BASE`` and ``FACE_BASE`` set the words-versus-face balance.
* **contradiction**: the face weight is further multiplied by ``overlap ** CONTRADICTION_POWER``
  where ``overlap`` is the Bhattacharyya coefficient of the two distributions (1 when they
  agree, 0 when they share nothing): a face that supports the words sharpens the estimate, a
  face that contradicts them (also within the unpleasant labels, sad words with an angry face)
  is trusted less. Only usable words (trust >= ``USABLE``) can discount a face, and never
  below ``MIN_OVERLAP ** CONTRADICTION_POWER``. Measured on the bench, this keeps most of
  the gain on matching pairs while a misleading face costs less.

**Disagreement** is flagged when both words and face are usable (trust >= ``USABLE``), the
pleasantness they imply (``EmotionEstimate.valence``) differs by at least ``VALENCE_GAP`` and
the face itself shows a feeling (its valence at least ``VALENCE_POLE`` from 0): a smile with
heavy words, a frown with "I'm fine". A neutral face beside happy or sad words is no
contradiction: people rarely hold an expression for a selfie, and asking "how are you really?"
after "I got the job!!!" reads as not listening. It is a first-class signal (the reply asks
instead of guessing), and while it holds the face weight is multiplied by
``DISAGREEMENT_FACE_SCALE``: what someone chose to say outweighs an expression that may be a
polite smile.

The probabilities are pooled log-linearly (a weighted geometric mean, floored at ``FLOOR`` so
one source cannot veto a label outright), which sharpens where sources agree. With a single
source present the result is that source's distribution exactly, so with no face and no
history the fused estimate equals the text estimate. The fused ``confidence`` is the
weight-averaged trust, lowered by ``DISAGREEMENT_CONFIDENCE`` when the sources disagree.

The constants were chosen on one half of the fusion bench's face/message pairs and reported
on the other half (``bench/fusion_bench.py``, which prints the split and the numbers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from emotion.labels import N_LABELS, EmotionEstimate, Source
from emotion.photo import PhotoProblem, PhotoReading

_NO_READABLE_FACE = frozenset({PhotoProblem.NO_FACE, PhotoProblem.FACE_TOO_SMALL})


@dataclass(frozen=True, slots=True)
class FusionParams:
    """The documented weights of the rule (see the module docstring)."""

    text_base: float = 1.0
    face_base: float = 1.0
    history_base: float = 0.3
    peak_floor: float = 0.5
    min_face_fraction: float = 0.05
    full_face_fraction: float = 0.25
    unknown_size: float = 0.5
    extra_face_penalty: float = 0.5
    usable: float = 0.15
    valence_gap: float = 0.8
    valence_pole: float = 0.2
    disagreement_face_scale: float = 0.5
    disagreement_confidence: float = 0.7
    contradiction_power: float = 0.5
    min_overlap: float = 0.05
    floor: float = 1e-3


DEFAULT_PARAMS = FusionParams()


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One past entry: when, and its probabilities (LABELS order; one-hot if corrected)."""

    at: datetime
    probabilities: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class FusionResult:
    """The fused estimate plus everything needed to explain it (/why)."""

    estimate: EmotionEstimate
    weights: Mapping[Source, float]
    dominant: Source
    disagreement: bool
    text: EmotionEstimate | None = None
    face: EmotionEstimate | None = None
    history: EmotionEstimate | None = None
    #: Each source's own trust before normalisation (0..1), for explanations and tests.
    trust: Mapping[Source, float] = field(default_factory=lambda: MappingProxyType({}))


def peak(estimate: EmotionEstimate) -> float:
    """How far the top probability stands above a flat guess, 0..1."""
    uniform = 1.0 / N_LABELS
    return max(0.0, (estimate.top_probability - uniform) / (1.0 - uniform))


def _sharp(estimate: EmotionEstimate, p: FusionParams) -> float:
    return p.peak_floor + (1.0 - p.peak_floor) * peak(estimate)


def _smoothstep(x: float, lo: float, hi: float) -> float:
    if hi <= lo:
        return 1.0 if x >= hi else 0.0
    t = min(1.0, max(0.0, (x - lo) / (hi - lo)))
    return t * t * (3.0 - 2.0 * t)


def text_trust(text: EmotionEstimate, p: FusionParams = DEFAULT_PARAMS) -> float:
    return text.confidence * _sharp(text, p)


def face_trust(
    photo: PhotoReading, face: EmotionEstimate, p: FusionParams = DEFAULT_PARAMS
) -> float:
    box = photo.face
    detection = 1.0 if box is None else min(1.0, max(0.0, box.confidence))
    if box is None or not photo.image_size:
        size = p.unknown_size
    else:
        size = _smoothstep(photo.face_fraction, p.min_face_fraction, p.full_face_fraction)
    crowd = 1.0 / (1.0 + p.extra_face_penalty * max(0, len(photo.faces) - 1))
    return detection * size * crowd * face.confidence * _sharp(face, p)


def history_prior(
    history: Sequence[HistoryPoint], *, now: datetime, half_life: timedelta
) -> tuple[EmotionEstimate | None, float]:
    """The decayed mean of past entries and its total decayed mass (0 when there is none)."""
    if half_life <= timedelta(0):
        raise ValueError("half_life must be positive")
    total = [0.0] * N_LABELS
    mass = 0.0
    for point in history:
        age = max(0.0, (now - point.at).total_seconds())
        weight = 0.5 ** (age / half_life.total_seconds())
        probs = EmotionEstimate(point.probabilities, Source.HISTORY, 1.0).probabilities
        mass += weight
        for i, value in enumerate(probs):
            total[i] += weight * value
    if mass <= 1e-12:
        return None, 0.0
    prior = EmotionEstimate(tuple(t / mass for t in total), Source.HISTORY, mass / (mass + 1.0))
    return prior, mass


def overlap(a: EmotionEstimate, b: EmotionEstimate) -> float:
    """Bhattacharyya coefficient: 1 for identical distributions, 0 for disjoint ones."""
    return min(
        1.0, sum(math.sqrt(x * y) for x, y in zip(a.probabilities, b.probabilities, strict=True))
    )


def disagree(text: EmotionEstimate, face: EmotionEstimate, p: FusionParams) -> bool:
    """Far-apart valences and a face that shows a feeling (see the module docstring)."""
    shown = abs(face.valence) >= p.valence_pole
    return shown and abs(text.valence - face.valence) >= p.valence_gap


def _pool(parts: Sequence[tuple[EmotionEstimate, float]], floor: float) -> tuple[float, ...]:
    live = [(e, w) for e, w in parts if w > 0.0]
    if len(live) == 1:
        return live[0][0].probabilities
    logs = [0.0] * N_LABELS
    for estimate, weight in live:
        for i, value in enumerate(estimate.probabilities):
            logs[i] += weight * math.log(max(value, floor))
    top = max(logs)
    unnorm = [math.exp(v - top) for v in logs]
    total = sum(unnorm)
    return tuple(v / total for v in unnorm)


def fuse(
    text: EmotionEstimate | None,
    photo: PhotoReading | None,
    history: Sequence[HistoryPoint] = (),
    *,
    now: datetime,
    half_life: timedelta,
    params: FusionParams = DEFAULT_PARAMS,
) -> FusionResult:
    """Fuse the words, the face (if a face was read) and the history prior into one estimate."""
    p = params
    face = photo.estimate if photo is not None else None
    prior, _mass = history_prior(history, now=now, half_life=half_life)

    trust: dict[Source, float] = {}
    if text is not None:
        trust[Source.TEXT] = text_trust(text, p)
    if face is not None and photo is not None:
        trust[Source.FACE] = face_trust(photo, face, p)
    if prior is not None:
        trust[Source.HISTORY] = prior.confidence

    disagreement = (
        text is not None
        and face is not None
        and trust[Source.TEXT] >= p.usable
        and trust[Source.FACE] >= p.usable
        and disagree(text, face, p)
    )
    base = {
        Source.TEXT: p.text_base,
        Source.FACE: p.face_base * (p.disagreement_face_scale if disagreement else 1.0),
        Source.HISTORY: p.history_base,
    }
    raw = {source: base[source] * value for source, value in trust.items()}
    if text is not None and face is not None and trust[Source.TEXT] >= p.usable:
        raw[Source.FACE] *= max(overlap(text, face), p.min_overlap) ** p.contradiction_power
    total = sum(raw.values())
    estimates = {Source.TEXT: text, Source.FACE: face, Source.HISTORY: prior}
    if total <= 1e-9:
        # Nothing can be trusted: fall back to the first source we have, in this order.
        fallback = next((s for s in (Source.TEXT, Source.FACE, Source.HISTORY) if s in raw), None)
        raw = {fallback or Source.TEXT: 1.0}
        total = 1.0
    weights = {source: value / total for source, value in raw.items()}
    if photo is not None and face is None and photo.problem in _NO_READABLE_FACE:
        # The photo was fine but held no readable face: recorded as a face weight of 0, so
        # /why can say so later instead of "there was no photo".
        weights[Source.FACE] = 0.0

    parts = []
    for source, weight in weights.items():
        estimate = estimates[source]
        if estimate is not None:
            parts.append((estimate, weight))
    if parts:
        probabilities = _pool(parts, p.floor)
    else:
        probabilities = EmotionEstimate.neutral(Source.FUSED).probabilities
    confidence = sum(weights[s] * trust.get(s, 0.0) for s in weights)
    if disagreement:
        confidence *= p.disagreement_confidence
    dominant = max(weights, key=lambda s: weights[s])
    return FusionResult(
        estimate=EmotionEstimate(probabilities, Source.FUSED, confidence),
        weights=MappingProxyType(weights),
        dominant=dominant,
        disagreement=disagreement,
        text=text,
        face=face,
        history=prior,
        trust=MappingProxyType(dict(trust)),
    )
