"""The conversation state's word lists live in ``crisis_patterns.toml`` (``[[state]]``): each
loads for every language it is written in, and a representative phrase of each list and
language still does what the list is there for (``responses/risk_state.py``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from responses._data import load_toml
from responses.risk import LANGUAGES, RiskCategory
from responses.risk_state import RiskState, seeking_help, takes_back, tells_plan
from responses.safety import SafetyCheck
from responses.safety_rules import STATE_KINDS, state_patterns

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
#: A conversation flagged five minutes ago, read by the classifier only (so the rules' own
#: reading of a message never decides whether it is help-seeking).
RAISED = RiskState(
    categories=frozenset({RiskCategory.SUICIDAL_IDEATION}),
    severity=3,
    raised_at=T0,
    last_signal_at=T0,
)
MODEL_ONLY = SafetyCheck(flagged=True, sources=frozenset({"model"}))
LATER = T0 + timedelta(minutes=5)

#: (kind, language, phrase, word): one representative phrase per list and language. For
#: ``filler`` and ``not_help_seeking``, ``word`` is the one the phrase takes from that
#: language's own list; the same phrase with a stand-in for it must read otherwise.
CASES: list[tuple[str, str, str, str]] = [
    ("filler", "en", "ok honestly i wasnt joking", "honestly"),
    ("filler", "de", "nee ehrlich, war kein spass", "ehrlich"),
    ("filler", "fr", "franchement je rigolais pas", "franchement"),
    ("filler", "es", "la verdad no era broma", "la verdad"),
    ("filler", "nl", "eerlijk gezegd het was geen grapje", "eerlijk gezegd"),
    ("take_back", "en", "i wasnt joking", ""),
    ("take_back", "de", "das war kein Spaß", ""),
    ("take_back", "fr", "c'était pas une blague", ""),
    ("take_back", "es", "lo dije en serio", ""),
    ("take_back", "nl", "ik meende het echt", ""),
    ("not_fine", "en", "i lied, im not ok", ""),
    ("not_fine", "de", "ich hab gelogen", ""),
    ("not_fine", "fr", "j'ai menti", ""),
    ("not_fine", "es", "no estoy bien", ""),
    ("not_fine", "nl", "het gaat niet goed", ""),
    ("plan", "en", "i have a plan", ""),
    ("plan", "de", "ich hab einen Plan", ""),
    ("plan", "fr", "j'ai un plan", ""),
    ("plan", "es", "ya tengo un plan", ""),
    ("plan", "nl", "ik heb een plan", ""),
    ("help_seeking", "en", "i'll call my therapist tomorrow", ""),
    ("help_seeking", "de", "ich ruf da morgen an", ""),
    ("help_seeking", "fr", "je vais les appeler", ""),
    ("help_seeking", "es", "mañana los llamo", ""),
    ("help_seeking", "nl", "ik ga ze morgen bellen", ""),
    ("not_help_seeking", "en", "i'll call my mum to say goodbye", "goodbye"),
    ("not_help_seeking", "de", "ich ruf da morgen an, zum abschied", "abschied"),
    ("not_help_seeking", "fr", "je vais les appeler pour dire adieu", "adieu"),
    ("not_help_seeking", "es", "mañana los llamo para despedirme", "despedirme"),
    ("not_help_seeking", "nl", "ik ga ze morgen bellen voor de laatste keer", "laatste"),
]


#: What stands in for ``word`` in the counterfactual: in no list.
STAND_IN = "blub"


def _word_in(kind: str, lang: str, word: str) -> bool:
    return re.fullmatch(state_patterns(kind)[lang], word) is not None


@pytest.mark.parametrize(("kind", "lang", "phrase", "word"), CASES)
def test_state_word_lists_load_and_a_representative_phrase_still_matches(
    kind: str, lang: str, phrase: str, word: str
) -> None:
    assert lang in state_patterns(kind)  # loaded from the data file for this language
    without = phrase.replace(word, STAND_IN) if word else phrase
    if kind == "filler":
        assert _word_in("filler", lang, word) and not _word_in("filler", lang, STAND_IN)
        assert takes_back(phrase) == lang
        assert takes_back(without) is None  # only a filler may stand beside the form
    elif kind == "take_back":
        assert takes_back(phrase) == lang
        assert takes_back(f"{phrase} about the exam tomorrow") is None  # not the whole message
    elif kind == "not_fine":
        assert takes_back(phrase, retracted=True) == lang
        assert takes_back(phrase) is None  # only while a retraction is on record
    elif kind == "plan":
        assert tells_plan(phrase) == lang
        assert tells_plan(f"{phrase} for the weekend trip") is None
    elif kind == "help_seeking":
        assert seeking_help(RAISED, MODEL_ONLY, phrase, LATER)
        assert not seeking_help(RiskState(), MODEL_ONLY, phrase, LATER)  # not raised: no
    else:
        assert _word_in("not_help_seeking", lang, word)
        assert not seeking_help(RAISED, MODEL_ONLY, phrase, LATER)
        assert seeking_help(RAISED, MODEL_ONLY, without, LATER)  # the word made the difference


def test_every_state_list_has_every_language_and_the_english_helpers_stay_english() -> None:
    for kind in STATE_KINDS:
        assert tuple(state_patterns(kind)) == LANGUAGES, kind
    entries = load_toml("crisis_patterns.toml")["state"]
    with_helpers = {(e["kind"], e["language"]) for e in entries if "<HELPERS_EN>" in str(e)}
    assert with_helpers == {("help_seeking", "en")}
    assert "<" not in "".join(state_patterns("help_seeking").values())  # fragment inserted
    with pytest.raises(ValueError, match="unknown"):
        state_patterns("jokes")
