"""Corrections and /feel arguments map the user's own words onto the seven labels."""

from __future__ import annotations

import pytest

from emotion.labels import Emotion
from responses.corrections import parse_correction, parse_feel_argument


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("that's wrong, I'm actually anxious", Emotion.FEAR),
        ("That\u2019s wrong, I\u2019m actually anxious", Emotion.FEAR),
        ("no, I'm sad", Emotion.SAD),
        ("nope, furious", Emotion.ANGRY),
        ("not sad, more like angry", Emotion.ANGRY),
        ("I'm not happy, I'm furious", Emotion.ANGRY),
        ("you got it wrong, i was thrilled", Emotion.HAPPY),
        ("no I'm fine", Emotion.NEUTRAL),
        ("wrong! grossed out", Emotion.DISGUST),
        ("that's not right, I'm not angry I'm shocked", Emotion.SURPRISE),
        ("actually I'm pretty stressed", Emotion.FEAR),
    ],
)
def test_corrections(text: str, emotion: Emotion) -> None:
    assert parse_correction(text) is emotion


@pytest.mark.parametrize(
    "text",
    [
        "I am sad",  # a feeling, but not a correction
        "I feel good today",
        "no",
        "that's wrong",  # a correction with no feeling named
        "I'm not sad",
        "no way that happened",
        "I was not happy about the weather",
        "",
        "x" * 500,
    ],
)
def test_not_corrections(text: str) -> None:
    assert parse_correction(text) is None


@pytest.mark.parametrize(
    ("arg", "emotion"),
    [
        ("angry", Emotion.ANGRY),
        ("Anxious", Emotion.FEAR),
        ("furious", Emotion.ANGRY),
        ("gross", Emotion.DISGUST),
        ("thrilled!", Emotion.HAPPY),
        ("shocked", Emotion.SURPRISE),
        ("ok", Emotion.NEUTRAL),
        ("fine", Emotion.NEUTRAL),
        ("very sad", Emotion.SAD),
        ("I'm feeling a bit nervous", Emotion.FEAR),
        ("pissed off", Emotion.ANGRY),
        ("😡", Emotion.ANGRY),
        ("😢", Emotion.SAD),
        ("neutral", Emotion.NEUTRAL),
    ],
)
def test_feel_argument(arg: str, emotion: Emotion) -> None:
    assert parse_feel_argument(arg) is emotion


@pytest.mark.parametrize("arg", ["", "   ", "not happy", "sad and angry", "banana", "🍌"])
def test_unclear_feel_argument(arg: str) -> None:
    assert parse_feel_argument(arg) is None


def test_every_label_is_reachable_by_its_own_name() -> None:
    for label in Emotion:
        assert parse_feel_argument(label.value) is label


def test_only_real_corrections_fire() -> None:
    from responses.corrections import parse_correction

    # A reassurance aimed at attune does not rewrite the mood log...
    assert parse_correction("I'm not upset with you, just worn out") is None
    assert parse_correction("I'm not mad at you, I'm just sad") is None
    # ...unless the reading is called wrong outright.
    assert parse_correction("that's wrong, I'm not mad at you, I'm scared") is Emotion.FEAR
    # "more X than Y" corrects to X.
    assert parse_correction("no, I'm more hurt than angry") is Emotion.SAD
    assert parse_correction("actually more nervous than excited") is Emotion.FEAR


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("nope, I'm really nervous", Emotion.FEAR),
        ("you're wrong, i'm more annoyed than anything", Emotion.ANGRY),
        ("I'm not angry, I'm heartbroken", Emotion.SAD),
        ("not scared but furious", Emotion.ANGRY),
        ("no, more like excited", Emotion.HAPPY),
        ("that's not how i feel, i feel calm", Emotion.NEUTRAL),
    ],
)
def test_explicit_corrections_of_the_reading(text: str, emotion: Emotion) -> None:
    assert parse_correction(text) is emotion


@pytest.mark.parametrize(
    "text",
    [
        # Negated positives and negatives (litotes) are plain statements about the day.
        "not the worst day I've had",
        "wasn't bad at all actually",
        "I'm not unhappy, just tired",
        "honestly it wasn't too bad",
        "isn't terrible actually, could be worse",
        "no, not bad at all",
        "I'm not dissatisfied, just busy",
        # "no"/"actually" that start something else, and plain statements.
        "no worries, I'm fine",
        "no way, I'm so happy for her",
        "actually the trip was amazing",
        "I'm actually really happy today",
        "the exam went fine actually",
        "no, the exam went fine",
        "I'm not tired, just bored of this weather",
    ],
)
def test_negated_positives_and_statements_are_not_corrections(text: str) -> None:
    assert parse_correction(text) is None
