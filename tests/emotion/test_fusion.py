"""Properties of the late fusion of words, face and history (seeded random loops)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from emotion.fusion import (
    DEFAULT_PARAMS,
    FusionParams,
    HistoryPoint,
    fuse,
    history_prior,
    peak,
)
from emotion.labels import LABELS, N_LABELS, Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox, PhotoProblem, PhotoReading

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def est(source: Source, confidence: float = 0.9, **probs: float) -> EmotionEstimate:
    return EmotionEstimate.from_mapping(
        {Emotion(k): v for k, v in probs.items()}, source, confidence
    )


def photo(
    face: EmotionEstimate | None,
    *,
    fraction: float = 0.5,
    detection: float = 1.0,
    faces: int = 1,
) -> PhotoReading:
    side = 1000
    width = int(fraction * side)
    boxes = tuple(FaceBox(0, 0, width, width, detection) for _ in range(faces))
    return PhotoReading(estimate=face, faces=boxes, image_size=(side, side))


def one_hot(label: Emotion) -> tuple[float, ...]:
    return tuple(1.0 if lab is label else 0.0 for lab in LABELS)


def random_estimate(rng: random.Random, source: Source) -> EmotionEstimate:
    raw = [rng.random() ** 3 for _ in range(N_LABELS)]
    return EmotionEstimate(tuple(raw), source, rng.random())


def test_weights_sum_to_one_and_dominant_is_the_largest() -> None:
    rng = random.Random(42)
    for _ in range(500):
        text = random_estimate(rng, Source.TEXT) if rng.random() < 0.8 else None
        face = random_estimate(rng, Source.FACE) if rng.random() < 0.6 else None
        reading = None
        if face is not None or rng.random() < 0.2:
            reading = photo(
                face,
                fraction=rng.random(),
                detection=rng.random(),
                faces=rng.randint(1, 4),
            )
        history = [
            HistoryPoint(
                NOW - rng.random() * 20 * DAY, random_estimate(rng, Source.HISTORY).probabilities
            )
            for _ in range(rng.randint(0, 6))
        ]
        result = fuse(text, reading, history, now=NOW, half_life=3 * DAY)
        assert sum(result.weights.values()) == pytest.approx(1.0)
        assert all(w >= 0.0 for w in result.weights.values())
        assert result.weights[result.dominant] == max(result.weights.values())
        assert sum(result.estimate.probabilities) == pytest.approx(1.0)
        assert result.estimate.source is Source.FUSED
        assert 0.0 <= result.estimate.confidence <= 1.0


def test_no_face_equals_the_text_estimate() -> None:
    rng = random.Random(1)
    for _ in range(100):
        text = random_estimate(rng, Source.TEXT)
        for reading in (None, PhotoReading(problem=PhotoProblem.NO_FACE)):
            result = fuse(text, reading, (), now=NOW, half_life=DAY)
            assert result.estimate.probabilities == pytest.approx(text.probabilities, abs=1e-12)
            expected = {Source.TEXT: 1.0} if reading is None else {Source.TEXT: 1.0, Source.FACE: 0}
            assert result.dominant is Source.TEXT and result.weights == expected
            assert result.face is None and not result.disagreement


def test_no_usable_text_leans_on_the_face() -> None:
    face = est(Source.FACE, 0.8, happy=0.8, neutral=0.2)
    empty = EmotionEstimate.neutral(Source.TEXT, 0.0)
    result = fuse(empty, photo(face), (), now=NOW, half_life=DAY)
    assert result.dominant is Source.FACE
    assert result.estimate.probabilities == pytest.approx(face.probabilities, abs=1e-12)
    assert fuse(None, photo(face), (), now=NOW, half_life=DAY).estimate.top is Emotion.HAPPY


def test_nothing_at_all_is_a_neutral_guess_with_no_confidence() -> None:
    result = fuse(None, None, (), now=NOW, half_life=DAY)
    assert result.estimate.top is Emotion.NEUTRAL
    assert sum(result.weights.values()) == pytest.approx(1.0)


def test_agreeing_sources_sharpen_the_estimate() -> None:
    text = est(Source.TEXT, 0.9, sad=0.5, neutral=0.3, fear=0.2)
    face = est(Source.FACE, 0.9, sad=0.5, neutral=0.2, angry=0.3)
    result = fuse(text, photo(face), (), now=NOW, half_life=DAY)
    assert result.estimate.top is Emotion.SAD
    assert result.estimate.probability(Emotion.SAD) > 0.5
    assert not result.disagreement


@pytest.mark.parametrize(
    ("words", "face"),
    [
        ({"sad": 0.9, "neutral": 0.1}, {"happy": 0.9, "neutral": 0.1}),  # a smile, heavy words
        ({"neutral": 0.9, "happy": 0.1}, {"sad": 0.85, "angry": 0.15}),  # a frown, "I'm fine"
        ({"happy": 0.9, "surprise": 0.1}, {"angry": 0.9, "neutral": 0.1}),
    ],
)
def test_disagreement_is_flagged_and_words_keep_more_say(
    words: dict[str, float], face: dict[str, float]
) -> None:
    text_est = est(Source.TEXT, 0.9, **words)
    face_est = est(Source.FACE, 0.9, **face)
    result = fuse(text_est, photo(face_est), (), now=NOW, half_life=DAY)
    assert result.disagreement
    calm = fuse(
        text_est,
        photo(face_est),
        (),
        now=NOW,
        half_life=DAY,
        params=FusionParams(disagreement_face_scale=1.0),
    )
    assert result.weights[Source.FACE] <= calm.weights[Source.FACE]
    assert (
        result.estimate.confidence
        < calm.estimate.confidence / DEFAULT_PARAMS.disagreement_confidence + 1e-9
    )


def test_no_disagreement_when_one_side_is_not_usable() -> None:
    text = est(Source.TEXT, 0.9, sad=0.9, neutral=0.1)
    smile = est(Source.FACE, 0.9, happy=0.9, neutral=0.1)
    tiny = fuse(text, photo(smile, fraction=0.02), (), now=NOW, half_life=DAY)
    assert not tiny.disagreement
    mumble = fuse(est(Source.TEXT, 0.02, sad=1.0), photo(smile), (), now=NOW, half_life=DAY)
    assert not mumble.disagreement
    assert mumble.dominant is Source.FACE


def test_face_trust_follows_size_detection_and_crowd() -> None:
    text = est(Source.TEXT, 0.6, neutral=0.6, sad=0.4)
    face = est(Source.FACE, 0.8, neutral=0.7, happy=0.3)

    def face_weight(**kwargs: float) -> float:
        return fuse(text, photo(face, **kwargs), (), now=NOW, half_life=DAY).weights[Source.FACE]  # type: ignore[arg-type]

    sizes = [face_weight(fraction=f) for f in (0.02, 0.08, 0.15, 0.3, 0.8)]
    assert sizes == sorted(sizes) and sizes[0] == 0.0
    detections = [face_weight(detection=d) for d in (0.1, 0.5, 1.0)]
    assert detections == sorted(detections)
    crowds = [face_weight(faces=n) for n in (1, 2, 5)]
    assert crowds == sorted(crowds, reverse=True)
    unknown_size = PhotoReading(estimate=face, faces=(FaceBox(0, 0, 10, 10, 1.0),))
    half = fuse(text, unknown_size, (), now=NOW, half_life=DAY).weights[Source.FACE]
    assert 0.0 < half < face_weight(fraction=0.8)


def test_text_trust_follows_confidence_and_peak() -> None:
    face = est(Source.FACE, 0.8, neutral=0.7, happy=0.3)
    weights = [
        fuse(
            est(Source.TEXT, c, sad=0.7, neutral=0.3), photo(face), (), now=NOW, half_life=DAY
        ).weights[Source.TEXT]
        for c in (0.1, 0.5, 0.9)
    ]
    assert weights == sorted(weights)
    flat = est(Source.TEXT, 0.9, **{label.value: 1.0 for label in LABELS})
    sharp = est(Source.TEXT, 0.9, sad=1.0)
    assert peak(flat) == pytest.approx(0.0) and peak(sharp) == pytest.approx(1.0)
    w_flat = fuse(flat, photo(face), (), now=NOW, half_life=DAY).weights[Source.TEXT]
    w_sharp = fuse(sharp, photo(face), (), now=NOW, half_life=DAY).weights[Source.TEXT]
    assert w_flat < w_sharp


def test_history_fades_with_age() -> None:
    text = est(Source.TEXT, 0.5, neutral=0.6, happy=0.4)
    weights = []
    for age_days in (0, 1, 3, 10, 60):
        history = [HistoryPoint(NOW - age_days * DAY, one_hot(Emotion.SAD)) for _ in range(3)]
        result = fuse(text, None, history, now=NOW, half_life=2 * DAY)
        weights.append(result.weights[Source.HISTORY])
    assert weights == sorted(weights, reverse=True)
    assert weights[-1] < 0.01


def test_history_half_life_halves_the_mass() -> None:
    point = [HistoryPoint(NOW - 2 * DAY, one_hot(Emotion.SAD))]
    _, mass = history_prior(point, now=NOW, half_life=2 * DAY)
    assert mass == pytest.approx(0.5)
    future = [HistoryPoint(NOW + DAY, one_hot(Emotion.SAD))]
    assert history_prior(future, now=NOW, half_life=DAY)[1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        history_prior(point, now=NOW, half_life=timedelta(0))


def test_recent_corrections_pull_an_unsure_estimate_but_not_a_clear_one() -> None:
    history = [HistoryPoint(NOW - timedelta(hours=h), one_hot(Emotion.FEAR)) for h in (1, 5, 20)]
    unsure = est(Source.TEXT, 0.2, neutral=0.3, fear=0.25, sad=0.25, happy=0.2)
    pulled = fuse(unsure, None, history, now=NOW, half_life=2 * DAY)
    assert pulled.estimate.top is Emotion.FEAR
    assert pulled.history is not None and pulled.history.top is Emotion.FEAR
    clear = est(Source.TEXT, 0.95, happy=0.95, neutral=0.05)
    kept = fuse(clear, None, history, now=NOW, half_life=2 * DAY)
    assert kept.estimate.top is Emotion.HAPPY and kept.dominant is Source.TEXT
    assert kept.weights[Source.HISTORY] <= DEFAULT_PARAMS.history_base


def test_sources_are_kept_for_explanations() -> None:
    text = est(Source.TEXT, 0.7, sad=0.8, neutral=0.2)
    face = est(Source.FACE, 0.7, sad=0.6, neutral=0.4)
    history = [HistoryPoint(NOW - DAY, one_hot(Emotion.NEUTRAL))]
    result = fuse(text, photo(face), history, now=NOW, half_life=DAY)
    assert result.text is text and result.face is face and result.history is not None
    assert set(result.trust) == {Source.TEXT, Source.FACE, Source.HISTORY}


def test_a_contradicting_face_counts_less_than_a_supporting_one() -> None:
    words = est(Source.TEXT, 0.8, sad=0.8, neutral=0.2)
    supporting = est(Source.FACE, 0.8, sad=0.8, neutral=0.2)
    contradicting = est(Source.FACE, 0.8, angry=0.8, neutral=0.2)  # same valence: no flag
    w_support = fuse(words, photo(supporting), (), now=NOW, half_life=DAY).weights[Source.FACE]
    result = fuse(words, photo(contradicting), (), now=NOW, half_life=DAY)
    assert not result.disagreement
    assert result.weights[Source.FACE] < w_support
    off = FusionParams(contradiction_power=0.0)
    w_off = fuse(words, photo(contradicting), (), now=NOW, half_life=DAY, params=off)
    assert w_off.weights[Source.FACE] == pytest.approx(w_support)


def test_a_neutral_face_does_not_contradict_happy_words() -> None:
    words = est(Source.TEXT, 0.9, happy=0.96, neutral=0.04)
    neutral_face = est(Source.FACE, 0.9, neutral=0.9, sad=0.1)
    result = fuse(words, photo(neutral_face), (), now=NOW, half_life=DAY)
    assert not result.disagreement
    assert result.estimate.top is Emotion.HAPPY


def test_a_face_showing_the_opposite_feeling_still_disagrees() -> None:
    words = est(Source.TEXT, 0.9, happy=0.96, neutral=0.04)
    sad_face = est(Source.FACE, 0.9, sad=0.9, neutral=0.1)
    assert fuse(words, photo(sad_face), (), now=NOW, half_life=DAY).disagreement
    heavy_words = est(Source.TEXT, 0.9, sad=0.9, neutral=0.1)
    smile = est(Source.FACE, 0.9, happy=0.9, neutral=0.1)
    assert fuse(heavy_words, photo(smile), (), now=NOW, half_life=DAY).disagreement


def test_a_photo_without_a_readable_face_is_recorded_as_counting_nothing() -> None:
    words = est(Source.TEXT, 0.9, happy=0.9, neutral=0.1)
    for problem in (PhotoProblem.NO_FACE, PhotoProblem.FACE_TOO_SMALL):
        result = fuse(words, PhotoReading(problem=problem), (), now=NOW, half_life=DAY)
        assert result.weights[Source.FACE] == 0.0 and result.dominant is Source.TEXT
    broken = fuse(words, PhotoReading(problem=PhotoProblem.TRUNCATED), (), now=NOW, half_life=DAY)
    assert Source.FACE not in broken.weights
