"""Another person in danger right now (the "helper_danger" context kind): the writer is told to
call the emergency number first and what to tell the operator, never asked whether they
themselves are suicidal; their own risk beside it keeps the writer's crisis reply, still with
the emergency number first; everyday look-alikes stay unflagged."""

from __future__ import annotations

import pytest

from responses._data import load_toml
from responses.risk import RiskCategory
from responses.safety import crisis_response, screen

_HELPER = load_toml("risk_taxonomy.toml")["helper"]

#: (language, country, emergency number, message)
IN_DANGER = [
    ("en", "GB", "999", "my friend just took a whole bottle of pills what do i do"),
    ("en", "US", "911", "my sister is standing on the bridge right now and says she will jump"),
    ("en", "GB", "999", "my mate cut himself really deep and it wont stop bleeding"),
    ("en", "US", "911", "my roommate found him hanging in the garage"),
    ("en", "GB", "999", "he just swallowed all his meds and now hes not responding"),
    ("de", "DE", "112", "meine freundin hat gerade alle ihre tabletten genommen was soll ich tun"),
    ("de", "DE", "112", "mein bruder steht auf der brücke und will springen"),
    ("fr", "FR", "15", "mon pote est sur le pont et il va sauter maintenant"),
    ("fr", "FR", "15", "ma soeur a avalé toute la boite de somnifères"),
    ("es", "ES", "112", "mi hermana se tomó todas las pastillas y no respira"),
    ("es", "ES", "112", "mi amigo está en el puente y quiere saltar"),
    ("nl", "NL", "112", "mijn zus staat op het dak en gaat springen"),
    ("nl", "NL", "112", "mijn vriend heeft net alle slaappillen genomen"),
]


@pytest.mark.parametrize(("lang", "country", "number", "text"), IN_DANGER)
def test_another_person_in_danger_gets_the_emergency_number_first(
    lang: str, country: str, number: str, text: str
) -> None:
    check = screen(text)
    assert check.flagged and check.urgent, text
    assert RiskCategory.IMMEDIATE_DANGER in check.categories
    assert check.about_someone_else, text
    reply = crisis_response(check, country)
    first = reply.split("\n\n")[0]
    emergency = load_toml("helplines.toml")[country]["emergency"]
    assert number in emergency
    assert first == _HELPER["urgent"][lang].format(emergency=emergency), reply
    # Not asked about themselves, and not told "I'm worried about your safety".
    assert _HELPER["ask"][check.language] not in reply
    assert "your safety" not in reply and "ending your life" not in reply


def test_the_writers_own_risk_beside_it_keeps_their_crisis_reply_with_the_number_first() -> None:
    check = screen("my friend just took a whole bottle of pills and honestly i want to die too")
    assert check.flagged and check.urgent
    assert not check.about_someone_else
    assert RiskCategory.SUICIDAL_IDEATION in check.categories
    reply = crisis_response(check, "GB")
    assert reply.index("999") < reply.index("Samaritans")


def test_a_past_attempt_is_a_helpers_worry_not_an_emergency() -> None:
    check = screen("my brother tried to kill himself last year, how do i support him")
    assert check.about_someone_else and not check.flagged
    reply = crisis_response(check, "GB")
    assert reply.startswith(_HELPER["lead"]["en"])


@pytest.mark.parametrize(
    "text",
    [
        "she is standing on the roof fixing the satellite dish",
        "she is hanging out with her mates tonight",
        "my son wont wake up for school again",
        "he took 2 paracetamol for his headache",
        "my dog ate a whole box of chocolates",
        "mein sohn steht auf dem dach und repariert die antenne",
        "ma soeur est sur le toit pour la photo",
        "mi hermano está en el puente esperando el bus",
        "mijn zus zit op het dak van de schuur te lezen",
    ],
)
def test_everyday_look_alikes_are_not_flagged(text: str) -> None:
    check = screen(text)
    assert not check.flagged, text
    assert not check.about_someone_else, text


@pytest.mark.parametrize(
    "text",
    [
        "my friend just took a whole bottle of pills and i did too",
        "my gf is on the roof and says shes gonna jump and honestly i want to go with her",
    ],
)
def test_the_writer_in_it_too_gets_their_own_crisis_reply_and_the_other_is_named(
    text: str,
) -> None:
    check = screen(text)
    assert check.flagged and check.urgent, text
    assert not check.about_someone_else and check.others_in_danger, text
    reply = crisis_response(check, "GB")
    assert reply.startswith("If you are in danger right now, please call 999"), reply
    assert _HELPER["also"]["en"] in reply


@pytest.mark.parametrize(
    "text",
    [
        "my sister took a bunch of pills years ago but shes doing great now",
        "my friend took a whole bottle of pills in 2019 and survived",
        "mijn zus heeft jaren geleden alle pillen genomen maar nu gaat het goed",
    ],
)
def test_danger_told_as_over_is_a_helpers_worry_not_an_emergency(text: str) -> None:
    check = screen(text)
    assert not check.flagged, text
    assert check.about_someone_else, text


@pytest.mark.parametrize(
    "text",
    ["my son is hanging his paintings in the hallway", "my dad is hanging the christmas lights"],
)
def test_hanging_things_up_is_not_an_emergency(text: str) -> None:
    assert not screen(text).flagged, text


@pytest.mark.parametrize(
    "text",
    [
        "my daughter (14) took her antidepressants all at once",
        "my wife tried to hang herself i found her",
        "my son locked himself in the bathroom with a knife",
        "my brother just sent me a pic of a noose",
        "my mum is threatening to jump off the balcony",
    ],
)
def test_more_ways_of_telling_another_persons_emergency(text: str) -> None:
    check = screen(text)
    assert check.flagged and check.about_someone_else and check.others_in_danger, text
    assert crisis_response(check, "US").startswith("Call 911 now"), text
