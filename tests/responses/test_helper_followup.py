"""A helper episode in the risk state: someone told that another person is in danger now, and
their follow-ups are answered as a helper's (responses/risk_state.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from responses import risk_state, safety
from responses.risk import LANGUAGES, RiskCategory
from responses.risk_state import EMPTY, HELPER_WINDOW, RiskState

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
FRIEND = "my friend just took a whole bottle of pills"


def _advance(text: str, state: RiskState = EMPTY, at: datetime = T0) -> RiskState:
    check = safety.screen(text)
    return risk_state.advance(state, check, text=text, distress=True, now=at)[0]


def test_someone_else_in_danger_starts_an_episode_without_raising_the_writer() -> None:
    check = safety.screen(FRIEND)
    assert risk_state.helps_now(check)
    state, result = risk_state.advance(EMPTY, check, text=FRIEND, distress=True, now=T0)
    assert result.flagged and result.about_someone_else  # the urgent helper reply still goes
    assert state.helping_at == T0 and state.helping_language == "en"
    assert not state.categories and not state.worded and state.severity == 0
    assert not risk_state.elevated(state, T0)
    assert risk_state.explain(state, T0).startswith("Nothing you've said recently")


def test_the_writers_own_danger_beside_someone_elses_is_no_helper_episode() -> None:
    text = "my friend just took a whole bottle of pills and i want to die too"
    check = safety.screen(text)
    assert check.others_in_danger and not risk_state.helps_now(check)
    state = _advance(text)
    assert state.helping_at is None and RiskCategory.SUICIDAL_IDEATION in state.categories


def test_follow_ups_are_the_helpers_in_private_within_the_window_only() -> None:
    state = _advance(FRIEND)
    quiet = safety.screen("ok i called 911, they are coming")
    soon = T0 + timedelta(minutes=10)
    assert risk_state.helping(state, quiet, soon, private=True)
    assert not risk_state.helping(state, quiet, soon, private=False)
    assert not risk_state.helping(
        state, quiet, T0 + HELPER_WINDOW + timedelta(seconds=1), private=True
    )
    assert not risk_state.helping(EMPTY, quiet, soon, private=True)
    # The writer's own words flagged: their crisis, not the helper's follow-up.
    own = safety.screen("i want to kill myself")
    assert not risk_state.helping(state, own, soon, private=True)


def test_the_episode_decays_after_the_window() -> None:
    state = _advance(FRIEND)
    later = _advance("hi", state, at=T0 + HELPER_WINDOW + timedelta(minutes=1))
    assert later.helping_at is None and later.helping_language is None


def test_the_episode_round_trips_and_old_stored_states_still_load() -> None:
    state = _advance("meine freundin hat gerade eine ganze packung tabletten genommen")
    assert state.helping_language == "de"
    assert RiskState.from_json(state.to_json()) == state
    # A state stored before helper episodes existed (no helping keys) loads as it was.
    raised = _advance("I want to kill myself")
    old = json.loads(raised.to_json())
    del old["helping_at"], old["helping_language"]
    loaded = RiskState.from_json(json.dumps(old))
    assert loaded == raised and loaded.helping_at is None
    assert RiskCategory.SUICIDAL_IDEATION in loaded.categories
    # A stored language that is not one of ours is dropped, not trusted.
    odd = json.loads(state.to_json())
    odd["helping_language"] = "xx"
    assert RiskState.from_json(json.dumps(odd)).helping_language is None


@pytest.mark.parametrize(
    ("text", "worse"),
    [
        ("she is breathing but wont wake up", True),
        ("he's not breathing", True),
        ("it's getting worse", True),
        ("she is breathing", False),
        ("ok i called 911, they are coming", False),
        ("what do i do while i wait", False),
        ("er atmet nicht mehr", True),
        ("ich krieg sie nicht wach", True),
        ("sie atmet ruhig", False),
        ("elle ne se réveille pas", True),
        ("elle respire", False),
        ("no respira", True),
        ("ya viene la ambulancia", False),
        ("ze ademt niet", True),
        ("de ambulance komt eraan", False),
    ],
)
def test_getting_worse(text: str, worse: bool) -> None:
    assert risk_state.getting_worse(text) is worse


#: A word of the recovery position in each language's waiting text.
_RECOVERY = {
    "en": "recovery position",
    "de": "stabile Seitenlage",
    "fr": "position latérale de sécurité",
    "es": "posición lateral de seguridad",
    "nl": "stabiele zijligging",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_waiting_reply_in_each_language_has_the_steps_and_the_number(language: str) -> None:
    calm = risk_state.helper_reply("DE", language, worse=False)
    assert _RECOVERY[language] in calm and "112" in calm
    assert "{emergency}" not in calm
    assert safety.direct_question(language) not in calm
    worse = risk_state.helper_reply("DE", language, worse=True)
    assert worse.index("112") < worse.index(_RECOVERY[language])
    assert worse.endswith(calm)


def test_the_waiting_reply_without_a_known_country_still_names_emergency_help() -> None:
    text = risk_state.helper_reply(None, "en", worse=True)
    assert "{emergency}" not in text and text.startswith("Call ")


@pytest.mark.parametrize(
    ("text", "episode", "expected"),
    [
        ("ok", "de", "de"),
        ("ok", "en", "en"),
        ("was soll ich machen bis sie kommen", "en", "de"),
        ("que fais-je en attendant les secours", "en", "fr"),
    ],
)
def test_the_helper_reply_language(text: str, episode: str, expected: str) -> None:
    state = RiskState(helping_at=T0, helping_language=episode)
    assert risk_state.helper_language(state, safety.screen(text), text) == expected
