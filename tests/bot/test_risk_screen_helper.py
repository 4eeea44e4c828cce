"""The product screen (bot/risk.py) reads what the classifier flags in a message about another
person alone as a helper's worry: emergency number first when it is happening now, never a
question about the writer's own thoughts; the writer's own words keep their crisis reply."""

from __future__ import annotations

import asyncio

import pytest

from bot.risk import RiskScreen, Screened
from responses.risk import RiskCategory, RiskPrediction
from responses.safety import crisis_response

SI = RiskCategory.SUICIDAL_IDEATION
DANGER = RiskCategory.IMMEDIATE_DANGER


class _Fixed:
    """A classifier that reads the same bands in every message."""

    def __init__(self, flagged: frozenset[RiskCategory], watch: frozenset[RiskCategory]) -> None:
        self.flagged, self.watch = flagged, watch

    def predict(self, texts: list[str]) -> list[RiskPrediction]:
        scores = {c: (0.9 if c in self.flagged | self.watch else 0.0) for c in RiskCategory}
        return [
            RiskPrediction(scores=scores, flagged=self.flagged, watch=self.watch, decisive=False)
            for _ in texts
        ]


def _screen(
    text: str, flagged: set[RiskCategory], watch: frozenset[RiskCategory] = frozenset()
) -> Screened:
    screen = RiskScreen(_Fixed(frozenset(flagged), frozenset(watch)))
    try:
        return asyncio.run(screen.screen(text))
    finally:
        screen.close()


@pytest.mark.parametrize(
    "text",
    [
        "hes on the bridge rn",
        "my friend is threatening to kill himself right now on snap",
        "my kid took my pills i dont know how many",
        "mommy took lots of medicine and wont wake up",
        "i think my roommate is overdosing",
    ],
)
def test_another_person_happening_now_gets_the_emergency_number_first(text: str) -> None:
    screened = _screen(text, {SI})
    check = screened.check
    assert check.flagged and check.about_someone_else and check.others_in_danger, text
    assert check.categories == {DANGER}
    assert not screened.watch
    reply = crisis_response(check, "GB")
    assert reply.startswith("Call 999 now"), reply
    assert "ending your life" not in reply


def test_only_the_check_in_band_about_another_person_gets_the_helper_reply_unflagged() -> None:
    screened = _screen("she keeps talking about wanting to disappear", set(), frozenset({SI}))
    check = screened.check
    assert check.about_someone_else and not check.flagged and not screened.watch
    assert crisis_response(check, "GB").startswith("It's good that you want to help them")


@pytest.mark.parametrize(
    "text",
    [
        "my mum doesnt know i want to die",  # the writer's own words
        "they would all be better off without me",
        "she said i should just kill myself",
        "he, ik wil dood",  # Dutch: "he" is "hey"
    ],
)
def test_the_writers_own_risk_is_never_read_as_someone_elses(text: str) -> None:
    screened = _screen(text, {SI})
    assert screened.check.flagged and not screened.check.about_someone_else, text
    assert SI in screened.check.categories


def test_abuse_of_another_at_home_keeps_the_abuse_reply() -> None:
    screened = _screen("my dad hits my mom every night", {RiskCategory.ABUSE})
    assert screened.check.flagged and not screened.check.about_someone_else
    assert "not your fault" in crisis_response(screened.check, "GB")
