"""The crisis reply: proportionate per category, per country and per language, from data only."""

from __future__ import annotations

import pytest

from responses._data import load_toml
from responses.risk import LANGUAGES, CssrsLevel, RiskCategory, RiskPrediction
from responses.safety import (
    SafetyCheck,
    bulleted_helplines,
    check_in,
    combine,
    crisis_response,
    direct_question,
    helplines,
    make_check,
    screen,
)

COUNTRIES = ["US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "NL", "ES"]


def _check(
    *cats: RiskCategory, cssrs: CssrsLevel = CssrsLevel.NONE, lang: str = "en"
) -> SafetyCheck:
    return make_check(cats, cssrs=cssrs, language=lang)


def test_urgent_reply_puts_the_emergency_number_first() -> None:
    reply = crisis_response(screen("i just took the whole bottle of pills"), "GB")
    assert reply.startswith("If you are in danger right now")
    assert reply.index("999") < reply.index("Samaritans")
    us = crisis_response(_check(RiskCategory.HARM_TO_OTHERS), "US")
    assert us.index("911") < us.index("988")


def test_suicidal_ideation_reply_cares_asks_directly_then_gives_the_line() -> None:
    reply = crisis_response(_check(RiskCategory.SUICIDAL_IDEATION), "US")
    care = reply.index("glad you told me")
    ask = reply.index("are you thinking about ending your life?")
    assert care < ask < reply.index("988")
    assert not reply.startswith("If you are in danger")  # a wish to be dead is not urgent
    assert "call 911" in reply  # the emergency line is still there, last


def test_abuse_reply_says_not_your_fault_and_gives_child_and_abuse_lines() -> None:
    gb = crisis_response(screen("my stepdad hits me when mum is out"), "GB")
    assert "not your fault" in gb
    assert "Childline" in gb and "0800 1111" in gb
    assert "0808 2000 247" in gb  # National Domestic Abuse Helpline
    es = crisis_response(_check(RiskCategory.ABUSE, lang="es"), "ES")
    assert "no es culpa tuya" in es and "016" in es and "900 20 20 10" in es


def test_eating_disorder_reply_gives_the_eating_disorder_line() -> None:
    gb = crisis_response(screen("i make myself throw up after every meal"), "GB")
    assert "Beat" in gb and "0808 801 0677" in gb
    au = crisis_response(_check(RiskCategory.EATING_DISORDER), "AU")
    assert "1800 33 4673" in au
    de = crisis_response(_check(RiskCategory.EATING_DISORDER, lang="de"), "DE")
    assert "0221 892031" in de and "0800 111 0 111" in de  # the ED line and the crisis line


def test_german_reply_is_in_german_with_the_telefonseelsorge() -> None:
    reply = crisis_response(screen("ich will nicht mehr leben"), "DE")
    assert "0800 111 0 111" in reply
    assert "Darf ich dich direkt fragen" in reply
    assert "glad" not in reply


@pytest.mark.parametrize(
    ("text", "country", "words", "number"),
    [
        ("je veux mourir", "FR", "Je peux te demander directement", "3114"),
        ("quiero morirme", "ES", "Estás pensando en quitarte la vida", "024"),
        ("ik wil dood", "NL", "Mag ik het je direct vragen", "113"),
        ("mijn vader slaat me elke dag", "NL", "niet jouw schuld", "0800-2000"),
        ("mon père me frappe", "FR", "pas de ta faute", "119"),
        ("mein Vater schlägt mich", "DE", "nicht deine Schuld", "116 111"),
    ],
)
def test_replies_follow_the_message_language(
    text: str, country: str, words: str, number: str
) -> None:
    reply = crisis_response(screen(text), country)
    assert words in reply and number in reply


def test_unknown_country_falls_back_to_findahelpline_and_a_local_emergency_number() -> None:
    reply = crisis_response(_check(RiskCategory.IMMEDIATE_DANGER), "ZZ")
    assert "findahelpline.com" in reply
    assert "your local emergency number" in reply
    assert "findahelpline.com" in crisis_response(_check(RiskCategory.ABUSE), None)


def test_every_category_language_and_country_gives_a_reply() -> None:
    for category in RiskCategory:
        for lang in LANGUAGES:
            for country in [*COUNTRIES, None, "zz"]:
                reply = crisis_response(_check(category, lang=lang), country)
                assert reply.count("•") >= 1, (category, lang, country)


def test_an_english_lead_from_the_bank_replaces_only_the_english_first_words() -> None:
    check = _check(RiskCategory.ABUSE)
    reply = crisis_response(check, "GB", lead="I hear you.")
    assert reply.startswith("I hear you.") and "not your fault" in reply
    german = crisis_response(_check(RiskCategory.ABUSE, lang="de"), "DE", lead="I hear you.")
    assert "I hear you." not in german


def test_helplines_by_kind_keep_the_general_crisis_line() -> None:
    lines = helplines("GB", ["child"])
    assert "Childline" in lines[0] and any("116 123" in line for line in lines)
    assert helplines("FR", ["eating_disorder"]) == helplines("FR")  # no ED line listed: general


def test_bulleted_helplines_lists_the_kinds_then_the_emergency_line() -> None:
    block = bulleted_helplines("gb", ["child"], "en", emergency_led=False)
    rows = block.split("\n")
    assert all(row.startswith("• ") for row in rows)
    assert rows[:-1] == [f"• {line}" for line in helplines("GB", ["child"], "en")]
    assert "Childline" in rows[0] and rows[-1] == "• In immediate danger: call 999"
    led = bulleted_helplines("GB", ["child"], "en", emergency_led=True)
    assert led == "\n".join(rows[:-1])  # the reply already led with 999: not said twice
    # No country: the international line in the reply's language, and no number to name.
    dutch = bulleted_helplines(None, ["crisis"], "nl", emergency_led=False)
    assert dutch.endswith("• Bij direct gevaar: bel het lokale alarmnummer")
    assert "Vind een gratis" in dutch
    # An odd language code reads as English rather than raising.
    assert bulleted_helplines("GB", ["crisis"], "xx", emergency_led=False) == (
        bulleted_helplines("GB", ["crisis"], "en", emergency_led=False)
    )


def test_every_country_has_an_emergency_number_and_crisis_line() -> None:
    data = load_toml("helplines.toml")
    for code in COUNTRIES:
        assert data[code]["emergency"] and data[code]["lines"]["crisis"], code


def test_every_category_has_text_in_every_language() -> None:
    taxonomy = load_toml("risk_taxonomy.toml")
    assert set(taxonomy["category"]) == {c.value for c in RiskCategory}
    for entry in taxonomy["category"].values():
        for field in ("lead", "say", "ask"):
            if field in entry:
                assert set(entry[field]) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert set(taxonomy["text"][lang]) >= {"emergency_first", "emergency_line", "closing"}


# --- combine: the model adds recall, rules work alone ------------------------------------------


def _prediction(*flagged: RiskCategory) -> RiskPrediction:
    scores = {c: (0.9 if c in flagged else 0.01) for c in RiskCategory}
    return RiskPrediction(scores=scores, flagged=frozenset(flagged))


def test_combine_without_a_model_is_the_rules_check() -> None:
    rules = screen("i want to die")
    assert combine(rules, None) is rules
    assert combine(screen("lovely day"), None).flagged is False


def test_combine_adds_what_the_model_found() -> None:
    rules = screen("everything is grey and heavy lately")
    assert not rules.flagged
    both = combine(rules, _prediction(RiskCategory.SUICIDAL_IDEATION))
    assert both.flagged and both.sources == {"model"}
    assert both.cssrs == CssrsLevel.WISH_TO_BE_DEAD


def test_combine_is_a_union_and_never_clears_a_rule_flag() -> None:
    rules = screen("my dad hits me")
    assert combine(rules, _prediction()) is rules
    both = combine(rules, _prediction(RiskCategory.SELF_HARM))
    assert both.categories == {RiskCategory.ABUSE, RiskCategory.SELF_HARM}
    assert both.sources == {"rules", "model"}
    assert both.category == RiskCategory.ABUSE.value  # more severe than self-harm


def test_direct_question_per_language() -> None:
    assert direct_question() == direct_question("xx")
    assert "ending your life" in direct_question("en")
    assert "Leben zu nehmen" in direct_question("de")
    assert len({direct_question(lang) for lang in LANGUAGES}) == len(LANGUAGES)


def test_combine_records_the_model_when_it_agrees() -> None:
    rules = screen("i want to die")
    both = combine(rules, _prediction(RiskCategory.SUICIDAL_IDEATION))
    assert both.categories == rules.categories and both.cssrs == rules.cssrs
    assert both.sources == {"rules", "model"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_check_in_about_immediate_danger_leads_with_the_emergency_number(lang: str) -> None:
    """A short "pills in my hand" the rules miss reaches only the classifier's bands: it is
    asked about, but the number to call comes first, as in the crisis reply."""
    texts = load_toml("risk_taxonomy.toml")["text"][lang]
    urgent = check_in({RiskCategory.IMMEDIATE_DANGER}, "DE", lang)
    assert urgent.startswith(texts["emergency_first"].format(emergency="112"))
    assert direct_question(lang) in urgent
    danger = load_toml("risk_taxonomy.toml")["category"]["immediate_danger"]["say"][lang]
    assert danger in urgent  # "if you have already taken something, get medical help now"
    calm = check_in({RiskCategory.EATING_DISORDER}, "DE", lang)
    assert not calm.startswith(texts["emergency_first"].split("{")[0])
    # Every check-in still gives the emergency number, last among the lines.
    assert calm.splitlines()[-1] == "• " + texts["emergency_line"].format(emergency="112")


@pytest.mark.parametrize("country", COUNTRIES)
def test_a_check_in_lists_the_lines_its_categories_name(country: str) -> None:
    """Abuse watched: the child and domestic-violence lines of the country, as the crisis
    reply lists them, beside the general crisis line."""
    reply = check_in({RiskCategory.ABUSE}, country, "en")
    for line in helplines(country, ("child", "domestic_violence")):
        assert line in reply
    assert helplines(country, ("child",)) != helplines(country), country  # there is a child line


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_eating_check_in_asks_about_eating_not_about_someone_hurting_them(lang: str) -> None:
    texts = load_toml("risk_taxonomy.toml")["text"][lang]
    reply = check_in({RiskCategory.EATING_DISORDER}, "GB", lang)
    assert texts["check_in_eating"] in reply
    assert texts["check_in"] not in reply
