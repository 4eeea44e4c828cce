"""Fourth review of the crisis reply: the immediate-danger sentence fits the danger named (a
height, the tracks, gas or car exhaust, pills), and slangy or short messages in German,
French, Spanish and Dutch get their reply in their own language."""

from __future__ import annotations

import asyncio

import pytest

from bot.risk import RiskScreen
from responses._data import load_toml
from responses.foreign import other_language
from responses.language import guess_language
from responses.risk import LANGUAGES, CssrsLevel, RiskCategory, RiskPrediction
from responses.safety import check_in, combine, crisis_response, make_check, screen

_DANGER = load_toml("risk_taxonomy.toml")["category"]["immediate_danger"]


def _means_text(kind: str, lang: str) -> str:
    return str(_DANGER["say_means"][kind][lang])


def _general(lang: str) -> str:
    return str(_DANGER["say"][lang])


def _danger_check(text: str) -> tuple[str, str]:
    """The crisis reply to ``text`` (flagged as immediate danger and suicidal ideation by the
    classifier when the rules miss it, as the core would combine them) and its language."""
    rules = screen(text)
    flagged = frozenset({RiskCategory.IMMEDIATE_DANGER, RiskCategory.SUICIDAL_IDEATION})
    scores = {c: (0.9 if c in flagged else 0.01) for c in RiskCategory}
    check = combine(rules, RiskPrediction(scores=scores, flagged=flagged))
    return crisis_response(check, "DE"), check.language


# --- 1. the immediate-danger sentence names what fits the danger ------------------------------

_BY_MEANS: list[tuple[str, str, str]] = [
    ("height", "en", "im on the roof of my building rn"),
    ("height", "en", "standing on the bridge, im going to jump"),
    ("height", "en", "on the ledge of my balcony right now, 9 floors up"),
    ("height", "de", "ich stehe gerade auf der Brücke"),
    ("height", "de", "bin aufm dach vom hochhaus und spring gleich"),
    ("height", "fr", "je suis sur le toit là, je vais sauter"),
    ("height", "fr", "jsuis sur le pont et jveux sauter"),
    ("height", "es", "estoy en la azotea y quiero saltar"),
    ("height", "es", "estoy en el puente ahora mismo y me voy a tirar"),
    ("height", "nl", "ik sta op het dak en ga springen"),
    ("height", "nl", "ik sta nu op de brug en ik spring"),
    ("tracks", "en", "im standing on the train tracks now"),
    ("tracks", "en", "sitting on the railway line waiting for the next one"),
    ("tracks", "de", "ich sitze gerade auf den gleisen"),
    ("tracks", "fr", "je suis sur les voies ferrées, j'attends le train"),
    ("tracks", "es", "estoy en las vías del tren esperando"),
    ("tracks", "nl", "ik sta nu op het spoor"),
    ("gas", "en", "sitting in the car in the garage with the engine running"),
    ("gas", "en", "i turned the gas on in the kitchen and shut the windows"),
    ("gas", "de", "sitze im auto in der garage, der motor läuft"),
    ("gas", "fr", "je suis dans la voiture au garage, moteur allumé"),
    ("gas", "es", "estoy en el coche en el garaje con el motor encendido"),
    ("gas", "nl", "ik zit in de auto in de garage met de motor aan"),
    ("overdose", "en", "i just took the whole bottle of pills"),
    ("overdose", "en", "swallowed all my meds 20 min ago"),
    ("overdose", "de", "hab grad alle tabletten geschluckt"),
    ("overdose", "fr", "j'ai avalé toute la boîte de cachets"),
    ("overdose", "es", "me tomé todas las pastillas que había"),
    ("overdose", "nl", "ik heb al mijn pillen ingenomen"),
]


@pytest.mark.parametrize(("kind", "lang", "text"), _BY_MEANS)
def test_the_danger_sentence_fits_the_danger_named(kind: str, lang: str, text: str) -> None:
    """The overdose sentence only where pills or poison are named; a height, the tracks and
    exhaust each get their own step to safety, in the message's language, after the
    emergency number."""
    reply, got = _danger_check(text)
    assert got == lang
    assert reply.startswith(load_toml("risk_taxonomy.toml")["text"][lang]["emergency_first"][:8])
    assert _means_text(kind, lang) in reply
    for other in ("height", "tracks", "gas", "overdose"):
        if other != kind:
            assert _means_text(other, lang) not in reply, other


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "i have the knife in my hand right now"),
        ("en", "the rope is ready, doing it now"),
        ("de", "hab das messer schon in der hand"),
        ("fr", "j'ai le couteau dans la main là"),
        ("es", "tengo la cuchilla en la mano ahora"),
        ("nl", "ik heb het mes nu in mijn hand"),
    ],
)
def test_nothing_specific_named_gets_the_general_sentence(lang: str, text: str) -> None:
    reply, got = _danger_check(text)
    assert got == lang
    assert _general(lang) in reply
    for kind in ("height", "tracks", "gas", "overdose"):
        assert _means_text(kind, lang) not in reply, kind


def test_a_check_built_without_the_words_keeps_the_overdose_advice() -> None:
    """A check raised from context ("i already took them" after "i want to die") is built
    without reading the means: both sentences, as before, so overdose advice is never lost."""
    check = make_check(
        {RiskCategory.IMMEDIATE_DANGER, RiskCategory.SUICIDAL_IDEATION},
        cssrs=CssrsLevel.ACTIVE_THOUGHTS,
        sources=("context",),
    )
    assert check.means is None
    reply = crisis_response(check, "GB")
    assert str(_DANGER["say_unread"]["en"]) in reply and "some overdoses do harm" in reply


@pytest.mark.parametrize(
    ("text", "means"),
    [
        ("im going to jump tonight", {"height"}),
        ("i'll jump in front of a train", {"tracks"}),
        ("hab überlegt mich vor nen zug zu schmeißen", {"tracks"}),
        ("ich spring jetzt", {"height"}),
        ("je vais sauter", {"height"}),
        ("voy a tirarme a las vías", {"tracks"}),
        ("ik ga springen", {"height"}),
        ("ik spring voor de trein", {"tracks"}),
        ("holding the knife now", set()),
    ],
)
def test_a_jump_is_read_as_a_height_unless_it_is_before_a_train(text: str, means: set[str]) -> None:
    assert screen(text).means == frozenset(means)


def test_pills_on_a_bridge_get_both_sentences() -> None:
    reply, _ = _danger_check("on the bridge with a bottle of pills in my pocket")
    assert _means_text("height", "en") in reply and _means_text("overdose", "en") in reply


def test_means_are_read_also_when_nothing_is_flagged_and_not_in_look_alikes() -> None:
    assert screen("im on the roof of my building rn").means == frozenset({"height"})
    assert screen("lovely day, had a picnic by the river").means == frozenset()
    assert screen("").means is None or screen("").means == frozenset()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_check_in_fits_the_danger_when_told_the_means(lang: str) -> None:
    watch = {RiskCategory.IMMEDIATE_DANGER}
    roof = check_in(watch, "DE", lang, means=frozenset({"height"}))
    assert _means_text("height", lang) in roof and _means_text("overdose", lang) not in roof
    bare = check_in(watch, "DE", lang, means=frozenset())
    assert _general(lang) in bare and _means_text("overdose", lang) not in bare
    # A caller that does not know the words keeps the overdose advice (as before).
    assert str(_DANGER["say_unread"][lang]) in check_in(watch, "DE", lang)


def test_every_means_sentence_is_in_every_language() -> None:
    for kind, texts in _DANGER["say_means"].items():
        assert set(texts) == set(LANGUAGES), kind


# --- 2. the reply's language for slangy and short messages -------------------------------------

_SLANG: dict[str, list[str]] = {
    "fr": [
        "jpp jveux crever sérieux",
        "chui trop mal jsp quoi faire",
        "tkt pas pr moi mdr",
        "wsh jsuis au bout frr",
        "jme sens vide ptdr c nul",
        "jsais pas pk jsuis encore la",
        "bref jen ai marre de tt",
        "c mort pr moi frérot",
        "jveux disparaitre",
        "slt ca va pas trop",
        "dsl jsuis relou ce soir",
        "merci de m'écouter",
    ],
    "de": [
        "die Stimmen in meinem Kopf sagen, ich soll meiner Mutter wehtun",
        "kp mehr auf alles digga",
        "bin so durch alter",
        "hab kb mehr auf garnix",
        "vllt isses besser wenn ich weg bin",
        "alles scheiße grad ehrlich",
        "weiß nich mehr weiter",
        "mir gehts net gut heut",
        "ey ich pack das nich",
        "keiner versteht mich echt jetzt",
        "mega müde von allem",
        "morgen früh bin ich nicht mehr da",
    ],
    "es": [
        "ntp ya no puedo más",
        "q asco mi vida wey",
        "neta ya me quiero morir",
        "xq todo me sale mal",
        "no aguanto mas tio",
        "me siento re mal boludo",
        "nadie me entiende jajaja",
        "kiero desaparecer",
        "estoy hecha mierda",
        "tmb me duele todo",
        "vale ya da igual todo",
        "porfa ayudame",
    ],
    "nl": [
        "grapje hoor haha",
        "kzit er echt doorheen",
        "wss ga ik gwn slapen",
        "kben zo moe van alles",
        "egt kapot vandaag",
        "kweet niet meer wat ik moet",
        "ff geen zin meer in alles",
        "mn leven is een puinhoop",
        "niemand snapt me ofzo",
        "heb geen puf meer",
        "t gaat nie goed met me",
        "ik kan er nie meer tegen",
    ],
}

_ENGLISH = [
    "idk tbh im so done lol",
    "ngl today was rough",
    "i want to die",
    "im on the roof",
    "so tired of everything",
    "cant sleep again",
    "lmao same",
    "my dog died last week and i miss him so much",
    "die in a fire lol",
    "omw home rn",
    "the vet said he was fine",
    "my mom is driving me nuts",
    "had a great day at the beach with the kids",
    "la la land was such a good movie",
    "me and my mate went out for a pint",
    "i hate my job so much",
    "was it really my fault",
    "no one cares about me",
    "he said she was in the hall",
    "everything is grey and heavy lately",
    "i think i'll call them tomorrow",
    "my friend says she wants to kill herself, how do i help her",
    "took my meds, going to bed",
    "hoe many pills is too many",
]


@pytest.mark.parametrize(("lang", "text"), [(lang, t) for lang, ts in _SLANG.items() for t in ts])
def test_slangy_and_short_messages_are_answered_in_their_language(lang: str, text: str) -> None:
    assert guess_language(text) == lang


@pytest.mark.parametrize("text", _ENGLISH)
def test_plain_english_stays_english(text: str) -> None:
    assert guess_language(text) == "en"
    assert other_language(text) is None  # the everyday reply is not told it is foreign


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("bla bla bla", "fr", "fr"),  # nothing to go on: the classifier's read decides
        ("hmm bla bla", "xx", "en"),  # an unknown code is ignored
        # One or two words are too short for either reader ("no" reads as Spanish to the
        # classifier): the words' guess stands, English on a tie.
        ("no", "es", "en"),
        ("ok", "fr", "en"),
        ("🔪🩸", "de", "en"),
        ("i want to die", "nl", "en"),  # clear words win over the classifier
        ("je veux mourir", "en", "fr"),
    ],
)
def test_the_classifier_language_decides_only_when_the_words_do_not(
    text: str, hint: str, expected: str
) -> None:
    assert guess_language(text, hint=hint) == expected


class _Reads:
    """A classifier that flags nothing and reads every message as one language."""

    def __init__(self, language: str, *flagged: RiskCategory) -> None:
        self.language, self.flagged = language, frozenset(flagged)

    def predict(self, texts: list[str]) -> list[RiskPrediction]:
        scores = {c: (0.9 if c in self.flagged else 0.01) for c in RiskCategory}
        return [
            RiskPrediction(
                scores=scores, flagged=self.flagged, language=self.language, watch=self.flagged
            )
            for _ in texts
        ]


def test_the_screen_uses_the_classifier_language_when_the_words_are_unsure() -> None:
    async def run() -> None:
        french = RiskScreen(_Reads("fr", RiskCategory.SUICIDAL_IDEATION))
        assert (await french.screen("bla bla bla...")).check.language == "fr"
        assert (await french.screen("no")).check.language == "en"
        dutch = RiskScreen(_Reads("nl"))
        assert (await dutch.screen("i want to die")).check.language == "en"
        assert (await RiskScreen(None).screen("bla bla bla...")).check.language == "en"
        french.close()
        dutch.close()

    asyncio.run(run())


# --- 3. someone asking how to help a friend --------------------------------------------------

_HELPER = load_toml("risk_taxonomy.toml")["helper"]
_ASK_ABOUT_THEM = load_toml("risk_taxonomy.toml")["category"]["suicidal_ideation"]["ask"]


def _helper_screen(text: str) -> tuple[str, str]:
    """The reply to ``text`` flagged by the classifier alone, the "helper" context kind read
    by the rules."""
    rules = screen(text)
    flagged = frozenset({RiskCategory.SUICIDAL_IDEATION, RiskCategory.IMMEDIATE_DANGER})
    scores = {c: (0.9 if c in flagged else 0.01) for c in RiskCategory}
    check = combine(rules, RiskPrediction(scores=scores, flagged=flagged))
    assert check.about_someone_else
    return crisis_response(check, "ES" if check.language == "es" else "US"), check.language


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("es", "mi amiga dice que se quiere matar, ¿cómo la ayudo?"),
        ("en", "my friend says she wants to kill herself, how do i help her"),
    ],
)
def test_a_friend_asking_how_to_help_is_told_how_not_asked_about_themselves(
    lang: str, text: str
) -> None:
    reply, got = _helper_screen(text)
    assert got == lang
    assert _HELPER["lead"][lang] in reply
    assert _ASK_ABOUT_THEM[lang] not in reply
    assert _means_text("overdose", lang) not in reply and _general(lang) not in reply
    assert ("024" if lang == "es" else "988") in reply  # the line, for them to call together
    assert ("112" if lang == "es" else "911") in reply  # and the emergency number


def test_the_writers_own_words_keep_the_crisis_reply() -> None:
    """Helper words beside the writer's own crisis ("my friend says i should talk to someone,
    i want to kill myself"): the rules read the writer's words, so the crisis reply stands."""
    check = screen("my friend said i should talk to someone. i want to kill myself")
    assert check.flagged and not check.about_someone_else
    assert _ASK_ABOUT_THEM["en"] in crisis_response(check, "US")


def test_a_friend_at_risk_is_read_as_a_helpers_worry() -> None:
    check = screen("my friend says she wants to kill herself, how do i help her")
    assert check.about_someone_else and not check.flagged  # tests/responses/test_safety_helper


def test_the_helper_text_is_in_every_language() -> None:
    for field in ("lead", "say", "ask"):
        assert set(_HELPER[field]) == set(LANGUAGES), field
        for lang in LANGUAGES:
            assert "{emergency}" not in _HELPER[field][lang] or field == "say"


def test_a_check_built_without_the_words_says_each_thing_once() -> None:
    """The fallback for an unread check is the one sentence it always was: overdose advice,
    then "move away ... or go to where other people are", not that advice twice."""
    check = make_check({RiskCategory.IMMEDIATE_DANGER}, sources=("context",))
    for lang in LANGUAGES:
        reply = crisis_response(check, "DE", lang)
        assert str(_DANGER["say_unread"][lang]) in reply
        assert _means_text("overdose", lang) not in reply


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_danger_check_in_about_someone_else_gets_no_overdose_advice(lang: str) -> None:
    """ "The voices tell me to hurt my mother": a check-in about harm to others asks for
    distance from the person, not "if you have already taken something"; danger from an
    abuser gets "get somewhere safer"."""
    category = load_toml("risk_taxonomy.toml")["category"]
    others = check_in(
        {RiskCategory.IMMEDIATE_DANGER, RiskCategory.HARM_TO_OTHERS, RiskCategory.PSYCHOSIS},
        "DE",
        lang,
    )
    assert category["harm_to_others"]["say"][lang] in others
    assert _means_text("overdose", lang) not in others
    assert str(_DANGER["say_unread"][lang]) not in others
    abuse = check_in({RiskCategory.IMMEDIATE_DANGER, RiskCategory.ABUSE}, "DE", lang)
    assert _DANGER["say_abuse"][lang] in abuse and _means_text("overdose", lang) not in abuse
