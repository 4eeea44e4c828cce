"""Crisis screen: every text and caption is checked here before anything else happens.

Why rules and not a model: this check must work when every ML model failed to load, must be
explainable line by line, and must be editable by people who are not programmers. The rules
live in ``responses/data/crisis_patterns.toml`` (how they are applied is described there);
helplines live in ``responses/data/helplines.toml``.

The screen leans towards recall: a caring message with a helpline shown to someone who was
only venting costs little, a missed crisis costs a great deal. Everyday hyperbole ("dying of
laughter", "this exam is killing me", "I could kill for a coffee") is kept out by writing the
crisis patterns narrowly (first person, self-directed) and by blanking known idioms first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from responses._data import load_toml


@dataclass(frozen=True, slots=True)
class SafetyCheck:
    """The outcome of screening one message. ``category`` names the rule group that matched
    ("suicide", "self_harm" or "unsafe"); it is None when nothing was flagged."""

    flagged: bool
    category: str | None = None


SAFE = SafetyCheck(flagged=False)

# --- normalisation -----------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
# "k i l l", "s.u.i.c.i.d.e", "k-i-l-l": three or more single letters joined by one separator.
_SPACED = re.compile(r"\b(?:[a-z][ .\-_*]){2,}[a-z]\b")
_LEET_IN_WORD = re.compile(r"\S*[a-z]\S*")
_LEET = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "|": "l"}
_SENTENCE_END = re.compile(r"[.!?;:,\n\r]+")
_NON_WORD = re.compile(r"[^a-z0-9* .]+")
_LONG_RUN = re.compile(r"([a-z])\1{2,}")
_ANY_RUN = re.compile(r"([a-z])\1+")
_PATTERN_RUN = re.compile(r"(?<!\\)([a-z])\1+")
_FRAGMENT = re.compile(r"<([A-Z_]+)>")

#: Whole-word slang and shorthand, expanded before matching (keys are already normalised).
_SLANG: dict[str, str] = {
    "wanna": "want to",
    "wana": "want to",
    "wnna": "want to",
    "gonna": "going to",
    "gna": "going to",
    "tryna": "trying to",
    "finna": "going to",
    "gotta": "got to",
    "ima": "im going to",
    "imma": "im going to",
    "iam": "i am",
    "u": "you",
    "ur": "your",
    "ya": "you",
    "rn": "right now",
    "tn": "tonight",
    "tonite": "tonight",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "ppl": "people",
    "evryone": "everyone",
    "noone": "no one",
    "nobdy": "nobody",
    "2": "to",
    "dnt": "dont",
    "cnt": "cant",
    "wnt": "want",
    "lyf": "life",
    "lyfe": "life",
    "ded": "dead",
    "dyin": "dying",
    "livin": "living",
    "existin": "existing",
    "mysef": "myself",
    "bout": "about",
    "abt": "about",
    "rly": "really",
    "thnk": "think",
    "thinkin": "thinking",
    "endin": "ending",
    "killin": "killing",
    "cuttin": "cutting",
    "hurtin": "hurting",
    "harmin": "harming",
    "tryin": "trying",
    "goin": "going",
    "plannin": "planning",
    "feelin": "feeling",
    "wantin": "wanting",
    "takin": "taking",
    "jumpin": "jumping",
    "hangin": "hanging",
    "burnin": "burning",
    "doin": "doing",
    "nothin": "nothing",
    "somethin": "something",
    "sleepin": "sleeping",
    "wakin": "waking",
    "pls": "please",
    "plz": "please",
    "anymor": "anymore",
    "nomore": "no more",
    "alot": "a lot",
    "thx": "thanks",
    "prolly": "probably",
    "wud": "would",
    "wld": "would",
    "shld": "should",
    "cud": "could",
}
#: Shorthand with digits or slashes, expanded before leetspeak would turn "no1" into "noi".
_DIGIT_SLANG: dict[str, str] = {
    "every1": "everyone",
    "evry1": "everyone",
    "no1": "no one",
    "some1": "someone",
    "any1": "anyone",
    "b4": "before",
    "2nite": "tonight",
    "2night": "tonight",
    "2day": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "w/o": "without",
    "w/": "with",
    "l8r": "later",
    "gr8": "great",
}
_DIGIT_SLANG_RE = re.compile(
    r"(?<![\w/])(?:" + "|".join(re.escape(k) for k in _DIGIT_SLANG) + r")(?![\w/])"
)
_SLANG_RE = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in _SLANG) + r")\b")


def _unleet(token: str, one: str) -> str:
    """Undo leetspeak in a token that has letters in it (pure numbers such as 16 stay)."""
    out = []
    for i, ch in enumerate(token):
        if ch in _LEET:
            out.append(_LEET[ch])
        elif ch == "1":
            out.append(one)
        elif ch == "!" and i + 1 < len(token) and token[i + 1].isalpha():
            out.append("i")
        else:
            out.append(ch)
    return "".join(out)


def normalise(text: str, *, one: str = "i") -> str:
    """The text the patterns see (see the header of ``crisis_patterns.toml``).

    ``one`` is what a "1" inside a word becomes: "k1ll" needs "i", "ki11" needs "l"; the
    screen tries both.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _INVISIBLE.sub("", text).lower()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)
    text = _DIGIT_SLANG_RE.sub(lambda m: _DIGIT_SLANG[m.group(0)], text)
    text = _LEET_IN_WORD.sub(lambda m: _unleet(m.group(0), one), text)
    text = text.replace("'", "").replace('"', " ")
    text = _SENTENCE_END.sub(" . ", text)
    text = _NON_WORD.sub(" ", text)
    text = " ".join(text.split())
    text = _SLANG_RE.sub(lambda m: _SLANG[m.group(0)], text)
    return _LONG_RUN.sub(r"\1\1", text)


def _squeeze(text: str) -> str:
    return _ANY_RUN.sub(r"\1", text)


# --- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rules:
    benign: tuple[re.Pattern[str], ...]
    benign_squeezed: tuple[re.Pattern[str], ...]
    categories: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]
    compact_stems: tuple[str, ...]


def _squeeze_pattern(pattern: str) -> str:
    """The pattern for fully squeezed text: doubled letters (not escapes like \\bb) made single."""
    return _PATTERN_RUN.sub(r"\1", pattern)


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    """Insert fragments (which may themselves use fragments)."""
    for _ in range(5):
        expanded = _FRAGMENT.sub(lambda m: fragments[m.group(1)], pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise ValueError(f"fragments nest too deeply in {pattern!r}")


@cache
def _rules() -> _Rules:
    data = load_toml("crisis_patterns.toml")
    fragments: dict[str, str] = dict(data["fragments"])
    benign_src = [_expand(p, fragments) for p in data["benign"]["patterns"]]
    categories = []
    for cat in data["category"]:
        src = [_expand(p, fragments) for p in cat["patterns"]]
        joined = "|".join(f"(?:{p})" for p in src)
        squeezed = "|".join(f"(?:{_squeeze_pattern(p)})" for p in src)
        categories.append((str(cat["name"]), re.compile(joined), re.compile(squeezed)))
    return _Rules(
        benign=tuple(re.compile(p) for p in benign_src),
        benign_squeezed=tuple(re.compile(_squeeze_pattern(p)) for p in benign_src),
        categories=tuple(categories),
        compact_stems=tuple(_squeeze(str(s)) for s in data["compact"]["stems"]),
    )


def _blank(text: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    for pattern in patterns:
        text = pattern.sub(" . ", text)
    return text


#: Long texts are screened in overlapping windows so the cost stays linear in the length.
_WINDOW = 4000
_OVERLAP = 300


def screen(text: str) -> SafetyCheck:
    """Screen one message (text or caption) for crisis language. Never raises on odd input."""
    if not text or not text.strip():
        return SAFE
    if len(text) > _WINDOW:
        step = _WINDOW - _OVERLAP
        for start in range(0, len(text), step):
            check = _screen_one(text[start : start + _WINDOW])
            if check.flagged:
                return check
        return SAFE
    return _screen_one(text)


def _screen_one(text: str) -> SafetyCheck:
    rules = _rules()
    lowered = unicodedata.normalize("NFKC", text).lower()
    if _SPACED.search(lowered):
        compact = _squeeze(re.sub(r"[^a-z]", "", normalise(text)))
        if any(stem in compact for stem in rules.compact_stems):
            return SafetyCheck(flagged=True, category="suicide")
    for variant in {normalise(text, one="i"), normalise(text, one="l")}:
        plain = _blank(variant, rules.benign)
        squeezed = _blank(_squeeze(variant), rules.benign_squeezed)
        for name, pattern, squeezed_pattern in rules.categories:
            if pattern.search(plain) or (squeezed and squeezed_pattern.search(squeezed)):
                return SafetyCheck(flagged=True, category=name)
    return SAFE


# --- the reply ---------------------------------------------------------------------------------

#: Said first, before any number: being heard matters more than a list.
DEFAULT_LEAD = (
    "I'm really glad you told me, and I'm so sorry you're going through this. "
    "You deserve support right now from someone who can be there with you."
)
_CLOSING = "You can keep talking to me too. I'm here, and I'm listening."


def helplines(country: str | None) -> tuple[str, ...]:
    """The helpline lines for an ISO country code (any case), or the international default."""
    data = load_toml("helplines.toml")
    code = (country or "").strip().upper()
    code = str(data.get("aliases", {}).get(code, code))
    entry = data.get(code) if code not in {"ALIASES", "DEFAULT"} else None
    if not isinstance(entry, dict) or "lines" not in entry:
        entry = data["default"]
    return tuple(str(line) for line in entry["lines"])


def crisis_reply(country: str | None, lead: str | None = None) -> str:
    """The whole crisis answer: a caring lead-in, helplines for ``country``, an open door.

    ``lead`` lets the caller vary the first words (the reply bank's "crisis" set); the
    helplines are always included, so this never depends on anything that could fail to load
    except the two data files shipped with the package.
    """
    body = "\n".join(f"• {line}" for line in helplines(country))
    return f"{(lead or DEFAULT_LEAD).strip()}\n\n{body}\n\n{_CLOSING}"
