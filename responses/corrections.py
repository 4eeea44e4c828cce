"""Reading the user's own word for how they feel: ``/feel anxious`` and "no, I'm actually sad".

A correction overrides what the models guessed and becomes a one-hot history point, so a
false positive here would silently rewrite someone's mood log. Free text therefore counts as a
correction only when it both signals a correction ("that's wrong", "no,", "actually",
"I'm not X, I'm Y", "more like") and names a feeling; anything less returns None and the
message is treated as an ordinary message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from emotion.labels import Emotion
from responses._data import load_toml

_NEGATORS = ("not ", "no longer ", "never ", "isnt ", "arent ", "dont feel ", "not really ")
_INTENSIFIERS = re.compile(
    r"\b(?:i am|im|i feel|i m|feeling|i was|i just|just|really|very|so|super|quite|pretty|"
    r"kind of|kinda|sort of|sorta|a bit|a little|bit|little|more|mostly|actually|honestly|"
    r"extremely|totally|rather|too|like|truly|feel|am|today|right now|now|rn)\b"
)
_CUES = re.compile(
    r"^(?:no+|nope|nah|not really|wrong|incorrect|not quite)\b"
    r"|\b(?:that(?:s| is| was)? (?:wrong|not right|incorrect|not it|off|not true|not how i feel)|"
    r"(?:you(?:re| are)?|u) (?:wrong|mistaken|way off|off)|you got (?:it|that|me) wrong|"
    r"not (?:right|correct|accurate)|actually|more like|i meant|rather|in fact|"
    r"(?:im|i am|i m|i feel|i was|i wasnt) not\b|(?:im|i am) not (?:\w+ ){0,2}(?:im|i am|just|but)|"
    r"i(?:m| am)? (?:not|wasnt) \w+(?: \.| but| i)|not \w+ (?:but|just))"
)

#: A feeling aimed at attune itself ("not mad at you"): a reassurance, not a correction.
_AT_US = re.compile(r"\b(?:not|never|nt) (?:\w+ ){0,3}(?:with|at) (?:you|u)\b")
#: Saying outright that the reading was wrong, which makes it a correction after all.
_WRONG = re.compile(
    r"\b(?:wrong|incorrect|not right|not it|mistaken|way off|not how i feel|got (?:it|me) wrong)\b"
)


def _clean(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"[^\w\s\-]", " . ", text)
    return " ".join(text.split())


@cache
def _vocabulary() -> tuple[tuple[str, Emotion], ...]:
    """(phrase, label) pairs, longest phrase first so "pissed off" beats "off"."""
    data = load_toml("emotion_words.toml")
    pairs: list[tuple[str, Emotion]] = []
    seen: dict[str, Emotion] = {}
    for label in Emotion:
        for word in data.get(label.value, []):
            phrase = _clean(str(word))
            if phrase in seen and seen[phrase] is not label:
                raise ValueError(f"{phrase!r} is listed under {seen[phrase]} and {label}")
            seen[phrase] = label
            pairs.append((phrase, label))
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple(pairs)


@cache
def _emoji() -> Mapping[str, Emotion]:
    data = load_toml("emotion_words.toml").get("emoji", {})
    return {str(e): Emotion(label) for label, items in data.items() for e in items}


def _mentions(text: str) -> list[tuple[int, Emotion, bool]]:
    """Every feeling word in cleaned text: (position, label, negated), in reading order."""
    found: list[tuple[int, Emotion, bool]] = []
    taken: list[tuple[int, int]] = []
    for phrase, label in _vocabulary():
        for m in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            before = text[max(0, m.start() - 24) : m.start()]
            window = before.split(" . ")[-1]
            window = _INTENSIFIERS.sub(" ", window)
            window = " ".join(window.split()) + " "
            negated = window.endswith(_NEGATORS) or window.strip() == "not"
            found.append((m.start(), label, negated))
    return sorted(found)


def _first_emoji(text: str) -> Emotion | None:
    table = _emoji()
    for symbol in sorted(table, key=len, reverse=True):
        if symbol in text:
            return table[symbol]
    return None


def parse_feel_argument(arg: str) -> Emotion | None:
    """The feeling named after /feel: "anxious", "Very sad", "😡", "pissed off". None if unclear.

    "not happy" and two different feelings ("sad and angry") are unclear: the user gets asked
    to pick one rather than being logged as something they did not say.
    """
    text = _clean(arg)
    if not text:
        return _first_emoji(arg)
    mentions = _mentions(text)
    positive = {label for _, label, negated in mentions if not negated}
    if len(positive) == 1 and not any(negated for _, _, negated in mentions):
        return positive.pop()
    if not mentions:
        return _first_emoji(arg)
    return None


def parse_correction(text: str) -> Emotion | None:
    """The feeling a free-text message corrects us to, or None if it is not clearly one.

    Works on "that's wrong, I'm actually anxious", "no, I'm sad", "not sad, more like angry",
    "I'm not happy, I'm furious". The last un-negated feeling wins ("not X but Y" -> Y).
    """
    cleaned = _clean(text)
    if not cleaned or len(cleaned) > 160 or not _CUES.search(cleaned):
        return None
    if _AT_US.search(cleaned) and not _WRONG.search(cleaned):
        # "I'm not upset with you, just worn out" reassures attune; it does not say the
        # reading was wrong, so the mood log keeps what was read.
        return None
    # "more hurt than angry": what follows "than" is what they are not.
    kept = re.sub(r"\bthan\b[^.]*", " ", cleaned)
    mentions = [(pos, label) for pos, label, negated in _mentions(kept) if not negated]
    if not mentions:
        return None
    return mentions[-1][1]


def names_a_feeling(text: str) -> bool:
    """Whether ``text`` names a feeling from the vocabulary ("tired", "all good", "gutted")."""
    cleaned = _clean(text)
    return bool(cleaned) and bool(_mentions(cleaned))
