"""A cheap language guess for the five languages the crisis screen answers in.

Method: count the message's words that are frequent function words (and a few crisis words)
of each language, add a point for letters only one of them uses (ß, ñ, ç ...), pick the best;
ties and messages with no evidence at all go to English. This is the classic stop-word
profile method (Grefenstette 1995, "Comparing two language identification schemes"); it needs
no package and no model, costs a few microseconds, and unlike character n-gram identifiers
(langid.py, lingua) it gives a usable answer for two-word messages such as "quiero morir",
because the short messages people in crisis write are made of exactly these words.

Slang and texting spellings ("jpp jveux crever", "kzit er doorheen", "ntp ya no puedo más",
"kp mehr digga") are listed too, as function words are, since they are what short messages
are made of; where the words still leave the language open, the learned classifier's reading
(a ``hint``) decides. English words that are also common in another language's slang are left
out of that language's list ("net", "genre", "sale", "hoe"): a plain English line must stay
English.

It only chooses the language of the REPLY: the crisis rules of every language run on every
message whatever this guess says.
"""

from __future__ import annotations

import re
import unicodedata

from responses.risk import LANGUAGES

#: Frequent function words (and a few crisis words) per language, space-separated.
_WORD_LISTS: dict[str, str] = {
    "en": (
        "i im me my myself you your the an and is are am was to of it this that dont cant "
        "want wanna just not no what with have had be been will would can do so feel like "
        "anymore anyone everyone nobody kill die life end tonight help please why"
    ),
    "de": (
        "ich mich mir mein meine meinen du dich dir der das und ist bin nicht kein keine "
        "will möchte mochte moechte kann habe hab nur noch mehr mal auch sein wenn aber "
        "sterben leben umbringen tot heute nacht alle niemand weg schon bitte warum hallo "
        "nichts immer wieder einfach gerade "
        "die den dem des zu auf aus bei mit von vom zum zur nach oder weil dass denn doch "
        "gar nix nich ned isch habs gehts geht gibts grad heut bisschen ganz jetzt "
        "nee ne nen nem meinem meiner meines deinem deiner sagen soll sollte muss wir uns "
        "euch ihr sie er digga digger kp kb vllt bzw hdl hdgdl lg pennen bock scheisse "
        "keiner keinen irgendwie eigentlich weiss wie wer wo sehr viel fuhle fuhl ehrlich "
        "da hier krass voll allem alles durch isses gibt ey garnix garnich"
    ),
    "fr": (
        "je j me moi mon ma mes tu te toi le la les un une et est suis pas plus ne veux "
        "peux vais ai c ça ca qui que de du des pour avec sans mourir vie mort envie "
        "personne tout ce soir nuit jai jen nen cest bonjour salut mais tres aussi fait etre "
        "toujours jamais rien il elle ils nous vous sont ont dans sur leur lui cette avoir "
        "jpp jveux jsuis chui chuis jsp jsais jme jte jvais jcrois jfais jpeux tkt mdr ptdr "
        "wsh wesh frr frero frerot slt stp svp bcp pk pcq tt tjrs dsl bref trop vraiment "
        "quoi pourquoi quand parce au aux chez ou crever marre nul "
        "relou serieux faire disparaitre envie merci ecouter sais veut etais bien ptn "
        "putain oklm"
    ),
    "es": (
        "yo me mi mis tu te el la los las un una y es soy estoy no ya quiero puedo voy "
        "tengo que de del para con sin por nadie nada todo morir vida muerte ganas mas "
        "esta noche hoy quiere porque hola pero como muy eso estaba hace nunca siempre cuando "
        "donde se lo le su al hay ser tengo hago dicen digo ahora aqui solo ella ellos nos eres "
        "cada despues comida mucho pastillas tome matarme morirme vomitar engordar adelgazar comer "
        "veo sentido seguir viviendo vivir "
        "q xq tb tmb tmbn ntp neta wey guey tio tia boludo boluda pana vale porfa "
        "ayudame ayuda kiero qiero aguanto da igual bien mal mierda tambien tampoco algo "
        "alguien pues entonces mejor peor ahorita bueno oye che todos todas siento duele "
        "odio tus estoy hecha hecho asco desaparecer entiende llorar cansada "
        "cansado gracias jajaja jajajaja"
    ),
    "nl": (
        "ik mij me mijn jij je jou de het een en is ben niet geen wil wilt kan ga heb er "
        "meer nog wel maar met voor zonder dood leven zelf gaan niemand alles vannacht "
        "vanavond iedereen waarom echt te om op dat zijn heeft denk af naar ook nu als wat hij "
        "zij ze we mezelf gewoon weer erover niks niets hoi doei pillen zelfmoord bijna word wordt "
        "kzit kben kweet kga kheb kwil kan gwn wss ff idd mss egt ofzo iets nie mn zn hoor "
        "grapje jullie wij zo toch puf zin moe kapot klote kut snapt begrijpt "
        "weet moet kunnen willen nooit altijd vandaag gisteren alleen lekker joh dit daar "
        "hier waar omdat dus nou vind voel voelt puinhoop doorheen tegen slapen egt "
        "tering"
    ),
}
#: Letters (after lower-casing) that point at one language.
_LETTERS: dict[str, str] = {
    "ß": "de",
    "ä": "de",
    "ö": "de",
    "ü": "de",
    "ñ": "es",
    "¿": "es",
    "¡": "es",
    "á": "es",
    "í": "es",
    "ó": "es",
    "ú": "es",
    "ç": "fr",
    "è": "fr",
    "ê": "fr",
    "à": "fr",
    "ù": "fr",
    "œ": "fr",
    "â": "fr",
    "î": "fr",
    "ô": "fr",
    "ĳ": "nl",
}
_TOKEN = re.compile(r"[^\W\d_]+")


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


#: The word lists with accents removed, so "möchte" and "moechte" both count.
_FOLDED: dict[str, frozenset[str]] = {
    lang: frozenset(_fold(w) for w in words.split()) for lang, words in _WORD_LISTS.items()
}


#: Each listed word with the languages that list it; a word shared by k languages counts 1/k
#: for each, so "te" (fr, es, nl) weighs less than "ik" (nl only).
_SHARED: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang in LANGUAGES if word in _FOLDED[lang])
    for words in _FOLDED.values()
    for word in words
}


def language_scores(text: str) -> dict[str, float]:
    """Evidence per language code (``responses.risk.LANGUAGES``): function words found (a word
    listed for k languages adds 1/k to each) plus
    one point per distinctive letter (capped at 2 so one accented name cannot decide)."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for token in _TOKEN.findall(lowered.replace("'", " ").replace("\u2019", " ")):
        folded = _fold(token)
        for lang in _SHARED.get(folded, ()):
            scores[lang] += 1.0 / len(_SHARED[folded])
    letters = dict.fromkeys(LANGUAGES, 0.0)
    for ch in lowered:
        hinted = _LETTERS.get(ch)
        if hinted is not None:
            letters[hinted] = min(letters[hinted] + 1.0, 2.0)
    if "ij" in lowered:
        letters["nl"] = max(letters["nl"], 0.5)
    return {lang: scores[lang] + letters[lang] for lang in LANGUAGES}


#: Below this many points for the leader, or this close to the runner-up, the words do not
#: decide the language by themselves ("ok", "🔪🩸", a slang line of unlisted words).
SURE_POINTS = 1.0
SURE_MARGIN = 1.0
#: Fewer words than this are too short for the classifier's language read as well ("no" and
#: "ja" read as Spanish, "oui" as English): the words' guess stands for them.
HINT_MIN_WORDS = 3


def guess_language(text: str, hint: str | None = None) -> str:
    """The ISO 639-1 code of the most likely language among ``LANGUAGES``.

    ``hint`` is another reader's guess (the learned risk classifier's language head, which
    reads character n-grams and so knows texting spellings no word list has: "jpp", "kzit").
    It decides only where the words are unsure (the leader has under :data:`SURE_POINTS`, or
    leads the runner-up by less than :data:`SURE_MARGIN`) in a message of at least
    :data:`HINT_MIN_WORDS` words. Without a usable hint an unsure message goes to the leader,
    and ties or no evidence at all to English."""
    scores = language_scores(text)
    ranked = sorted(LANGUAGES, key=lambda lang: (scores[lang], lang == "en"), reverse=True)
    best, runner_up = scores[ranked[0]], scores[ranked[1]]
    unsure = best < SURE_POINTS or best - runner_up < SURE_MARGIN
    if hint in LANGUAGES and unsure and len(_TOKEN.findall(text)) >= HINT_MIN_WORDS:
        return str(hint)
    return ranked[0] if best > scores["en"] else "en"
