"""Dialogue acts: formulas, content winning over formulas, questions aimed at attune."""

from __future__ import annotations

import pytest

from responses.acts import Act, classify_act


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("hello", Act.GREETING),
        ("Good afternoon!", Act.GREETING),
        ("hey there, how are you?", Act.GREETING),
        ("thank you so much", Act.THANKS),
        ("thanks for listening, really", Act.THANKS),
        ("ok bye for now, talk tomorrow", Act.GOODBYE),
        ("thanks, bye!", Act.GOODBYE),
        ("I'm going to bed now, night", Act.GOODBYE),
        ("what would you do if you were me?", Act.ADVICE),
        ("how do I tell my boss I need a break", Act.ADVICE),
        ("are you a robot?", Act.ABOUT_BOT),
        ("do you store my messages?", Act.ABOUT_BOT),
        ("my sister moved to Canada and I miss her", Act.SHARING),
        ("hi! my grandma passed away", Act.SHARING),
        ("thanks, but I'm still really anxious about tomorrow", Act.SHARING),
        ("that's wrong, I'm actually angry", Act.CORRECTION),
        ("what's up?", Act.SMALL_TALK),
        ("haha", Act.SMALL_TALK),
        ("okay", Act.ACKNOWLEDGE),
        ("yeah I guess", Act.ACKNOWLEDGE),
        ("", Act.SMALL_TALK),
    ],
)
def test_acts(text: str, act: Act) -> None:
    assert classify_act(text).act is act


def test_formulas_before_content_are_kept() -> None:
    reading = classify_act("thanks. my exam went badly though")
    assert reading.act is Act.SHARING and Act.THANKS in reading.formulas


def test_a_reassurance_aimed_at_attune_is_not_a_correction() -> None:
    assert classify_act("I'm not upset with you, just worn out").act is Act.SHARING
    assert classify_act("I'm not angry, I'm sad").act is Act.CORRECTION


def test_huge_and_odd_input_is_classified() -> None:
    assert classify_act("a " * 5000).act is Act.SHARING
    assert classify_act("\u202e\u200b🙂🙂").act is Act.SHARING  # emoji alone share a feeling


def test_requests_for_help_are_advice_and_despair_is_not_small_talk() -> None:
    assert classify_act("can you help me write to my landlord?").act is Act.ADVICE
    assert classify_act("what's the point anymore").act is Act.SHARING
    assert classify_act("the funeral is tomorrow").act is Act.SHARING
    assert classify_act("nice weather today huh").act is Act.SMALL_TALK
