"""/why says what the words, the face and the history suggested, and how sure it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emotion.fusion import HistoryPoint, fuse
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox, PhotoProblem, PhotoReading
from responses.explain import explain

NOW = datetime(2026, 3, 1, tzinfo=UTC)
HALF = timedelta(days=2)


def est(source: Source, confidence: float, **probs: float) -> EmotionEstimate:
    return EmotionEstimate.from_mapping(
        {Emotion(k): v for k, v in probs.items()}, source, confidence
    )


def reading(face: EmotionEstimate, faces: int = 1, width: int = 500) -> PhotoReading:
    boxes = tuple(FaceBox(0, 0, width, width, 0.95) for _ in range(faces))
    return PhotoReading(estimate=face, faces=boxes, image_size=(1000, 1000))


def test_words_only() -> None:
    result = fuse(est(Source.TEXT, 0.8, sad=0.7, neutral=0.3), None, (), now=NOW, half_life=HALF)
    text = explain(result)
    assert "Your words suggested sadness (about 70%)" in text
    assert "with some calm" in text
    assert "no photo" in text
    assert "no recent entries" in text
    assert "sure" in text and "confidence" in text
    assert "/feel" in text


def test_face_history_and_disagreement_are_described() -> None:
    text_est = est(Source.TEXT, 0.9, sad=0.9, neutral=0.1)
    face = est(Source.FACE, 0.9, happy=0.9, neutral=0.1)
    history = [HistoryPoint(NOW - timedelta(hours=3), (0, 0, 1, 0, 0, 0, 0))]
    photo = reading(face)
    result = fuse(text_est, photo, history, now=NOW, half_life=HALF)
    assert result.disagreement
    text = explain(result, photo=photo)
    assert "Your face suggested happiness" in text
    assert "recent entries leaned towards worry or fear" in text
    assert "different stories" in text
    assert "counted most" in text


def test_photo_problems_and_small_or_crowded_faces() -> None:
    text_est = est(Source.TEXT, 0.8, angry=0.8, neutral=0.2)
    no_face = PhotoReading(problem=PhotoProblem.NO_FACE, image_size=(640, 480))
    text = explain(fuse(text_est, no_face, (), now=NOW, half_life=HALF), photo=no_face)
    assert "couldn't find a face" in text
    crowded = reading(est(Source.FACE, 0.9, happy=1.0), faces=3, width=60)
    text = explain(fuse(text_est, crowded, (), now=NOW, half_life=HALF), photo=crowded)
    assert "more than one face" in text and "small in the picture" in text


def test_unsure_is_said_plainly() -> None:
    mumble = est(Source.TEXT, 0.05, neutral=0.3, sad=0.25, happy=0.25, fear=0.2)
    text = explain(fuse(mumble, None, (), now=NOW, half_life=HALF))
    assert "not very sure" in text


def test_a_stored_photo_without_a_face_is_not_called_no_photo() -> None:
    # What /why rebuilds from a stored entry: no photo reading, but a face weight of 0.
    words = est(Source.TEXT, 0.8, happy=0.9, neutral=0.1)
    photo = PhotoReading(problem=PhotoProblem.NO_FACE, image_size=(640, 480))
    result = fuse(words, photo, (), now=NOW, half_life=HALF)
    text = explain(result)  # no photo passed, as after a restart
    assert "I couldn't find a face in the photo, so I went by your words." in text
    assert "no photo" not in text
