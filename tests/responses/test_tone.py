"""Tone choice follows the data table, first match wins."""

from __future__ import annotations

import pytest

from emotion.labels import Emotion, EmotionEstimate, Source
from responses.tone import (
    Tone,
    ToneRule,
    Trend,
    choose_rule,
    choose_tone,
    default_rules,
    parse_rules,
    trend_of,
)


def est(**probs: float) -> EmotionEstimate:
    return EmotionEstimate.from_mapping(
        {Emotion(k): v for k, v in probs.items()}, Source.FUSED, 0.8
    )


@pytest.mark.parametrize(
    ("estimate", "kwargs", "tone"),
    [
        (est(sad=0.8, neutral=0.2), {}, Tone.COMFORT),
        (est(sad=0.5, neutral=0.5), {"trend": Trend.WORSE}, Tone.COMFORT),
        (est(sad=0.5, neutral=0.5), {"trend": Trend.BETTER}, Tone.ENCOURAGE),
        (est(angry=0.7, neutral=0.3), {}, Tone.CALM),
        (est(fear=0.6, sad=0.4), {}, Tone.CALM),
        (est(happy=0.9, neutral=0.1), {}, Tone.CELEBRATE),
        (est(happy=0.4, neutral=0.35, surprise=0.25), {}, Tone.ENCOURAGE),
        (est(neutral=0.9, sad=0.1), {}, Tone.CURIOUS),
        (est(neutral=0.6, sad=0.4), {"trend": Trend.WORSE}, Tone.CHECK_IN),
        (est(surprise=0.8, neutral=0.2), {}, Tone.CURIOUS),
        (est(happy=0.9, neutral=0.1), {"disagreement": True}, Tone.CHECK_IN),
    ],
)
def test_table_rows(estimate: EmotionEstimate, kwargs: dict[str, object], tone: Tone) -> None:
    assert choose_tone(estimate, **kwargs) is tone  # type: ignore[arg-type]


def test_disagreement_wins_over_everything() -> None:
    assert choose_rule(est(angry=1.0), disagreement=True).tone is Tone.CHECK_IN


def test_intensity_override_is_used() -> None:
    weak = choose_tone(est(angry=0.9, neutral=0.1), intensity=0.1)
    assert weak is not Tone.CALM


def test_every_tone_is_reachable_from_the_table() -> None:
    assert {rule.tone for rule in default_rules()} == set(Tone)


def test_first_match_wins_in_a_custom_table() -> None:
    rules = parse_rules(
        [
            {"name": "a", "emotion": ["sad"], "tone": "calm"},
            {"name": "b", "emotion": ["sad"], "tone": "comfort"},
            {"name": "default", "tone": "curious"},
        ]
    )
    assert choose_rule(est(sad=1.0), rules=rules).name == "a"
    assert choose_rule(est(happy=1.0), rules=rules).name == "default"


@pytest.mark.parametrize(
    "rows",
    [
        [{"name": "typo", "emotoin": ["sad"], "tone": "calm"}, {"tone": "curious"}],
        [{"name": "bad tone", "tone": "shout"}],
        [{"name": "bad emotion", "emotion": ["grumpy"], "tone": "calm"}, {"tone": "curious"}],
        [{"name": "no default", "emotion": ["sad"], "tone": "calm"}],
    ],
)
def test_bad_tables_fail_loudly(rows: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError):
        parse_rules(rows)


def test_unconditional_rule_matches_anything() -> None:
    rule = ToneRule("any", Tone.CURIOUS)
    assert rule.unconditional and rule.matches(est(fear=1.0), 0.0, True, Trend.WORSE)


def test_trend() -> None:
    assert trend_of(0.5, []) is Trend.UNKNOWN
    assert trend_of(0.5, [-0.5, -0.3]) is Trend.BETTER
    assert trend_of(-0.6, [0.2, 0.4]) is Trend.WORSE
    assert trend_of(0.1, [0.0, 0.05]) is Trend.STEADY
