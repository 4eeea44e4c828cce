"""The VADER lexicon baseline (the fallback when the trained model cannot load)."""

from __future__ import annotations

from emotion.labels import Emotion, Source
from emotion.text import TextEstimator
from emotion.text.lexicon import LexiconEstimator

lexicon = LexiconEstimator()


def test_it_is_a_text_estimator() -> None:
    estimator: TextEstimator = lexicon
    assert estimator.estimate("hello").source is Source.TEXT


def test_clear_messages() -> None:
    assert lexicon.estimate("I am so happy today, this is wonderful!").top is Emotion.HAPPY
    assert lexicon.estimate("I HATE THIS STUPID THING").top is Emotion.ANGRY
    assert lexicon.estimate("I am terrified of tomorrow").top is Emotion.FEAR
    assert lexicon.estimate("eww that is gross").top is Emotion.DISGUST
    assert lexicon.estimate("😭😭").top is Emotion.SAD


def test_negation_is_not_happy() -> None:
    assert lexicon.estimate("I'm not happy at all").top is not Emotion.HAPPY


def test_confidence_is_low_for_little_text() -> None:
    assert lexicon.estimate("").confidence == 0.0
    assert lexicon.estimate("ok").confidence < 0.2
    assert lexicon.estimate("😭").confidence < 0.3
    long = lexicon.estimate("I am really happy with how the whole week went, thank you all")
    assert long.confidence > lexicon.estimate("ok").confidence


def test_huge_input_is_cut() -> None:
    assert lexicon.estimate("so sad " * 20_000).top is Emotion.SAD
