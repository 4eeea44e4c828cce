"""The rules alone on the families a fresh rules-only tester found missed (issue 13).

The examples (``families_data.py``) were written for these tests in new words and scored
before any rule was changed for them; they check the grammar (first-person intent, means,
time) generalises, and that the look-alikes next to each family stay quiet.
"""

from __future__ import annotations

import pytest

from responses.risk import CssrsLevel, RiskCategory
from responses.safety import screen
from tests.responses.families_data import (
    EMOJI_CODED,
    EXPLICIT_DE_NL,
    NEGATIVES,
    PLAN_MEANS_TIMING,
    Row,
)

ROWS: list[Row] = [*PLAN_MEANS_TIMING, *EXPLICIT_DE_NL, *EMOJI_CODED]


@pytest.mark.parametrize(("text", "lang", "cats", "level", "urgent"), ROWS)
def test_family_rows_are_flagged_in_the_right_category(
    text: str, lang: str, cats: frozenset[RiskCategory], level: CssrsLevel, urgent: bool
) -> None:
    check = screen(text)
    assert cats <= check.categories, (text, check)
    assert check.cssrs >= level, (text, check)
    if urgent:
        assert check.urgent, (text, check)


@pytest.mark.parametrize(("text", "lang"), NEGATIVES)
def test_look_alikes_stay_unflagged(text: str, lang: str) -> None:
    assert not screen(text).flagged, (text, screen(text))


def test_every_language_has_plan_rows() -> None:
    assert {lang for _, lang, *_ in PLAN_MEANS_TIMING} == {"en", "de", "fr", "es", "nl"}


def test_means_at_hand_now_is_immediate_danger_and_kept_means_is_preparatory() -> None:
    now = screen("the tablets are right here next to me, all of them, lid off")
    assert RiskCategory.IMMEDIATE_DANGER in now.categories and now.urgent
    kept = screen("i've been putting aside my sleeping pills for a while now")
    assert kept.cssrs == CssrsLevel.PREPARATORY_BEHAVIOUR and kept.urgent


def test_a_threat_with_a_weapon_is_harm_to_others_not_abuse() -> None:
    check = screen("i'm parked outside her flat with a hammer")
    assert check.categories == {RiskCategory.HARM_TO_OTHERS}


def test_an_emoji_alone_is_not_a_flag() -> None:
    for text in ["💊", "🔫", "🔪", "🩸", "💊💊"]:
        assert not screen(text).flagged, text
