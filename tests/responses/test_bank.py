"""The reply bank: enough variants, slots filled, no repeats within the last ten."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from emotion.fusion import fuse
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox, PhotoReading
from responses.bank import (
    NO_REPEAT_WINDOW,
    ReplyContext,
    ReplySet,
    bank,
    context_for,
    describe_change,
    pick,
)
from responses.tone import Tone, Trend

ALL_SETS = [*Tone, *ReplySet]
#: Sets every reply falls back to: they must keep the no-repeat promise with no context.
PLAIN_SETS = [*Tone, ReplySet.PHOTO_UNREADABLE, ReplySet.NO_FACE, ReplySet.CRISIS]
#: Reflection and dialogue-act sets: always tried before a plain set, never the last resort.
SMALL_SETS = [s for s in ReplySet if s not in PLAIN_SETS]


@pytest.mark.parametrize("name", SMALL_SETS)
def test_small_sets_have_variants_and_never_repeat_back_to_back(name: str) -> None:
    assert len(bank()[name]) >= 3
    context = ReplyContext(
        name="Sam",
        event="your car broke down again",
        belief="you'll end up alone",
        topic="your car",
        prev_topic="your grandma",
    )
    rng = random.Random(5)
    history: list[str] = []
    for _ in range(50):
        chosen = pick(name, context, history[-NO_REPEAT_WINDOW:], rng)
        assert not history or chosen.id != history[-1]
        assert "{" not in chosen.text and "}" not in chosen.text
        history.append(chosen.id)


@pytest.mark.parametrize("name", PLAIN_SETS)
def test_each_set_has_enough_plain_variants(name: str) -> None:
    replies = bank()[name]
    assert len(replies) >= 8
    plain = [r for r in replies if not r.slots and not r.needs_photo]
    assert len(plain) > NO_REPEAT_WINDOW  # so the no-repeat promise holds with no context


def test_ids_are_stable_and_prefixed_by_their_set() -> None:
    for name, replies in bank().items():
        for reply in replies:
            assert re.fullmatch(rf"{name}-\d\d", reply.id)


def test_replies_are_short_warm_and_never_diagnose() -> None:
    banned = ("depress", "disorder", "diagnos", "you have anxiety", "you should", "calm down")
    for replies in bank().values():
        for reply in replies:
            assert len(reply.template) <= 140, reply.id
            lowered = reply.template.lower()
            assert not any(word in lowered for word in banned), reply.id


@pytest.mark.parametrize("name", [*Tone])
def test_tone_replies_invite_the_user_to_say_more(name: str) -> None:
    asking = [r for r in bank()[name] if "?" in r.template]
    assert len(asking) >= len(bank()[name]) * 0.7


@pytest.mark.parametrize("name", PLAIN_SETS)
def test_no_repeat_within_last_ten_over_long_runs(name: str) -> None:
    rng = random.Random(7)
    contexts = [
        ReplyContext(),
        ReplyContext(name="Sam", change="That sounds lighter than last time.", photo_read=True),
        ReplyContext(face_mood="cheerful", words_mood="down"),
    ]
    for context in contexts:
        history: list[str] = []
        for _ in range(200):
            chosen = pick(name, context, history[-NO_REPEAT_WINDOW:], rng)
            assert chosen.id not in history[-NO_REPEAT_WINDOW:]
            assert "{" not in chosen.text and "}" not in chosen.text
            history.append(chosen.id)


def test_slots_are_filled_and_unknown_slots_are_skipped() -> None:
    rng = random.Random(3)
    texts = {pick(Tone.CHECK_IN, ReplyContext(), [], rng).text for _ in range(200)}
    assert not any("{" in t for t in texts)
    context = ReplyContext(name="Ana Lopez", face_mood="cheerful", words_mood="down")
    texts = {pick(Tone.CHECK_IN, context, [], rng).text for _ in range(300)}
    assert any("Ana" in t and "Lopez" not in t for t in texts)
    assert any("cheerful" in t and "down" in t for t in texts)


def test_photo_replies_only_after_a_photo() -> None:
    rng = random.Random(5)
    without = {pick(Tone.CELEBRATE, ReplyContext(), [], rng).id for _ in range(300)}
    with_photo = {
        pick(Tone.CELEBRATE, ReplyContext(photo_read=True), [], rng).id for _ in range(300)
    }
    photo_ids = {r.id for r in bank()[Tone.CELEBRATE] if r.needs_photo}
    assert photo_ids and not (without & photo_ids) and (with_photo & photo_ids)


def test_exhausted_set_falls_back_to_the_oldest() -> None:
    every = [r.id for r in bank()[ReplySet.CRISIS] if not r.slots]
    chosen = pick(ReplySet.CRISIS, ReplyContext(), every, random.Random(0))
    assert chosen.id == every[0]


def test_names_are_cleaned() -> None:
    context = ReplyContext(name="  {evil}\n\u202eName  ")
    rng = random.Random(1)
    texts = [pick(Tone.CURIOUS, context, [], rng).text for _ in range(100)]
    assert all("\n" not in t and "\u202e" not in t for t in texts)


def test_describe_change() -> None:
    assert describe_change(None, Emotion.HAPPY, Trend.BETTER) is None
    assert describe_change(Emotion.SAD, Emotion.HAPPY, Trend.STEADY) is None
    assert "lighter" in (describe_change(Emotion.SAD, Emotion.HAPPY, Trend.BETTER) or "")
    assert "heavier" in (describe_change(Emotion.HAPPY, Emotion.SAD, Trend.WORSE) or "")


def test_context_for_names_both_moods_only_on_disagreement() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    words = EmotionEstimate.from_mapping({Emotion.SAD: 0.9, Emotion.NEUTRAL: 0.1}, Source.TEXT, 0.9)
    smile = EmotionEstimate.from_mapping({Emotion.HAPPY: 0.9}, Source.FACE, 0.9)
    frown = EmotionEstimate.from_mapping({Emotion.SAD: 0.9}, Source.FACE, 0.9)
    for face, disagree in ((smile, True), (frown, False)):
        photo = PhotoReading(
            estimate=face, faces=(FaceBox(0, 0, 500, 500, 1.0),), image_size=(900, 900)
        )
        result = fuse(words, photo, (), now=now, half_life=timedelta(days=1))
        context = context_for(result, name="Kim", previous=Emotion.HAPPY, trend=Trend.WORSE)
        assert result.disagreement is disagree
        assert (context.face_mood, context.words_mood) == (
            ("cheerful", "down") if disagree else (None, None)
        )
        assert context.photo_read and context.name == "Kim"
        assert context.change and "heavier" in context.change
    assert context_for(None, name="Kim") == ReplyContext(name="Kim")


def test_a_face_and_words_contrast_is_only_named_when_they_differ() -> None:
    rng = random.Random(11)
    same = ReplyContext(face_mood="down", words_mood="down")
    texts = {pick(Tone.CHECK_IN, same, [], rng).text for _ in range(300)}
    assert not any("face" in t for t in texts)
