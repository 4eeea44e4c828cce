"""The crisis rules against the evasions an adversarial review found: look-alike letters,
Discord spoilers and markdown, one word per line, a passive wish not to wake up in the other
languages, and means at hand with a time in Spanish, French and German.

Look-alike letters are written as escapes (\\u0456 is Cyrillic i) so that the test reads
the same in every editor.
"""

from __future__ import annotations

import pytest

from responses.risk import CssrsLevel, RiskCategory
from responses.safety import screen
from responses.safety_rules import join_one_word_lines, normalise_base, unconfuse

SI = RiskCategory.SUICIDAL_IDEATION

# --- 1. look-alike letters ---------------------------------------------------------------------

HOMOGLYPHS = [
    "i want to k\u0456ll mys\u0435lf",  # Cyrillic i, e
    "\u0456 w\u0430nt t\u043e d\u0456\u0435",  # every vowel Cyrillic
    "I want to \u0455uic\u0456d\u0435",  # Cyrillic dze for s
    "\u0399 w\u0430nt t\u03bf d\u03b9e",  # Greek capital iota, omicron, iota
    "ich will m\u0456ch umbr\u0456ngen",  # de
    "je veux m\u043eur\u0456r",  # fr
    "quiero m\u0430t\u0430rme",  # es
    "ik wil z\u0435lfm\u043eord plegen",  # nl
]


@pytest.mark.parametrize("text", HOMOGLYPHS)
def test_latin_looking_letters_from_other_scripts_are_read_as_latin(text: str) -> None:
    check = screen(text)
    assert check.flagged and SI in check.categories, text


def test_unconfuse_maps_only_mixed_words_or_otherwise_latin_text() -> None:
    assert unconfuse("k\u0456ll mys\u0435lf") == "kill myself"
    # Real Russian and Greek keep their letters (none of them is a pure look-alike text).
    assert unconfuse("\u044f \u0445\u043e\u0447\u0443 \u0441\u043f\u0430\u0442\u044c") == (
        "\u044f \u0445\u043e\u0447\u0443 \u0441\u043f\u0430\u0442\u044c"
    )
    greek = "\u03ba\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1"
    assert unconfuse(greek) == greek
    # A Russian sentence with one mixed word: only that word is read as Latin.
    mixed = "\u0441\u043e\u0440 k\u0456ll \u044f"
    assert unconfuse(mixed) == "\u0441\u043e\u0440 kill \u044f"
    # Cyrillic look-alikes with no Latin letter at all are Cyrillic text, not an evasion.
    assert unconfuse("\u0441\u043e\u0440") == "\u0441\u043e\u0440"


@pytest.mark.parametrize(
    "text",
    [
        "\u044f \u0445\u043e\u0447\u0443 \u0441\u043f\u0430\u0442\u044c",  # "I want to sleep"
        "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430?",
        "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03c3\u03b1\u03c2",
        "\u0441\u043e\u0440 \u0438 \u0443\u0445\u043e",  # only look-alike letters, still Russian
    ],
)
def test_real_cyrillic_and_greek_text_is_not_flagged(text: str) -> None:
    assert screen(text).flagged is False


# --- 2. Discord spoilers and markdown ---------------------------------------------------------

WRAPPED = [
    "||i want to kill myself||",
    "||i want to die||",
    "i want to ||kill myself||",
    "||ich will sterben||",
    "||je veux mourir||",
    "i want to **kill** myself",
    "**i** want to **kill** myself",
]


@pytest.mark.parametrize("text", WRAPPED)
def test_spoilers_and_markdown_around_risk_words_are_flagged(text: str) -> None:
    check = screen(text)
    assert check.flagged and SI in check.categories, text


def test_spoiler_bars_are_not_the_leetspeak_l_and_a_star_inside_a_word_stays() -> None:
    assert normalise_base("||i want to die||") == "i want to die"
    assert normalise_base("i want to ki|| myself") == "i want to kill myself"
    assert normalise_base("i want to k*ll myself") == "i want to k*ll myself"
    assert normalise_base("**kill** myself") == "kill myself"


# --- 3. one word per line ---------------------------------------------------------------------

ONE_WORD_LINES = [
    "i\nwant\nto\ndie",
    "i\r\nwant\r\nto\r\nkill\r\nmyself",
    "ich\nwill\nsterben",
    "je\nveux\nmourir",
    "quiero\nmorir",
    "ik\nwil\ndood",
]


@pytest.mark.parametrize("text", ONE_WORD_LINES)
def test_one_word_per_line_is_read_as_the_phrase(text: str) -> None:
    check = screen(text)
    assert check.flagged and SI in check.categories, text


def test_only_breaks_next_to_one_word_lines_are_joined() -> None:
    assert join_one_word_lines("i\nwant\nto\ndie") == "i want to die"
    assert join_one_word_lines("hi there\nhow are you") == "hi there\nhow are you"
    assert join_one_word_lines("hi there\n\nhow are you") == "hi there\n\nhow are you"
    assert normalise_base("i\nwant\nto\ndie") == "i . want . to . die"
    assert normalise_base("i\nwant\nto\ndie", join_lines=True) == "i want to die"


# --- 4. a passive wish to be dead: not waking up ----------------------------------------------

NOT_WAKING_UP = [
    "ojalá no despertar mañana",
    "ojalá no despertarme nunca más",
    "quisiera no volver a despertar",
    "quiero dormirme y no despertar",
    "hoffentlich wache ich nicht mehr auf",
    "einfach einschlafen und nie wieder aufwachen",
    "ich hoffe, ich wache nie wieder auf",
    "je veux ne jamais me réveiller",
    "j'espère ne pas me réveiller demain",
    "j'aimerais m'endormir et ne plus jamais me réveiller",
    "ik hoop dat ik nooit meer wakker word",
    "ik hoop dat ik gewoon niet wakker word",
]


@pytest.mark.parametrize("text", NOT_WAKING_UP)
def test_wishing_not_to_wake_up_is_a_wish_to_be_dead(text: str) -> None:
    check = screen(text)
    assert check.flagged and SI in check.categories, text
    assert check.cssrs >= CssrsLevel.WISH_TO_BE_DEAD


# --- 5. means at hand with a time: urgent, as in English and Dutch ----------------------------

MEANS_AND_TIME = [
    "esta noche me voy a quitar la vida, ya tengo las pastillas",
    "esta noche me mato, ya tengo la cuerda",
    "j'ai la corde, c'est pour ce soir",
    "j'ai les cachets, c'est pour ce soir, je vais en finir",
    "ich habe das Seil, heute Nacht ist es soweit",
    "heute Nacht bringe ich mich um, die Tabletten liegen bereit",
]


@pytest.mark.parametrize("text", MEANS_AND_TIME)
def test_means_at_hand_with_a_time_is_urgent(text: str) -> None:
    check = screen(text)
    assert check.urgent, (text, check.severity)
    assert RiskCategory.IMMEDIATE_DANGER in check.categories, text


@pytest.mark.parametrize(
    "text", ["der Strick hängt schon bereit", "la corde est prête", "la soga ya está atada"]
)
def test_a_rope_ready_is_urgent_as_in_english(text: str) -> None:
    assert screen("the rope is ready").urgent
    check = screen(text)
    assert check.urgent and RiskCategory.IMMEDIATE_DANGER in check.categories, text


# --- look-alikes that must stay unflagged -----------------------------------------------------

LOOK_ALIKES = [
    "ich will morgen nicht so früh aufwachen",
    "ich will morgen nicht aufwachen müssen, so früh",
    "ich hoffe, ich wache morgen nicht zu spät auf",
    "ich will nie wieder so früh aufwachen müssen",
    "no quiero despertarme temprano",
    "no quiero despertar temprano",
    "ojalá no despertarme tarde mañana",
    "espero no despertar con resaca",
    "j'espère ne pas me réveiller trop tôt",
    "ik hoop dat ik morgen niet te laat wakker word",
    "ik hoop dat ik niet wakker word van de wekker",
    "i dont want to wake up early",
    "||spoiler: he dies at the end||",
    "the ki|| was great",
    "hi\nhow are you\ni'm fine",
    "j'ai pris mes médicaments ce soir",
    "ce soir j'ai la corde d'escalade pour la salle",
    "j'ai la corde à sauter ce soir",
    "hoy tengo las pastillas para la gripe",
    "esta noche tengo que tomar las pastillas",
    "hoy tengo la cuerda para saltar",
    "ich habe heute meine Tabletten genommen",
    "heute abend hab ich das Seil zum Klettern dabei",
    "das Seil ist befestigt, wir können klettern",
    "la cuerda está atada al barco",
    "la corde est attachée au bateau",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_stay_unflagged(text: str) -> None:
    assert screen(text).flagged is False, text


def test_a_line_break_still_ends_a_sentence_where_a_pattern_needs_it() -> None:
    # "jump" at the end of a sentence is read only with the break as a sentence end.
    check = screen("Hi\nI want to jump\nBye")
    assert check.flagged and SI in check.categories


# --- second review: look-alikes the new patterns raised, and ropes already hanging -------------

SECOND_REVIEW_LOOK_ALIKES = [
    "j'ai la corde prête pour l'escalade ce soir",
    "tengo las pastillas para dormir listas para el vuelo de esta noche",
    "j'ai mes somnifères prêts pour le vol de ce soir",
    "ya tengo las pastillas listas para esta noche, son antibióticos",
    "j'ai mes médicaments prêts pour ce soir, c'est l'antibiotique",
    "la cuerda ya está lista para el tendedero esta noche",
    "j'espère ne pas me réveiller avec la gueule de bois demain",
    "ik wil nooit meer wakker worden van die wekker",
    "tengo\nganas\nde\nmorirme\nde\nrisa",
    "tengo ganas de morirme de risa",
    "j'ai mes cachets pour ce soir, comme tous les soirs",
    "das Seil ist schon bestellt, heute kommt es",
    "het touw is al besteld, vanavond komt het",
]


#: Oversleeping is not a wish not to wake up (found by a review); "till it's all over" still is.
OVERSLEEPING = [
    "worst hangover ever, hope i don't wake up until monday lol",
    "hope i dont wake up before noon tomorrow, so tired",
    "i hope i don't wake up early for once",
    "pray i dont wake up till the weekend, this flu is brutal",
]


@pytest.mark.parametrize("text", OVERSLEEPING)
def test_hoping_to_oversleep_is_not_a_wish_to_be_dead(text: str) -> None:
    assert screen(text).flagged is False, text


@pytest.mark.parametrize(
    "text", ["i hope i dont wake up tomorrow", "hope i dont wake up till its all over"]
)
def test_not_waking_up_without_a_wake_up_time_stays_a_wish_to_be_dead(text: str) -> None:
    assert screen(text).flagged, text


@pytest.mark.parametrize("text", SECOND_REVIEW_LOOK_ALIKES)
def test_second_review_look_alikes_stay_unflagged(text: str) -> None:
    assert screen(text).flagged is False, text


ROPE_ALREADY_HANGING = [
    "das Seil hängt schon, heute Nacht mache ich es",
    "la cuerda ya cuelga, esta noche lo hago",
    "het touw hangt al, vannacht doe ik het",
]


@pytest.mark.parametrize("text", ROPE_ALREADY_HANGING)
def test_a_rope_already_hanging_with_a_time_is_urgent_as_in_english(text: str) -> None:
    assert screen("the rope is up, tonight i'll do it").urgent
    check = screen(text)
    assert check.urgent and RiskCategory.IMMEDIATE_DANGER in check.categories, text


@pytest.mark.parametrize(
    "text",
    [
        "j'ai mes cachets prêts pour ce soir, je vais en finir",
        "ya tengo las pastillas listas para esta noche, me las voy a tomar todas",
        "ojalá no despertar mañana con esta vida",
        "ik wil nooit meer wakker worden",
        "j'ai la corde ce soir, dans la salle de bain",
        "ya tengo todas las pastillas para esta noche",
    ],
)
def test_intent_still_flags_beside_the_new_exclusions(text: str) -> None:
    assert screen(text).flagged, text


# --- third review: a near time, all one's pills, already taken, a French regression --------------

DI = RiskCategory.IMMEDIATE_DANGER


@pytest.mark.parametrize(
    "text",
    [
        "Ich will heute Nacht sterben",
        "heute Nacht will ich sterben",
        "ik wil vannacht dood",
        "vannacht wil ik dood",
    ],
)
def test_a_wish_to_die_with_a_near_time_is_urgent_as_in_english(text: str) -> None:
    assert screen("i want to die tonight").urgent
    check = screen(text)
    assert SI in check.categories and check.cssrs >= CssrsLevel.PLAN, (text, check.cssrs)
    assert check.urgent, text


ALL_PILLS_TONIGHT = [
    "ich nehme heute nacht alle meine tabletten",
    "ich werde heute Nacht alle meine Tabletten nehmen",
    "ik neem vannacht al mijn pillen",
    "voy a tomar todas mis pastillas esta noche",
    # French: "all of them" on its own after the pills ready for tonight (a regression)
    "j'ai mes pilules prêtes pour ce soir, toutes",
    "mes cachets sont prêts pour ce soir, tous",
]


@pytest.mark.parametrize("text", ALL_PILLS_TONIGHT)
def test_all_ones_pills_tonight_is_immediate_danger(text: str) -> None:
    assert screen("i'm going to take all my pills tonight").urgent
    check = screen(text)
    assert check.urgent and DI in check.categories, (text, check.severity)


ALREADY_TAKEN_ALL = [
    "i already took everything",
    "i already took the whole packet",
    "ich habe schon alles genommen, mir gehts gut",
    "ik heb alles al ingenomen",
    "j'ai déjà tout pris mais ça va",
    "ya me lo he tomado todo, pero estoy bien",
]


@pytest.mark.parametrize("text", ALREADY_TAKEN_ALL)
def test_already_having_taken_all_of_it_is_immediate_danger(text: str) -> None:
    check = screen(text)
    assert check.urgent and DI in check.categories, (text, check.severity)


@pytest.mark.parametrize(
    "text",
    ["see you never. i love you all", "Tschüss, bis nie wieder. Ich hab euch lieb"],
)
def test_see_you_never_beside_love_is_a_farewell(text: str) -> None:
    check = screen(text)
    assert RiskCategory.FAREWELL in check.categories, text


@pytest.mark.parametrize(
    "text",
    [
        "morirme de risa no, morirme de verdad",
        "tengo ganas de morirme de risa no, morirme de verdad",
        "quiero morirme de risa no, de verdad",
    ],
)
def test_the_joke_taken_back_is_a_wish_to_die(text: str) -> None:
    check = screen(text)
    assert check.flagged and SI in check.categories, text


THIRD_REVIEW_LOOK_ALIKES = [
    "ich will heute nicht sterben",
    "ik wil vanavond niet dood",
    "ich will heute sterben vor Lachen",
    "ich nehme heute abend alle meine tabletten mit in den urlaub",
    "ich nehme heute alle meine Tabletten wie verschrieben",
    "ik neem vanavond al mijn pillen mee op vakantie",
    "hoy tomo todas mis pastillas como siempre",
    "esta noche voy a tomar todas mis pastillas para la gripe",
    "i already took my pills",
    "i already took something",
    "i already took everything to the car",
    "ich habe schon alles genommen, was ich brauche",
    "ich habe schon alles mitgenommen",
    "ik heb alles al genomen wat ik nodig had",
    "j'ai déjà tout pris pour le pique-nique",
    "j'ai pris toute la boîte de chocolats",
    "ya me tomé todo el café",
    "ya me lo he tomado todo y estaba buenísimo",
    "i just took the whole box of cookies",
    "ik heb net alles genomen en ben vertrokken",
    "mes cachets sont prêts pour ce soir, bonne nuit à tous",
    "mes cachets sont prêts pour ce soir, tous les deux",
    "j'ai mes pilules prêtes pour ce soir, toutes, comme tous les soirs",
    "bye 2020, see you never",
    "see you never, im sorry but you're toxic",
    "bis nie wieder, du Idiot",
    "tengo ganas de morirme de risa, en serio",
    "me dan ganas de morirme de risa, ¿no?",
]


@pytest.mark.parametrize("text", THIRD_REVIEW_LOOK_ALIKES)
def test_third_review_look_alikes_stay_unflagged(text: str) -> None:
    assert screen(text).flagged is False, text


def test_already_took_the_pills_alone_is_not_urgent() -> None:
    # Daily medicine: only "all", "everything" or "the whole packet" is the signal.
    assert screen("i already took the pills").urgent is False
