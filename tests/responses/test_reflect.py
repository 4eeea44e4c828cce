"""Reflections: point of view turned around, grammar that holds, plain when unsure."""

from __future__ import annotations

import pytest

from responses.reading import contrast_focus
from responses.reflect import reflect, swap_person, topic_of


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("my boss ignored me again today", "your boss ignored you again today"),
        ("I was late and my train was cancelled", "you were late and your train was cancelled"),
        ("lost my keys on the way home", "you lost your keys on the way home"),
        ("we argued about money all weekend", "you argued about money all weekend"),
        ("Sam forgot our anniversary", "Sam forgot your anniversary"),
        ("I think you misunderstood me", "you think I misunderstood you"),
    ],
)
def test_events_are_said_back_from_our_side(text: str, event: str) -> None:
    assert reflect(text).event == event


def test_contrast_is_reflected_whole() -> None:
    text = "I love my course but the deadlines are crushing me"
    assert reflect(text, focus=contrast_focus(text)).event == (
        "you love your course, but the deadlines are crushing you"
    )


def test_a_fear_is_a_belief_never_an_event() -> None:
    found = reflect("I'm never going to find a job")
    assert found.event is None and found.belief == "you're never going to find a job"


@pytest.mark.parametrize(
    "text",
    [
        "what?",
        "ugh",
        "ok so like",
        "really really long " * 20,
        "https://example.com look",
        "ill be fine",  # "ill" or "I'll": cannot tell, so no echo
    ],
)
def test_unsure_extractions_give_no_event(text: str) -> None:
    assert reflect(text).event is None


def test_topics_are_possessive_noun_phrases() -> None:
    assert topic_of("my driving instructor shouted at me") == "your driving instructor"
    assert topic_of("the new manager is awful") == "the new manager"
    assert topic_of("my whole life is a mess") is None
    assert topic_of("nothing to say") is None


def test_swap_person_agrees_the_verb() -> None:
    assert swap_person(["I", "am", "tired"]) == ["you", "are", "tired"]
    assert swap_person(["you", "are", "kind"]) == ["I", "am", "kind"]
    assert swap_person(["I", "was", "there"]) == ["you", "were", "there"]


def test_questions_are_never_said_back_as_news() -> None:
    assert reflect("Can you help me write an email to my professor?").event is None
    assert reflect("do you think she hates me").event is None


def test_talk_about_the_chat_gives_way_to_the_news() -> None:
    assert reflect("I told you already, my girlfriend left me").event == "your girlfriend left you"


def test_family_subjects_and_verbs_after_topics() -> None:
    assert reflect("mum says I'm too sensitive").event == "mum says you're too sensitive"
    assert topic_of("my mum says hi") == "your mum"
