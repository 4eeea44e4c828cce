"""/why for a stored entry: rebuild what the fusion saw, then let ``responses`` explain it.

Entries keep each source's probabilities, the history prior and the weights precisely so the
explanation can be given later, even after a restart.
"""

from __future__ import annotations

from types import MappingProxyType

from bot.domain import MediaKind, MoodEntry
from emotion.fusion import FusionResult
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import PhotoProblem, PhotoReading
from responses.explain import explain


def _estimate(
    probs: dict[str, float] | None, source: Source, confidence: float = 1.0
) -> EmotionEstimate | None:
    if probs is None:
        return None
    return EmotionEstimate.from_mapping(
        {Emotion(k): v for k, v in probs.items()}, source, confidence=confidence
    )


def fusion_of(entry: MoodEntry) -> FusionResult:
    # Entries from before the confidence was stored fall back to the top probability.
    confidence = entry.fused_confidence
    if confidence is None:
        confidence = max(entry.fused_probs.values(), default=0.0)
    fused = _estimate(entry.fused_probs, Source.FUSED, confidence)
    assert fused is not None
    weights = {Source(k): v for k, v in (entry.weights or {}).items()}
    return FusionResult(
        estimate=fused,
        weights=MappingProxyType(weights),
        dominant=entry.dominant,
        disagreement=entry.disagreement,
        text=_estimate(entry.text_probs, Source.TEXT),
        face=_estimate(entry.face_probs, Source.FACE),
        history=_estimate(entry.history_probs, Source.HISTORY),
    )


def explain_entry(entry: MoodEntry) -> str:
    """/why's answer for ``entry``: how each source counted, then, for a video, how the face
    changed over it (its stored summary), then the user's correction if they made one."""
    result = fusion_of(entry)
    photo = None
    video = entry.media_kind is MediaKind.VIDEO
    if result.face is None and Source.FACE in result.weights and entry.face_count > 0:
        # A face was found but could not be read: it was too small.
        photo = PhotoReading(problem=PhotoProblem.FACE_TOO_SMALL)
    elif result.face is None and video:
        # A video whose frames showed no readable face (its words were still read).
        photo = PhotoReading(problem=PhotoProblem.NO_FACE)
    text = explain(result, photo=photo, medium="video" if video else "photo")
    if entry.media_summary:
        # Made from the video's per-frame readings when it was read (never from its words).
        text += f"\n\n{entry.media_summary}"
    if entry.correction is not None:
        text += f"\n\nYou told me it was really {entry.correction.value}, so that is what I keep."
    return text
