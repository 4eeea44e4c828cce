"""Dialogue acts: what a message *does* (greets, thanks, asks for advice, shares, ...).

Rules, not a model: the formulaic acts (greeting, thanks, goodbye, acknowledgement) are closed
classes of phrases, and the rest hinge on a few cues (a question aimed at attune, a correction
of its reading, first-person content). The act set follows the coarse classes of DAMSL /
the Switchboard-DAMSL tag set (Jurafsky, Shriberg & Biasca 1997: conventional-opening,
thanking, conventional-closing, acknowledge (backchannel), statement, question) narrowed to
what an emotional-support chat needs.

A message is split into segments at punctuation; each segment is either formulaic ("ok",
"bye for now", "thank you for listening") or content. Content wins: "hi! my grandma passed
away" is sharing, not a greeting. With no content the strongest formula wins, in the order
goodbye > thanks > greeting > acknowledgement ("thanks, bye" closes the conversation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from responses.corrections import names_a_feeling, parse_correction


class Act(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ADVICE = "advice"
    ABOUT_BOT = "about_bot"
    SHARING = "sharing"
    CORRECTION = "correction"
    SMALL_TALK = "small_talk"
    ACKNOWLEDGE = "acknowledge"


#: Acts that carry no news of their own: their feeling is read from the conversation.
FORMULAIC = frozenset({Act.GREETING, Act.THANKS, Act.GOODBYE, Act.ACKNOWLEDGE})

_NAME = r"(?:\s+(?:attune|bot|there|again|you|friend|mate|all|everyone|guys))?"
_GREETING = re.compile(
    r"^(?:h+i+|hey+|hey+a|hello+|hell+o+|hiya|howdy|yo+|heya|sup|hallo|greetings|"
    r"(?:good\s+)?(?:morning|afternoon|evening)|gm|long\s+time\s+no\s+(?:see|talk)|"
    r"(?:nice|good)\s+to\s+(?:see|talk\s+to)\s+you(?:\s+again)?|(?:it'?s\s+)?me\s+again|"
    r"i'?m\s+back|(?:is\s+)?any(?:one|body)\s+(?:there|here|around)|(?:are\s+)?(?:you|u)\s+"
    r"(?:there|around|awake)|you\s+up)" + _NAME + r"$"
)
_THANKS = re.compile(
    r"^(?:(?:many|big|huge)\s+)?(?:thanks?|thank\s*(?:you|u|ya)|thx|thnx|ty|tysm|cheers|"
    r"i\s+(?:really\s+)?appreciate(?:\s+(?:it|that|you|this))?|much\s+appreciated|"
    r"appreciate\s+(?:it|that|you))\b.*$"
)
_GOODBYE = re.compile(
    r"^(?:(?:ok(?:ay)?|well|anyway|alright)\s+)?(?:bye+|bye\s+bye|goodbye|good\s*night|gn|"
    r"nite|night(?:\s+night)?|see\s+(?:you|ya|u)\b.*|catch\s+(?:you|ya)\b.*|later|laters|"
    r"ttyl|talk\s+(?:soon|later|tomorrow|to\s+you\s+(?:later|soon|tomorrow))|"
    r"(?:i\s+)?(?:gotta|got\s+to|have\s+to|need\s+to|must)\s+(?:go|run|head\s+off|sleep)\b.*|"
    r"(?:i'?m|im|i\s+am)\s+(?:off|heading\s+off|going\s+to\s+(?:bed|sleep))\b.*|"
    r"(?:that'?s|thats)\s+(?:all|it)\s+(?:for\s+)?(?:now|today|tonight)|"
    r"bye\s+for\s+now|signing\s+off|take\s+care|until\s+tomorrow|till\s+tomorrow)$"
)
_ACK_WORD = (
    r"(?:ok(?:ay)?|k+|kk|okey|yes|yeah|yea|yep|yup|ya|sure|right|alright|all\s+right|"
    r"i\s+see|got\s+it|gotcha|fair(?:\s+enough)?|true|mhm+|mm+|hmm+|uh\s+huh|makes\s+sense|"
    r"that\s+makes\s+sense|understood|noted|cool|fine|no|nope|nah|maybe|i\s+guess|"
    r"i\s+know|same|exactly|indeed|(?:i'?ll|i\s+will)\s+try(?:\s+that)?|will\s+do|"
    r"(?:that|it)\s+(?:helps|helped)|good\s+(?:idea|point)|you'?re\s+right|oh|ah|well|so|"
    r"whatever|not\s+sure|dunno|idk|i\s+don'?t\s+know)"
)
#: One or more acknowledgements in a row: "yeah I guess", "ok fair enough".
_ACK = re.compile(rf"^{_ACK_WORD}(?:\s+{_ACK_WORD})*$")
#: Segments that only intensify what came before ("thanks for listening, really").
_FILLER = re.compile(
    r"^(?:really|honestly|seriously|truly|so\s+much|a\s+lot|again|though|tho|lol|haha|x+)$"
)
_ADVICE = re.compile(
    r"\b(?:what\s+(?:should|would|could|do|can)\s+i\b|what\s+would\s+you\s+do|"
    r"what\s+(?:would|should)\s+you\s+(?:say|suggest)|if\s+you\s+were\s+me|"
    r"(?:should|shall)\s+i\b|how\s+(?:do|can|should|could)\s+i\b|"
    r"(?:any|some|give\s+me|need|want)\s+(?:\w+\s+)?(?:advice|tips?|suggestions?|ideas?)\b|"
    r"do\s+you\s+think\s+i\s+should|is\s+it\s+(?:ok|okay|normal|wrong)\s+(?:to|that|if)|"
    r"what\s+do\s+you\s+(?:suggest|recommend)|help\s+me\s+(?:decide|figure|with|to)|"
    r"how\s+to\s+(?:deal|cope|stop|handle|get|make|tell)|"
    r"(?:can|could|would|will)\s+(?:you|u)\s+help|help\s+me\b|what\s+i\s+(?:should|could)\s+do|"
    r"what\s+to\s+do\b|(?:any|your)\s+thoughts\s+on|what\s+do\s+you\s+think\s+i\b)"
)
_ABOUT_BOT = re.compile(
    r"\b(?:are\s+(?:you|u)\s+(?:a\s+|an\s+)?(?:real|human|person|bot|robot|ai|machine|"
    r"therapist|chatbot|program|alive|sentient)|is\s+this\s+(?:a\s+)?(?:bot|ai|therapist|"
    r"real|human|person|chatbot)|who\s+(?:are|made|built|created|programmed)\s+(?:you|u)|"
    r"what\s+are\s+(?:you|u)\b(?!\s+(?:doing|up\s+to|into|having))|"
    r"what\s+can\s+(?:you|u)\s+do|how\s+do\s+(?:you|u)\s+work|"
    r"do\s+(?:you|u)\s+(?:remember|store|keep|save|record|read|see|know\s+(?:me|who))|"
    r"can\s+(?:you|u)\s+(?:see|read|remember|hear)|what\s+do\s+(?:you|u)\s+(?:know|keep|store)|"
    r"what(?:'?s|\s+is)\s+your\s+(?:name|purpose)|how\s+does\s+this\s+(?:work|bot)|"
    r"is\s+(?:this|my\s+data)\s+(?:private|safe|stored)|"
    r"(?:you'?re|you\s+are|ur)\s+(?:just\s+|only\s+)?(?:a\s+|an\s+)?(?:bot|robot|ai|machine|"
    r"program|computer)|do\s+(?:you|u)\s+(?:actually\s+|really\s+|even\s+)?(?:care|understand|"
    r"feel|get\s+it)|you\s+(?:wouldn'?t|can'?t|don'?t)\s+(?:get|understand)\b)"
)
#: Medicines and doses: asked about, they need a pharmacist or doctor, never attune's guess.
_MEDICINE = re.compile(
    r"\b(?:ibuprofen|paracetamol|acetaminophen|tylenol|advil|nurofen|aspirin|codeine|"
    r"antibiotics?|antidepressants?|ssris?|sertraline|fluoxetine|prozac|zoloft|xanax|valium|"
    r"diazepam|melatonin|sleeping\s+pills?|painkillers?|medication|medicines?|meds|pills?|"
    r"tablets?|doses?|dosage|prescription|prescribed|\d+\s*mg|supplements?|inhaler|insulin)\b"
)
#: Asking whether someone has a condition: a diagnosis attune must not give.
_DIAGNOSIS = re.compile(
    r"\b(?:(?:do|does|could|might|would|can|think|if|whether)\s+(?:\w+\s+)?"
    r"(?:i|she|he|they|we|my\s+\w+)\s+(?:\w+\s+)?"
    r"(?:have|has|be\s+having|be\s+getting|be)\b.*\b(?:disorder|adhd|add|autism|autistic|"
    r"bipolar|ocd|ptsd|depression|depressed|anxiety|schizophreni\w*|psychotic|dementia|"
    r"illness|disease|condition|syndrome|infection|cancer|diabetes|allergy|allergic)|"
    r"(?:am\s+i|is\s+(?:she|he|my\s+\w+))\s+(?:\w+\s+)?(?:depressed|bipolar|autistic|"
    r"psychotic|an?\s+alcoholic|anorexic|sick|ill)\b|"
    r"\b(?:diagnos\w*|symptoms?\s+of)\b)"
)
_SMALL_TALK_Q = re.compile(
    r"^(?:how\s+(?:are|r)\s+(?:you|u|ya)|how'?s\s+it\s+going|how\s+(?:was|is)\s+your\s+\w+|"
    r"what'?s\s+up|wh?at\s+up|wassup|whats\s+new|how\s+have\s+you\s+been|"
    r"do\s+you\s+(?:like|love|enjoy|have|ever|prefer)|what(?:'?s|\s+is)\s+your\s+favou?rite|"
    r"what\s+do\s+you\s+(?:like|think\s+of|do\s+for\s+fun)|have\s+you\s+(?:ever|seen|heard))"
)
_LAUGH = re.compile(r"^(?:lol+|lmao+|haha+\w*|hehe+|rofl|xd|(?:haha+|lol)\s+\w+|nice|cool\s+\w+)$")
_FIRST_PERSON = re.compile(r"\b(?:i|i'?m|im|i'?ve|i'?d|i'?ll|my|me|mine|myself|we|our|us)\b")
_QUESTION_START = re.compile(
    r"^(?:what|how|why|when|where|who|which|should|shall|can|could|would|will|do|does|did|"
    r"is|are|am|was|were|have|has)\b"
)
#: Short messages that still tell how the day or life is going ("not bad today").
_EVALUATIVE = re.compile(
    r"\b(?:today|tonight|day|week|weekend|morning|life|things|monday|work|not\s+(?:bad|great|"
    r"good|the\s+worst)|can'?t\s+complain|no\s+complaints|so\s+so|meh|ugh|sigh)\b"
)
#: Chit-chat about the world rather than one's life (weather, media, food, sport).
_CHITCHAT = re.compile(
    r"\b(?:weather|sunny|sun|rain\w*|snow\w*|cold|hot|warm|windy|cloudy|music|song|movie|film|"
    r"show|series|tv|book|game|match|football|soccer|pizza|coffee|tea|food|lunch|dinner|cat|"
    r"dog|colou?r|favou?rite|news|internet|meme)s?\b"
)
#: Rhetorical questions that carry despair, not curiosity.
_RHETORICAL = re.compile(r"\bwhat'?s\s+the\s+(?:point|use)|\bwhy\s+(?:bother|even|try)\b")
#: Chat drops the "I": "got rejected again", "failed my test" share news about oneself.
_SUBJECTLESS = re.compile(
    r"^(?:just\s+)?(?:got|lost|had|failed|missed|broke|finished|passed|won|quit|moved|"
    r"found|forgot|spent|can'?t|couldn'?t|feeling|feel|felt|[a-z]{3,}ed)\b"
)
_FEELING_EMOJI = (
    "🙄",
    "🙃",
    "😒",
    "😢",
    "😭",
    "😞",
    "😔",
    "💔",
    "😡",
    "😠",
    "😤",
    "🥲",
    "😩",
    "😫",
)
_SPLIT = re.compile(r"[.!?;,\n]+|\s+-\s+|\s+—\s+|:\)|:\(|<3")
_PUNCT = re.compile(r"[^\w\s']+")


@dataclass(frozen=True, slots=True)
class ActReading:
    """The act of a message and, for content acts, the content left after the formulas.

    ``formulas`` lists the formulaic acts seen in reading order (a "thanks" before sad news
    is kept so the reply can acknowledge it).
    """

    act: Act
    formulas: tuple[Act, ...] = ()
    question: bool = False
    #: For an advice question about health: "medicine" (drugs, doses) or "diagnosis" (does
    #: someone have a condition). Attune answers those honestly that it cannot advise.
    health: str | None = None


def normalise(text: str) -> str:
    """Lower case, curly apostrophes straightened, emoji and symbols dropped, one space."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(_PUNCT.sub(" ", text).replace(" ' ", " ").split())


def _formula(segment: str) -> Act | None:
    if not segment:
        return None
    if _GOODBYE.match(segment):
        return Act.GOODBYE
    if _THANKS.match(segment) and len(segment.split()) <= 8:
        return Act.THANKS
    if _GREETING.match(segment):
        return Act.GREETING
    if _ACK.match(segment):
        return Act.ACKNOWLEDGE
    return None


_LAUGH_TOKEN = re.compile(r"\b(?:lol+|lmf?ao+|haha+\w*|hehe+|rofl|xd)\b")


def segments(text: str) -> list[str]:
    """The message cut at sentence and clause punctuation, each part normalised.

    Laughter inside a longer part is dropped ("whatever lol" is "whatever"); a part that is
    only laughter stays.
    """
    lowered = text.lower().replace("\u2019", "'")
    parts = []
    for part in _SPLIT.split(lowered):
        cleaned = normalise(part)
        stripped = " ".join(_LAUGH_TOKEN.sub(" ", cleaned).split())
        if cleaned:
            parts.append(stripped or cleaned)
    return parts


def _health_question(whole: str, asked: bool) -> str | None:
    """ "medicine" or "diagnosis" when ``whole`` asks about a medicine or a condition."""
    if not (asked or _QUESTION_START.match(whole) or _ADVICE.search(whole)):
        return None  # "I took my meds today" is news, not a question
    if _MEDICINE.search(whole):
        return "medicine"
    if _DIAGNOSIS.search(whole):
        return "diagnosis"
    return None


def classify_act(text: str) -> ActReading:
    """Classify one message (any length; empty text is small talk)."""
    parts = segments(text)
    formulas: list[Act] = []
    content: list[str] = []
    for part in parts:
        if _FILLER.match(part):
            continue
        found = _formula(part)
        if found is not None:
            formulas.append(found)
        else:
            content.append(part)
    whole = " ".join(content)
    asked = "?" in text
    if content:
        if parse_correction(text) is not None:
            return ActReading(Act.CORRECTION, tuple(formulas))
        health = _health_question(whole, asked)
        if health is not None:
            return ActReading(Act.ADVICE, tuple(formulas), question=True, health=health)
        if _ABOUT_BOT.search(whole):
            return ActReading(Act.ABOUT_BOT, tuple(formulas), question=True)
        if _ADVICE.search(whole):
            return ActReading(Act.ADVICE, tuple(formulas), question=True)
        if _SMALL_TALK_Q.match(whole) or (_LAUGH.match(whole) and len(whole.split()) <= 3):
            # "how are you" after a greeting stays a greeting.
            if Act.GREETING in formulas:
                return ActReading(Act.GREETING, tuple(formulas), question=asked)
            return ActReading(Act.SMALL_TALK, tuple(formulas), question=asked)
        question = asked or bool(_QUESTION_START.match(whole))
        # Small talk only when nothing in it is about the person's life: a question back or
        # chit-chat about the world. Anything else is sharing: a reflective reply to chit-chat
        # is a small oddity, a chatty reply to "the funeral is on friday" is a real failure.
        if (
            not _FIRST_PERSON.search(whole)
            and not _SUBJECTLESS.match(whole)
            and len(whole.split()) <= 8
            and (_CHITCHAT.search(whole) or not _EVALUATIVE.search(whole))
            and not names_a_feeling(whole)
            and not _RHETORICAL.search(whole)
            and not any(e in text for e in _FEELING_EMOJI)
            and (question or _CHITCHAT.search(whole))
        ):
            return ActReading(Act.SMALL_TALK, tuple(formulas), question=question)
        return ActReading(Act.SHARING, tuple(formulas), question=question)
    for act in (Act.GOODBYE, Act.THANKS, Act.GREETING, Act.ACKNOWLEDGE):
        if act in formulas:
            return ActReading(act, tuple(formulas), question=asked)
    if not parts and text.strip():
        return ActReading(Act.SHARING)  # emoji alone ("😭😭😭") express a feeling
    return ActReading(Act.SMALL_TALK, (), question=asked)
