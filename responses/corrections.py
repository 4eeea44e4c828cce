"""Reading the user's own word for how they feel: ``/feel anxious`` and "no, I'm actually sad".

A correction overrides what the models guessed and becomes a one-hot history point, so a
false positive here would silently rewrite someone's mood log. Free text therefore counts as a
correction only when it says the reading was wrong ("that's wrong", a leading "no,", "more
like") and names a feeling as the person's state, or swaps one feeling word for another
("I'm not X, I'm Y"); negated positives ("wasn't bad at all actually") and plain statements
return None and the message is treated as an ordinary message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from emotion.labels import Emotion
from responses._data import load_toml

_NEGATORS = (
    "not ",
    "no longer ",
    "never ",
    "isnt ",
    "arent ",
    "wasnt ",
    "werent ",
    "aint ",
    "dont feel ",
    "didnt feel ",
    "not really ",
)
_INTENSIFIERS = re.compile(
    r"\b(?:i am|im|i feel|i m|feeling|i was|i just|just|really|very|so|super|quite|pretty|"
    r"kind of|kinda|sort of|sorta|a bit|a little|bit|little|more|mostly|actually|honestly|"
    r"extremely|totally|rather|too|like|truly|feel|am|today|right now|now|rn)\b"
)
#: An explicit "you read me wrong": a leading "no,"/"nope"/"wrong"/"actually," or a phrase
#: that says the reading was off. "actually" later in a sentence is not one ("wasn't bad at
#: all actually"), nor is "no" that starts another phrase ("no worries", "no way").
_DISAGREE = re.compile(
    r"^(?:no+|nope|nah|wrong|incorrect|not quite|not really|actually)"
    r"(?= \.| im\b| i am\b| i feel\b| more like\b| its\b| just\b| [a-z]+(?: [a-z]+)?$)"
    r"|\b(?:that(?:s| is| was)? (?:wrong|not right|incorrect|not it|off|not true|not how i feel)|"
    r"(?:you(?:re| are)?|u) (?:wrong|mistaken|way off|off)|you got (?:it|that|me) wrong|"
    r"not (?:right|correct|accurate)|i meant|more like)\b"
)
#: Words that introduce the feeling a person says they have ("I'm", "more like", "but").
_FRAME = re.compile(
    r"(?:^|\b(?:im|i am|i m|i feel|i felt|i was|feeling|feel|more like|i meant|but|rather|"
    r"its|it was|just))$"
)
#: Modifiers allowed between a frame and the feeling ("I'm actually really anxious").
_MODIFIERS = re.compile(
    r"(?:\s|^)(?:actually|really|very|so|super|quite|pretty|kind of|kinda|sort of|sorta|a bit|"
    r"a little|mostly|honestly|extremely|totally|just|more|too|feeling|now|right now|rn)$"
)
#: In "I'm not X, I'm Y" the swap frame; "just" is not one ("not unhappy, just tired" is a
#: plain statement about being tired, not a verdict on attune's reading).
_SWAP_FRAME = re.compile(r"(?:^|\b(?:im|i am|i m|i feel|more like|but|rather))$")

_ANY_NEGATOR = re.compile(r"\b(?:not|no longer|never|isnt|arent|wasnt|werent|aint|dont|didnt)\b")

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


def _framed(cleaned: str, position: int, frame: re.Pattern[str]) -> bool:
    """Whether the feeling word at ``position`` is said as the person's state: at the start of
    its clause or after a frame ("I'm", "I feel", "more like"), modifiers allowed between."""
    before = cleaned[:position].split(" . ")[-1].strip()
    if frame is _SWAP_FRAME and re.search(r"\bjust(?: \w+)?$", before):
        return False  # "not tired, just bored": a statement, not a swap of feelings
    while True:
        trimmed = _MODIFIERS.sub("", before).strip()
        if trimmed == before:
            break
        before = trimmed
    return bool(frame.search(before))


def parse_correction(text: str) -> Emotion | None:
    """The feeling a free-text message corrects us to, or None if it is not clearly one.

    Two shapes count, because a false positive rewrites someone's mood log:

    * an explicit disagreement ("that's wrong", "no,", "nope", "you got it wrong", "more
      like", a leading "actually,") followed by a feeling said as the person's state
      ("no, I'm actually anxious", "nope, furious");
    * "I'm not X, I'm Y" / "not X but Y" / "not X, more like Y", both feeling words, Y after a
      frame ("I'm", "but", "more like"; not "just").

    Negated positives and negatives ("wasn't bad at all actually", "not the worst day", "I'm
    not unhappy, just tired"), litotes ("not bad") and plain statements ("I'm actually really
    happy today") are never corrections. The last framed feeling wins ("not X but Y" -> Y).
    """
    cleaned = _clean(text)
    if not cleaned or len(cleaned) > 160:
        return None
    if _AT_US.search(cleaned) and not _WRONG.search(cleaned):
        # "I'm not upset with you, just worn out" reassures attune; it does not say the
        # reading was wrong, so the mood log keeps what was read.
        return None
    # "more hurt than angry": what follows "than" is what they are not.
    kept = " ".join(re.sub(r"\bthan\b[^.]*", " ", cleaned).split())
    disagrees = bool(_DISAGREE.search(kept))
    if not disagrees and not _ANY_NEGATOR.search(kept):
        return None  # neither shape can hold; skips the vocabulary scan (most messages)
    mentions = _mentions(kept)
    said = [
        (pos, label)
        for pos, label, negated in mentions
        if not negated and not kept.startswith("not ", pos)
    ]
    if disagrees:
        framed = [label for pos, label in said if _framed(kept, pos, _FRAME)]
        return framed[-1] if framed else None
    denied = [
        pos
        for pos, _, negated in mentions
        if negated and not re.match(r"un|dis|in", kept[pos:])  # "not unhappy" is litotes
    ]
    if not denied:
        return None
    swapped = [label for pos, label in said if pos > denied[0] and _framed(kept, pos, _SWAP_FRAME)]
    return swapped[-1] if swapped else None


def names_a_feeling(text: str) -> bool:
    """Whether ``text`` names a feeling from the vocabulary ("tired", "all good", "gutted")."""
    cleaned = _clean(text)
    return bool(cleaned) and bool(_mentions(cleaned))
