"""Someone asking how to help another person at risk (the "helper" context kind): told how to
help, with the lines, never asked whether they themselves are suicidal; their own risk, said
beside it, still gets the crisis reply."""

from __future__ import annotations

import pytest

from responses import safety
from responses.safety import crisis_response, screen

HELPERS = [
    "my friend says she wants to kill herself, how do i help her",
    "my best friend is suicidal what do i do",
    "how do i help my brother who self harms",
    "my roommate told me he wants to end it all, what should i say",
    "meine freundin ritzt sich, wie kann ich ihr helfen",
    "mein bruder will sich umbringen und ich weiß nicht was ich machen soll",
    "ma meilleure amie m'a dit qu'elle veut mourir, je fais quoi",
    "mi amiga dice que se quiere matar, ¿cómo la ayudo?",
    "mijn zus wil dood en ik weet niet wat ik moet doen",
]


@pytest.mark.parametrize("text", HELPERS)
def test_another_persons_risk_is_read_as_a_helpers_worry(text: str) -> None:
    check = screen(text)
    assert check.about_someone_else, text
    assert not check.flagged, text  # the writer's own words read no risk


OWN_RISK_BESIDE = [
    "my friend said i should talk to someone, i want to kill myself",
    "my sister is suicidal and honestly so am i, i want to die too",
    "mein bruder will sich umbringen und ich will auch nicht mehr leben",
    "mi amiga se quiere matar y yo también quiero morirme",
]


@pytest.mark.parametrize("text", OWN_RISK_BESIDE)
def test_the_writers_own_risk_beside_it_keeps_the_crisis_reply(text: str) -> None:
    check = screen(text)
    assert check.flagged and not check.about_someone_else, text


@pytest.mark.parametrize(
    "text",
    [
        "my friend wants to die in the game lol",
        "my brother keeps killing himself in minecraft haha",
        "my friend is so funny",
        "i want to die",
    ],
)
def test_jokes_fiction_and_plain_chat_are_not_a_helpers_worry(text: str) -> None:
    assert not screen(text).about_someone_else, text


def test_the_helper_reply_says_how_to_help_and_lists_lines() -> None:
    check = safety.make_check(frozenset(), language="en", about_someone_else=True)
    reply = crisis_response(check, "GB")
    assert "ask them straight out" in reply
    assert "Samaritans" in reply or "116 123" in reply
    assert "Are you thinking about ending your life" not in reply
