"""The crisis screen on a labelled set written for these tests, plus the reply it leads to."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from responses.risk import LANGUAGES, CssrsLevel, RiskCategory
from responses.safety import SAFE, crisis_reply, helplines, normalise, screen

SET = Path(__file__).parent / "data" / "crisis_set.tsv"


def _rows() -> list[tuple[str, str, str]]:
    return [(label, kind, text) for label, kind, text, _ in _rows_with_language()]


def _rows_with_language() -> list[tuple[str, str, str, str]]:
    """(label, kind, text, language); rows without a fourth column are English."""
    rows = []
    for line in SET.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, kind, text, *rest = line.split("\t")
        rows.append((label, kind, text, rest[0] if rest else "en"))
    return rows


def test_set_is_big_enough_and_labelled() -> None:
    rows = _rows()
    assert {label for label, _, _ in rows} == {"crisis", "benign"}
    assert sum(label == "crisis" for label, _, _ in rows) >= 150
    assert sum(label == "benign" for label, _, _ in rows) >= 100
    assert SET.read_text(encoding="utf-8").startswith("# ")
    assert "written for the tests" in SET.read_text(encoding="utf-8").splitlines()[0].lower()


def test_recall_and_false_positive_rate() -> None:
    rows = _rows()
    crisis = [text for label, _, text in rows if label == "crisis"]
    benign = [text for label, _, text in rows if label == "benign"]
    missed = [t for t in crisis if not screen(t).flagged]
    false_alarms = [t for t in benign if screen(t).flagged]
    recall = 1 - len(missed) / len(crisis)
    fp_rate = len(false_alarms) / len(benign)
    assert recall >= 0.95, missed
    assert fp_rate <= 0.10, false_alarms


@pytest.mark.parametrize(
    "text",
    [
        "this exam is killing me",
        "I could kill for a coffee",
        "I'm dead 😂",
        "kill the process",
        "dying of laughter",
    ],
)
def test_the_issue_hyperbole_does_not_trigger(text: str) -> None:
    assert screen(text).flagged is False


# The old names map onto the taxonomy: "suicide" -> suicidal_ideation, "self_harm" stays,
# "unsafe" -> immediate_danger (not safe right now) or abuse (someone hurts me).
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("kms", "suicidal_ideation"),
        ("honestly thinking about unaliving myself", "suicidal_ideation"),
        ("i'm gonna kys", "suicidal_ideation"),
        ("everyone would be better off without me", "suicidal_ideation"),
        ("I won\u2019t be around much longer", "suicidal_ideation"),
        ("I want to disappear forever", "suicidal_ideation"),
        ("i want to diiiiie", "suicidal_ideation"),
        ("K1LL MYS3LF", "suicidal_ideation"),
        ("s u i c i d e", "suicidal_ideation"),
        ("i keep cutting myself", "self_harm"),
        ("I don't feel safe at home", "immediate_danger"),
        ("my stepdad keeps hitting me", "abuse"),
    ],
)
def test_flags_with_category(text: str, category: str) -> None:
    assert screen(text).category == category
    assert screen(text).flagged


def test_kys_at_someone_else_is_not_a_self_crisis() -> None:
    assert not screen("go kys").flagged


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "😂😂😂", "1234", "?" * 5000])
def test_odd_input_is_safe_and_never_raises(text: str) -> None:
    assert screen(text).flagged is False


def test_normalise_undoes_quotes_leet_slang_and_stretching() -> None:
    assert normalise("I\u2019m gonna k1ll mys3lf!!!") == "im going to kill myself ."
    assert normalise("nooooo") == "noo"


def test_crisis_reply_keeps_working_for_old_callers() -> None:
    us = crisis_reply("us")
    assert us.index("glad you told me") < us.index("988")
    assert "116 123" in crisis_reply("GB") and "116 123" in crisis_reply("uk")
    assert "116 123" in crisis_reply("IE")
    fallback = crisis_reply(None)
    assert "findahelpline.com" in fallback
    assert "findahelpline.com" in crisis_reply("ZZ")
    assert crisis_reply("US", lead="I hear you.").startswith("I hear you.")


def test_every_country_block_has_lines() -> None:
    for code in ["US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "NL", "ES", None]:
        assert helplines(code)


# --- issue 13: categories, languages, severity -------------------------------------------------


def test_every_category_and_language_has_rows_in_the_set() -> None:
    seen = {(kind, lang) for label, kind, _, lang in _rows_with_language() if label == "crisis"}
    for category in RiskCategory:
        for lang in LANGUAGES:
            assert (category.value, lang) in seen, (category, lang)


def test_recall_per_category_and_language() -> None:
    hits: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for label, kind, text, lang in _rows_with_language():
        if label == "crisis" and kind in set(RiskCategory):
            hits[(kind, lang)].append(RiskCategory(kind) in screen(text).categories)
    per_category: dict[str, list[bool]] = defaultdict(list)
    for (kind, _), found in hits.items():
        per_category[kind] += found
    for kind, found in per_category.items():
        assert sum(found) / len(found) >= 0.9, kind
    for lang in LANGUAGES:
        found = [f for (_, row_lang), fs in hits.items() if row_lang == lang for f in fs]
        assert sum(found) / len(found) >= 0.9, lang


def test_language_guess_on_flagged_rows() -> None:
    rows = [r for r in _rows_with_language() if r[0] == "crisis" and r[1] in set(RiskCategory)]
    right = [screen(text).language == lang for _, _, text, lang in rows]
    assert sum(right) / len(right) >= 0.9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one message, several categories
        (
            "my dad beats me and i just want to die",
            {RiskCategory.ABUSE, RiskCategory.SUICIDAL_IDEATION},
        ),
        (
            "the voices keep telling me to cut myself",
            {RiskCategory.PSYCHOSIS, RiskCategory.SELF_HARM},
        ),
        (
            "i've stopped eating to punish myself and honestly i wish i was dead",
            {RiskCategory.EATING_DISORDER, RiskCategory.SUICIDAL_IDEATION},
        ),
        (
            "i swallowed all my mum's sleeping pills",
            {RiskCategory.IMMEDIATE_DANGER, RiskCategory.SUICIDAL_IDEATION},
        ),
    ],
)
def test_one_message_hits_several_categories(text: str, expected: set[RiskCategory]) -> None:
    assert expected <= screen(text).categories


def test_category_is_the_most_severe_and_severity_is_urgent_when_it_must_be() -> None:
    mixed = screen("my dad beats me and i took the whole bottle of pills")
    assert mixed.category == RiskCategory.IMMEDIATE_DANGER.value
    assert mixed.severity == 4 and mixed.urgent
    threat = screen("im going to stab him tomorrow")
    assert threat.category == RiskCategory.HARM_TO_OTHERS.value and threat.urgent
    ed = screen("i make myself sick after every meal")
    assert ed.category == RiskCategory.EATING_DISORDER.value and not ed.urgent
    assert SAFE.severity == 0 and SAFE.category is None and not SAFE.categories


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("sometimes i wish i could just not wake up", CssrsLevel.WISH_TO_BE_DEAD),
        ("i keep having thoughts about killing myself", CssrsLevel.ACTIVE_THOUGHTS),
        ("i think about jumping off the bridge by my work", CssrsLevel.METHOD),
        ("i've decided, i'm going to kill myself", CssrsLevel.INTENT),
        ("i want to end it on saturday when my parents are away", CssrsLevel.PLAN),
        ("i've been stockpiling my antidepressants for this", CssrsLevel.PREPARATORY_BEHAVIOUR),
        ("ich will sterben", CssrsLevel.WISH_TO_BE_DEAD),
        ("voy a matarme esta noche", CssrsLevel.PLAN),
    ],
)
def test_cssrs_level_of_suicidal_ideation(text: str, level: CssrsLevel) -> None:
    check = screen(text)
    assert RiskCategory.SUICIDAL_IDEATION in check.categories
    assert check.cssrs == level


def test_cssrs_plan_and_preparation_are_urgent_and_a_wish_is_not() -> None:
    assert screen("i want to end it on saturday when my parents are away").urgent
    assert not screen("sometimes i wish i could just not wake up").urgent


def test_no_cssrs_level_without_suicidal_ideation() -> None:
    assert screen("i purge after dinner most nights").cssrs == CssrsLevel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "I'm dying to see that film",
        "we're moving to Leeds, said goodbye to the old house today",
        "last day at work, goodbye everyone and thanks for the cake!",
        "my GP prescribed laxatives for constipation after my operation",
        "threw up after too many drinks last night",
        "how can I support my friend who self harms?",
        "I used to cut myself but I've been in recovery for three years",
        "in this game you have to kill everyone on the map",
        "my voice assistant told me to take the next left",
        "I'm going to kill my brother if he eats my leftovers again lol",
        "writing an essay on anorexia for my psychology class",
        "cut the onions and fry until golden",
        "I'm on the bridge now, see you in 5",
        "took two ibuprofen for my headache",
        "my dad hit a deer on the way home",
        "ich sterbe vor Langeweile",
        "ich bin nicht sicher, ob ich morgen komme",
        "je meurs de faim",
        "je me suis coupé les cheveux",
        "me muero de risa",
        "me toca a mí fregar los platos",
        "ik ga dood van het lachen",
        "mijn vader slaat de bal ver",
    ],
)
def test_hard_negatives_stay_negative(text: str) -> None:
    assert not screen(text).flagged, screen(text)


def test_long_messages_are_screened_everywhere_and_quickly() -> None:
    filler = "Today was long and I have a lot to say about work. " * 400
    assert not screen(filler).flagged
    assert screen(filler + "I want to kill myself.").flagged
    assert screen("I want to kill myself. " + filler).flagged


@pytest.mark.parametrize("text", ["evryone wud be beter without me", "i want to kil myself"])
def test_a_missing_double_letter_is_forgiven(text: str) -> None:
    assert screen(text).flagged


@pytest.mark.parametrize("text", ["my nose hurts", "blow my nose", "for god's sake, leave it"])
def test_squeezing_does_not_merge_words(text: str) -> None:
    assert not screen(text).flagged


def test_a_long_message_keeps_every_category_from_every_window() -> None:
    filler = "Today was long and I have a lot to say about work. " * 200
    check = screen("my dad hits me. " + filler + " I want to kill myself.")
    assert {RiskCategory.ABUSE, RiskCategory.SUICIDAL_IDEATION} <= check.categories
