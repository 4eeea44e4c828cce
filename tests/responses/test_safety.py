"""The crisis screen on a labelled set written for these tests, plus the reply it leads to."""

from __future__ import annotations

from pathlib import Path

import pytest

from responses.safety import crisis_reply, helplines, normalise, screen

SET = Path(__file__).parent / "data" / "crisis_set.tsv"


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in SET.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, kind, text = line.split("\t")
        rows.append((label, kind, text))
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


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("kms", "suicide"),
        ("honestly thinking about unaliving myself", "suicide"),
        ("i'm gonna kys", "suicide"),
        ("everyone would be better off without me", "suicide"),
        ("I won\u2019t be around much longer", "suicide"),
        ("I want to disappear forever", "suicide"),
        ("i want to diiiiie", "suicide"),
        ("K1LL MYS3LF", "suicide"),
        ("s u i c i d e", "suicide"),
        ("i keep cutting myself", "self_harm"),
        ("I don't feel safe at home", "unsafe"),
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


def test_crisis_reply_leads_with_care_then_numbers() -> None:
    us = crisis_reply("us")
    assert us.index("glad you told me") < us.index("988")
    assert "116 123" in crisis_reply("GB") and "116 123" in crisis_reply("uk")
    assert "116 123" in crisis_reply("IE")
    fallback = crisis_reply(None)
    assert "findahelpline.com" in fallback
    assert "findahelpline.com" in crisis_reply("ZZ")
    assert crisis_reply("US", lead="I hear you.").startswith("I hear you.")


def test_every_country_block_has_lines() -> None:
    for code in ["US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "NL", None]:
        assert helplines(code)


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
