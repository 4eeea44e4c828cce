"""The rules alone on the families a fresh rules-only tester found missed (issue 13).

The examples (``families_data.py``) were written for these tests in new words and scored
before any rule was changed for them; they check the grammar (first-person intent, means,
time) generalises, and that the look-alikes next to each family stay quiet.
"""

from __future__ import annotations

import pytest

from responses.risk import CssrsLevel, RiskCategory, RiskPrediction
from responses.safety import check_in, combine, crisis_response, make_check, screen
from tests.responses.families_data import (
    BATCH_2,
    EMOJI_CODED,
    EXPLICIT_DE_NL,
    NEGATIVES,
    PLAN_MEANS_TIMING,
    SH,
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


@pytest.mark.parametrize(("text", "lang"), BATCH_2)
def test_second_batch_is_flagged(text: str, lang: str) -> None:
    assert screen(text).flagged, text


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


# --- 5. the reply's words fit the categories ----------------------------------------------------


def _model(*flagged: RiskCategory) -> RiskPrediction:
    return RiskPrediction(scores={c: 0.9 for c in flagged}, flagged=frozenset(flagged))


@pytest.mark.parametrize(
    "text",
    ["kms fr", "ich denke ständig daran, mich umzubringen", "je vais me tuer ce soir"],
)
def test_a_model_harm_to_others_reading_never_relabels_a_self_directed_message(
    text: str,
) -> None:
    check = combine(screen(text), _model(RiskCategory.HARM_TO_OTHERS))
    assert check.category == RiskCategory.SUICIDAL_IDEATION.value, check
    assert "instead of acting on it" not in crisis_response(check, "US", "en")


def test_a_childs_disclosure_of_a_threat_to_family_is_abuse_not_harm_to_others() -> None:
    text = "my stepdad told me if i say anything to my teacher he will hurt my little sister"
    check = combine(screen(text), _model(RiskCategory.HARM_TO_OTHERS))
    assert check.categories == {RiskCategory.ABUSE}
    reply = crisis_response(check, "GB")
    assert "not your fault" in reply and "Childline" in reply
    assert "distance between you and the person" not in reply


def test_the_person_making_a_threat_hears_no_not_your_fault() -> None:
    check = combine(screen("i'm parked outside her flat with a hammer"), _model(RiskCategory.ABUSE))
    assert check.categories == {RiskCategory.HARM_TO_OTHERS}
    reply = crisis_response(check, "GB")
    assert "not your fault" not in reply and "Childline" not in reply
    assert reply.startswith("If you are in danger right now") and "999" in reply


def test_a_gun_kept_for_oneself_gets_no_wound_care() -> None:
    check = combine(screen("picked up a handgun last week and it's meant for me"), _model(SH))
    assert check.urgent
    reply = crisis_response(check, "US")
    assert "wound" not in reply and "911" in reply.split("\n")[0]
    assert "ending your life" in reply


def test_danger_from_someone_else_gets_a_get_to_safety_sentence() -> None:
    check = make_check({RiskCategory.ABUSE, RiskCategory.IMMEDIATE_DANGER})
    reply = crisis_response(check, "GB")
    assert "hurt yourself with" not in reply and "somewhere safer" in reply
    assert "not your fault" in reply
    both = make_check({RiskCategory.ABUSE, RiskCategory.HARM_TO_OTHERS})
    worded = crisis_response(both, "US")
    assert "not your fault" in worded and "instead of acting on it" not in worded
    assert worded.startswith("If you are in danger right now")  # the urgency stays


def test_self_harm_the_rules_read_keeps_its_wound_care() -> None:
    reply = crisis_response(screen("i cut my arm again tonight, deeper than before"), "GB")
    assert "wound" in reply


# --- 6. helplines -----------------------------------------------------------------------------


def test_france_gives_the_samu_beside_112() -> None:
    reply = crisis_response(screen("j'ai avalé toute la boîte de somnifères"), "FR")
    first = reply.split("\n")[0]
    assert "15 (SAMU)" in first and "112" in first


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("de", "findest du auf"),
        ("fr", "dans ton pays"),
        ("es", "en tu país"),
        ("nl", "in jouw land"),
        ("en", "in your country"),
    ],
)
def test_no_country_gives_the_default_line_in_the_reply_language(lang: str, words: str) -> None:
    reply = crisis_response(make_check({RiskCategory.SUICIDAL_IDEATION}, language=lang), None)
    assert "findahelpline.com" in reply and words in reply
    assert words in check_in({RiskCategory.SUICIDAL_IDEATION}, None, lang)


@pytest.mark.parametrize("text", ["tonight 💊💊", "🔫 soon", "💊💊 right now"])
def test_nothing_but_the_means_and_a_time_is_a_plan(text: str) -> None:
    check = screen(text)
    assert RiskCategory.SUICIDAL_IDEATION in check.categories, text


@pytest.mark.parametrize("text", ["took my 💊 this morning", "💊 reminder: tonight at 9"])
def test_a_pill_emoji_in_a_reminder_is_not_a_plan(text: str) -> None:
    assert not screen(text).flagged, text
