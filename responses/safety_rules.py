"""The crisis rules: normalisation and the pattern engine behind ``responses.safety.screen``.

The rules live in ``responses/data/crisis_patterns.toml`` (its header says how they are
applied). Every ``[[rules]]`` group names the risk categories it raises (``responses.risk``),
the language its patterns are written in and, for suicidal ideation, the C-SSRS level a match
shows at least (Posner et al. 2011, the screen version's items 1-6). ``[[cssrs]]`` groups then
raise the level when the same message names a method, intent, a plan or timing, or a
preparatory act. All groups of all five languages run on every message (a language guess is
unreliable on two-word messages, and the patterns are first-person grammar of one language,
so they rarely fire on another); the cost is a few dozen compiled regular expressions, well
under a millisecond for a typical message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from responses._data import load_toml
from responses.risk import LANGUAGES, CssrsLevel, RiskCategory

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
        "\u00df": "ss",
        "\u00e6": "ae",
        "\u0153": "oe",
        "\u00f8": "o",
        "\u00a1": " ",
        "\u00bf": " ",
        # Means emoji become words the rules can see (an emoji alone is weak evidence: the
        # patterns that read these tokens also need a first-person time, "again", "myself").
        "\U0001f48a": " pillemoji ",
        "\U0001f52b": " gunemoji ",
        "\U0001f52a": " knifeemoji ",
        "\U0001f5e1": " knifeemoji ",
        "\U0001fa92": " razoremoji ",
        "\U0001fa78": " bloodemoji ",
    }
)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
#: Cyrillic, Greek and Armenian letters that look like Latin ones ("kіll" with Cyrillic і).
#: A small hand-picked table of the common ones, after Unicode's confusables data (UTS #39,
#: confusables.txt); it is not the whole table, which maps thousands of characters.
#: Uppercase entries are for letters that only look Latin before lower-casing (Cyrillic Н
#: looks like H, its lower case н does not).
_CONFUSABLES: dict[str, str] = {
    # Cyrillic lower case
    "\u0430": "a",  # а
    "\u0435": "e",  # е
    "\u043e": "o",  # о
    "\u0440": "p",  # р
    "\u0441": "c",  # с
    "\u0443": "y",  # у
    "\u0445": "x",  # х
    "\u0456": "i",  # і
    "\u0458": "j",  # ј
    "\u0455": "s",  # ѕ
    "\u0501": "d",  # ԁ
    "\u04bb": "h",  # һ
    "\u04cf": "l",  # ӏ
    "\u051b": "q",  # ԛ
    "\u051d": "w",  # ԝ
    "\u04af": "y",  # ү
    "\u043a": "k",  # к (UTS #39 maps it to ĸ, which the rules read as k)
    "\u0475": "v",  # ѵ
    # Cyrillic upper case
    "\u0410": "A",
    "\u0412": "B",
    "\u0415": "E",
    "\u041a": "K",
    "\u041c": "M",
    "\u041d": "H",
    "\u041e": "O",
    "\u0420": "P",
    "\u0421": "C",
    "\u0422": "T",
    "\u0423": "Y",
    "\u0425": "X",
    "\u0406": "I",
    "\u0408": "J",
    "\u0405": "S",
    # Greek
    "\u03b1": "a",  # α
    "\u03bf": "o",  # ο
    "\u03c1": "p",  # ρ
    "\u03b9": "i",  # ι
    "\u03ba": "k",  # κ
    "\u03bd": "v",  # ν
    "\u03c5": "u",  # υ
    "\u03c7": "x",  # χ
    "\u03b3": "y",  # γ
    "\u03b5": "e",  # ε (not in UTS #39, but used as an e often enough)
    "\u0391": "A",
    "\u0392": "B",
    "\u0395": "E",
    "\u0396": "Z",
    "\u0397": "H",
    "\u0399": "I",
    "\u039a": "K",
    "\u039c": "M",
    "\u039d": "N",
    "\u039f": "O",
    "\u03a1": "P",
    "\u03a4": "T",
    "\u03a5": "Y",
    "\u03a7": "X",
    # Armenian
    "\u0578": "n",  # ո
    "\u0585": "o",  # օ
    "\u057d": "u",  # ս
    "\u0581": "g",  # ց
    "\u0570": "h",  # հ
}
_CONFUSABLE_MAP = str.maketrans(_CONFUSABLES)
#: Greek (with its extended block), Cyrillic (with its supplement) and Armenian letters.
_LOOKALIKE_SCRIPTS = re.compile("[\u0370-\u058f\u1f00-\u1fff]")
_WORD_CHARS = re.compile(r"\w+")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
# Discord spoilers ("||i want to die||"): the pair's bars are not the leetspeak "l" of "ki||".
_SPOILER = re.compile(r"(?<![A-Za-z0-9])\|\|(?=\S)(.+?)(?<=\S)\|\|(?![A-Za-z0-9])")
# Markdown emphasis at the edge of a word ("**kill** myself"); a star inside a word is a
# censored letter ("k*ll") and stays.
_EDGE_STARS = re.compile(r"(?<!\S)\*+|\*+(?!\S)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
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


def unconfuse(text: str) -> str:
    """``text`` with Latin-looking Cyrillic, Greek and Armenian letters (``_CONFUSABLES``)
    read as the Latin letters they imitate ("kіll mysеlf" with Cyrillic і and е -> "kill
    myself"), but only where that is an evasion, not a language: inside a word that mixes
    them with Latin letters, and everywhere when the text has Latin letters and every
    Greek, Cyrillic or Armenian letter in it is a look-alike. Real Russian or Greek ("я
    хочу спать") keeps its letters. Same length as ``text``; never raises.
    """
    if not _LOOKALIKE_SCRIPTS.search(text):
        return text
    foreign = _LOOKALIKE_SCRIPTS.findall(text)
    if _LATIN_LETTER.search(text) and all(c in _CONFUSABLES for c in foreign):
        return text.translate(_CONFUSABLE_MAP)

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        mixed = _LATIN_LETTER.search(w) and _LOOKALIKE_SCRIPTS.search(w)
        return w.translate(_CONFUSABLE_MAP) if mixed else w

    return _WORD_CHARS.sub(word, text)


def join_one_word_lines(text: str) -> str:
    """``text`` with each line break next to a line of a single word made a space, so that
    a message written one word per line ("i\\nwant\\nto\\ndie") reads as the phrase it is.
    Other line breaks stay (the rules read them as sentence ends); so does a blank line.
    """
    lines = _LINE_BREAK.split(text)
    out = [lines[0]]
    for before, after in pairwise(lines):
        one_word = len(before.split()) == 1 or len(after.split()) == 1
        out.append((" " if one_word else "\n") + after)
    return "".join(out)


def normalise_base(text: str, *, one: str = "i", join_lines: bool = False) -> str:
    """The text the non-English patterns see (see the header of ``crisis_patterns.toml``):
    everything :func:`normalise` does except expanding English slang.

    ``one`` is what a "1" inside a word becomes: "k1ll" needs "i", "ki11" needs "l"; the
    screen tries both. ``join_lines`` reads a line break next to a one-word line as a space
    (:func:`join_one_word_lines`) instead of a sentence end; the screen tries both.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if join_lines:
        text = join_one_word_lines(text)
    text = _SPOILER.sub(r" \1 ", text)
    text = unconfuse(_INVISIBLE.sub("", text)).lower()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)
    text = _DIGIT_SLANG_RE.sub(lambda m: _DIGIT_SLANG[m.group(0)], text)
    text = _LEET_IN_WORD.sub(lambda m: _unleet(m.group(0), one), text)
    text = text.replace("'", "").replace('"', " ")
    text = _EDGE_STARS.sub(" ", text)
    text = _SENTENCE_END.sub(" . ", text)
    text = _NON_WORD.sub(" ", text)
    text = " ".join(text.split())
    return _LONG_RUN.sub(r"\1\1", text)


def expand_slang(text: str) -> str:
    """English slang and shorthand spelled out ("wanna" -> "want to"); applied only for the
    English rules, since words such as "ya" (Spanish "already") mean something else elsewhere."""
    return _SLANG_RE.sub(lambda m: _SLANG[m.group(0)], text)


def _squeeze(text: str) -> str:
    return _ANY_RUN.sub(r"\1", text)


def normalise(text: str, *, one: str = "i") -> str:
    """The text the English patterns see (see the header of ``crisis_patterns.toml``).

    ``one`` is what a "1" inside a word becomes: "k1ll" needs "i", "ki11" needs "l"; the
    screen tries both.
    """
    return expand_slang(normalise_base(text, one=one))


# --- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleHits:
    """What the rules found in one message: the categories raised (empty when nothing matched)
    and the C-SSRS level of any suicidal ideation (``CssrsLevel.NONE`` without it)."""

    categories: frozenset[RiskCategory] = frozenset()
    cssrs: CssrsLevel = CssrsLevel.NONE


NO_HITS = RuleHits()


@dataclass(frozen=True, slots=True)
class _Group:
    categories: frozenset[RiskCategory]
    english: bool
    cssrs: CssrsLevel
    plain: re.Pattern[str]
    squeezed: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Rules:
    benign: tuple[re.Pattern[str], ...]
    benign_squeezed: tuple[re.Pattern[str], ...]
    groups: tuple[_Group, ...]
    levels: tuple[_Group, ...]
    context: tuple[tuple[str, _Group], ...]
    compact: tuple[tuple[RiskCategory, str], ...]
    run_together: tuple[tuple[RiskCategory, str], ...]
    run_together_benign: tuple[str, ...]


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


def _group(entry: dict[str, object], fragments: dict[str, str]) -> _Group:
    patterns = entry["patterns"]
    assert isinstance(patterns, list)
    src = [_expand(str(p), fragments) for p in patterns]
    names = entry.get("categories", [])
    assert isinstance(names, list)
    return _Group(
        categories=frozenset(RiskCategory(str(n)) for n in names),
        english=entry.get("language", "en") == "en",
        cssrs=CssrsLevel(int(str(entry.get("cssrs", entry.get("level", 0))))),
        plain=re.compile("|".join(f"(?:{p})" for p in src)),
        squeezed=re.compile("|".join(f"(?:{_squeeze_pattern(p)})" for p in src)),
    )


@cache
def _rules() -> _Rules:
    data = load_toml("crisis_patterns.toml")
    fragments: dict[str, str] = dict(data["fragments"])
    benign_src = [_expand(p, fragments) for p in data["benign"]["patterns"]]
    compact = tuple(
        (RiskCategory(name), _squeeze(str(stem)))
        for name, stems in data["compact"].items()
        for stem in stems
    )
    run_together = tuple(
        (RiskCategory(name), _squeeze(str(stem)))
        for name, stems in data["run_together"].items()
        if name != "benign"
        for stem in stems
    )
    return _Rules(
        run_together=run_together,
        run_together_benign=tuple(_squeeze(str(s)) for s in data["run_together"]["benign"]),
        benign=tuple(re.compile(p) for p in benign_src),
        benign_squeezed=tuple(re.compile(_squeeze_pattern(p)) for p in benign_src),
        groups=tuple(_group(g, fragments) for g in data["rules"]),
        levels=tuple(_group(g, fragments) for g in data["cssrs"]),
        context=tuple((str(g["kind"]), _group(g, fragments)) for g in data["context"]),
        compact=compact,
    )


#: A run-together word ("iwanttodie", "#killmyself") is read only from this many letters on.
_RUN_TOGETHER_MIN = 8


def _run_together_hits(text: str, rules: _Rules) -> set[RiskCategory]:
    """The categories whose ``[run_together]`` stems sit inside one long letters-only word
    of ``text`` (hashtags included: normalising drops the "#"), unless the word holds a
    benign stem ("#iwanttodiet")."""
    found: set[RiskCategory] = set()
    for word in re.findall(r"[a-z]+", normalise_base(text)):
        if len(word) < _RUN_TOGETHER_MIN:
            continue
        word = _squeeze(word)
        if any(stem in word for stem in rules.run_together_benign):
            continue
        found.update(category for category, stem in rules.run_together if stem in word)
    return found


def _blank(text: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    for pattern in patterns:
        text = pattern.sub(" . ", text)
    return text


def _hit(group: _Group, english: tuple[str, str], other: tuple[str, str]) -> bool:
    plain, squeezed = english if group.english else other
    return bool(group.plain.search(plain) or (squeezed and group.squeezed.search(squeezed)))


def match_rules(text: str) -> RuleHits:
    """Every category whose rules match ``text`` (one window of at most a few thousand
    characters; ``responses.safety.screen`` splits longer texts), with the C-SSRS level."""
    rules = _rules()
    categories: set[RiskCategory] = set()
    cssrs = CssrsLevel.NONE
    lowered = unconfuse(unicodedata.normalize("NFKC", text)).lower()
    # Letters read without their spaces: spaced out ("k i l l  m y s e l f") or run together
    # ("iwanttodie"); suicidal ideation read that way counts as active thoughts.
    if _SPACED.search(lowered):
        compact = _squeeze(re.sub(r"[^a-z]", "", normalise(text)))
        categories.update(category for category, stem in rules.compact if stem in compact)
    categories.update(_run_together_hits(text, rules))
    if RiskCategory.SUICIDAL_IDEATION in categories:
        cssrs = CssrsLevel.ACTIVE_THOUGHTS
    views = []
    # One word per line ("i\nwant\nto\ndie") is read both ways: with the breaks as sentence
    # ends (which patterns such as "jump ." rely on) and with those breaks as spaces.
    line_views = (False, True) if ("\n" in text or "\r" in text) else (False,)
    for one in ("i", "l"):
        seen = set()
        for join_lines in line_views:
            base = normalise_base(text, one=one, join_lines=join_lines)
            if base not in seen:
                seen.add(base)
                views.append((_texts(expand_slang(base), rules), _texts(base, rules)))
        if not any(ch == "1" for ch in text):
            break
    for english, other in views:
        for group in rules.groups:
            if _hit(group, english, other):
                categories.update(group.categories)
                cssrs = max(cssrs, group.cssrs)
    if RiskCategory.SUICIDAL_IDEATION not in categories:
        return RuleHits(frozenset(categories)) if categories else NO_HITS
    for english, other in views:
        for level in rules.levels:
            if level.cssrs > cssrs and _hit(level, english, other):
                cssrs = level.cssrs
    return RuleHits(frozenset(categories), max(cssrs, CssrsLevel.WISH_TO_BE_DEAD))


def _texts(variant: str, rules: _Rules) -> tuple[str, str]:
    """The blanked text and its blanked fully squeezed copy."""
    return _blank(variant, rules.benign), _blank(_squeeze(variant), rules.benign_squeezed)


#: Retractions count only in short messages: "im fine" in a long message is not taking back.
_RETRACTION_MAX_WORDS = 12


def context_signals(text: str) -> frozenset[str]:
    """The conversation-context signals in one message (``[[context]]`` in
    ``crisis_patterns.toml``): e.g. "loss", "means", "purpose", "retraction", "join_deceased"."""
    if not text or not text.strip():
        return frozenset()
    rules = _rules()
    base = normalise_base(text[:4000])
    english = (expand_slang(base), _squeeze(expand_slang(base)))
    other = (base, _squeeze(base))
    found = {kind for kind, group in rules.context if _hit(group, english, other)}
    if "retraction" in found and len(base.split()) > _RETRACTION_MAX_WORDS:
        found.discard("retraction")
    return frozenset(found)


#: The kinds of ``[[state]]`` word lists in ``crisis_patterns.toml``: words that
#: ``responses.risk_state`` reads only while a conversation's risk is raised (the data file's
#: comments say what each is for). A kind in the file that is not named here is an error.
STATE_KINDS: tuple[str, ...] = (
    "filler",
    "take_back",
    "not_fine",
    "plan",
    "help_seeking",
    "not_help_seeking",
    "helper_worse",
)


@cache
def state_patterns(kind: str) -> Mapping[str, str]:
    """One ``[[state]]`` word list of ``crisis_patterns.toml``, by language.

    Returns language code -> regular-expression source: that language's ``patterns`` with
    their ``<FRAGMENTS>`` inserted (as for the rules), joined with "|" as top-level
    alternatives and not wrapped in a group (the caller puts them in its own). Languages come
    in the order of ``responses.risk.LANGUAGES``, only those the kind lists (an English-only
    list stays English-only). The patterns are read by the caller on ``normalise_base`` text.
    Parsed once per process (``load_toml`` caches the file) and built once per kind.

    Raises ValueError for ``kind`` or any entry's kind not in :data:`STATE_KINDS`, a kind
    with no entry, a language not in ``LANGUAGES`` or listed twice for one kind, an empty or
    non-string pattern, an unknown ``<FRAGMENT>``, or a pattern that is not a regular
    expression by itself (each must be one, so that joining them with "|" keeps them
    alternatives).
    """
    if kind not in STATE_KINDS:
        raise ValueError(f"unknown [[state]] kind {kind!r}; known: {', '.join(STATE_KINDS)}")
    data = load_toml("crisis_patterns.toml")
    fragments: dict[str, str] = dict(data["fragments"])
    found: dict[str, str] = {}
    for entry in data.get("state", []):
        name, language, patterns = entry.get("kind"), entry.get("language"), entry.get("patterns")
        if name not in STATE_KINDS:
            raise ValueError(f"[[state]] kind {name!r} is not one of {', '.join(STATE_KINDS)}")
        if name != kind:
            continue
        if language not in LANGUAGES or language in found:
            raise ValueError(f"[[state]] {kind}: language {language!r} unknown or listed twice")
        if not isinstance(patterns, list) or not patterns:
            raise ValueError(f"[[state]] {kind} ({language}): patterns must be a non-empty list")
        sources = []
        for pattern in patterns:
            if not isinstance(pattern, str) or not pattern:
                raise ValueError(f"[[state]] {kind} ({language}): empty or non-string pattern")
            try:
                source = _expand(pattern, fragments)
                re.compile(source)
            except (KeyError, re.error) as exc:
                raise ValueError(f"[[state]] {kind} ({language}): {pattern!r}: {exc}") from exc
            sources.append(source)
        found[str(language)] = "|".join(sources)
    if not found:
        raise ValueError(f"crisis_patterns.toml has no [[state]] entry of kind {kind!r}")
    return {lang: found[lang] for lang in LANGUAGES if lang in found}


#: "lol", "in the game": a friend's risk told as a joke or about fiction is not a helper's worry.
_HELPER_JOKING = re.compile(
    r"\b(?:lol|lmao|haha\w*|jk|xd|in (?:the|a) (?:game|movie|film|show|book|series)|in minecraft)\b"
)


#: "my sister is suicidal and so am i": the writer says the other person's risk is theirs too,
#: in words that name no risk themselves, so blanking the other's words would hide it.
_ME_TOO = re.compile(
    r"\b(?:so am i|as am i|same (?:here|for me|with me)|me too|i am too|im too|i do too"
    r"|ich auch|mir (?:auch|genauso|geht es genauso)|bei mir (?:auch|genauso)"
    r"|moi (?:aussi|pareil|de meme|egalement)|yo (?:tambien|igual)|a mi (?:tambien|igual)"
    r"|ik (?:ook|net zo|eigenlijk ook)|bij mij (?:ook|net zo))"
    r"(?= \.|$| tbh| honestly| ehrlich gesagt| en fait| la verdad| eerlijk gezegd)"
)


#: "i did too", "i want to go with her": the writer says they are in it as well, in words
#: that read no risk once the other person's are blanked.
_ME_TOO_ACT = re.compile(
    r"\b(?:i did too|so did i|me too|and me|i (?:took|swallowed|did|had)"
    r" (?:some|them|mine|it|the same|a lot|too many)(?: too)?"
    r"|i (?:want|wanna|wish i could|am going|m going) (?:to )?(?:go"
    r"|die|jump|do it|end it) (?:with (?:her|him|them)(?! to (?:the )?(?:hospital|er|doctor))"
    r"|too|as well))\b"
)

#: "years ago", "in 2019 and survived": another person's danger that is over is a helper's
#: worry (the "helper" kind), not an emergency now.
_OVER_NOW = re.compile(
    r"\b(?:years? ago|months ago|weeks ago|last (?:year|month|summer|winter|spring|autumn|fall)"
    r"|in (?:19|20)\d\d|back (?:then|in)|when (?:she|he|they) (?:was|were)|survived|used to"
    r"|(?:doing|is|s|are|re) (?:so )?(?:great|better|fine|well|ok|okay|recovering) now"
    r"|vor (?:jahren|monaten|einem jahr|zwei jahren)|letztes jahr|damals|uberlebt"
    r"|geht es (?:ihr|ihm) (?:jetzt )?(?:wieder )?gut"
    r"|il y a (?:des|quelques|deux|trois|\d+) ans|l annee derniere|a survecu|va mieux"
    r"|hace (?:anos|meses|\d+ anos|un ano)|el ano pasado|sobrevivio|ya esta bien"
    r"|jaren geleden|vorig jaar|heeft het overleefd|gaat (?:het )?(?:nu )?(?:weer )?goed)\b"
)


_RELATIONS = (
    r"(?:friend|friends|best friend|bestie|bff|bf|gf|girlfriend|boyfriend|sister|brother|sis"
    r"|bro|homie|mum|mom|mother|dad|father|son|daughter|kid|child|baby|cousin|partner|wife"
    r"|husband|roommate|flatmate|housemate|classmate|coworker|colleague|student|mate|niece"
    r"|nephew|uncle|aunt|grandma|grandad|grandpa|granny|stepdad|stepmom|stepmum|teammate"
    r"|neighbour|neighbor|ex|frnd|fren)"
)
#: Another person as the subject, in English: someone the writer names by relation, a
#: pronoun, "someone".
_OTHER_PERSON = re.compile(
    rf"\b(?:(?:my|our|ur|a|his|her|their) (?:\w+ )?{_RELATIONS}\b|mommy|mummy|daddy|she|he|they"
    r"|shes|hes|theyre|someone|somebody|this (?:girl|guy|person|kid))\b"
)
#: What a writer says of themselves while telling of another person's danger, that is not
#: their own risk: "what do i do", "i found her", "i think", "sent me", "my pills".
_HELPER_OWN_WORDS = re.compile(
    r"\b(?:what (?:do|should|can|shall) i (?:do|say)|i dont know(?: \w+){0,3}|i do not know"
    r"|idk|how (?:do|can|should) i help(?: (?:her|him|them))?|i (?:just )?found (?:her|him|them)"
    r"|i (?:just )?(?:called|rang|texted|messaged)"
    r"(?: \w+)?|i am (?:calling|with (?:her|him|them))|im (?:calling|with (?:her|him|them))"
    r"|i think|i guess|i cant (?:reach|find|get hold of|wake) (?:her|him|them)|help me"
    r"|please help|im (?:so )?(?:scared|terrified|freaking out|panicking)"
    r"|i am (?:so )?(?:scared|terrified)|(?:sent|texted|messaged|told|called|showed|snapped) me"
    r"|(?:answer|answering|reply|replying to) me|on my (?:phone|discord|snap|server|insta)"
    r"|(?:in|from) my (?:discord|server|class|group|school)"
    r"|my (?:pills|meds|medicine|tablets|house|place|car|phone|room|bathroom))\b"
)
#: The writer as themselves; with the other four languages' "I" and "me" too, so that a
#: Dutch "he, ik wil dood" ("he" is "hey" there) is never read as about someone else.
_FIRST_PERSON = re.compile(
    r"\b(?:i|im|ive|id|ill|me|myself|mine|my|ik|mij|mezelf|ich|mich|mir|je|jai|moi|yo)\b"
)
#: Words that say another person's danger is happening now ("rn", "isnt answering", "on the
#: tracks"); read only once a message is about another person alone.
_HAPPENING_NOW = re.compile(
    r"\b(?:right now|now|tonight|just|already|currently|isnt answering|not answering"
    r"|wont answer|wont pick up|cant reach|wont wake|not waking|not breathing|barely breathing"
    r"|unconscious|bleeding|overdosing|on the (?:bridge|roof|tracks|train tracks|ledge|edge"
    r"|balcony)|with (?:a|the|his|her|their) (?:knife|gun|rope|pills|blade)|car running|noose"
    r"|threatening|locked (?:herself|himself|themselves) in|all at once|drank bleach"
    r"|found (?:her|him|them)|took (?:all|too many|a lot of|lots of|loads of)"
    r"|dont know how many)\b"
)


def about_another_person(text: str) -> tuple[bool, bool]:
    """(``alone``, ``now``) for an English message: ``alone`` when it speaks of another person
    (a relation, a pronoun, "someone") and of the writer only in a helper's words ("what do i
    do", "i found her", "sent me", "my pills"), never "i", "me" or "my" otherwise; ``now`` when
    it also says the danger is happening now ("rn", "isnt answering", "on the tracks").
    False, False for a joke or fiction. Other languages name these in the "helper" and
    "helper_danger" context kinds instead (a subject pronoun is often dropped there)."""
    if not text or not text.strip():
        return False, False
    english = expand_slang(normalise_base(text[:4000]))
    if _HELPER_JOKING.search(english) or not _OTHER_PERSON.search(english):
        return False, False
    if _ACTUALLY_ME.search(english) or _WRITER_TOO_ALONE.search(english):
        return False, False
    # "my wife left with the kids. the rope is in the garage": a sentence that names no one
    # else is the writer's own.
    sentences = [part for part in english.split(" . ") if len(part.split()) > 1]
    if any(not _OTHER_PERSON.search(part) for part in sentences):
        return False, False
    rest = _OTHER_PERSON.sub(" ", _HELPER_OWN_WORDS.sub(" ", english))
    if _FIRST_PERSON.search(rest):
        return False, False
    return True, bool(_HAPPENING_NOW.search(english))


#: The writer says it is them too, in words that read no risk once the other person's are
#: blanked: "so do i", "same", "i relapsed too", "now i keep thinking about doing it", "i want
#: to join him", "ich mach das auch", "moi aussi". A fresh review found these answered with
#: the helper's reply, the writer never flagged. Read together with a first-person word
#: (:data:`_WRITER_SELF`), except the pronoun-free English ones.
_WRITER_TOO = re.compile(
    r"\b(?:too(?= \.|$| tbh| honestly| lol| now| sometimes| lately)|also|as well|same|again"
    r"|relapsed|started|join|follow|do it|doing it"
    r"|that way|wish it|thinking about|thinking of|think about|want to|wanna|going to|gonna"
    r"|auch|ebenfalls|genauso|wieder|aussi|pareil|encore|de meme|tambien|igual|otra vez"
    r"|ook|weer|hetzelfde)\b"
)
_WRITER_SELF = re.compile(
    r"\b(?:i|im|ive|id|ill|me|myself|my|ich|mich|mir|je|jai|moi|me|yo|mi|ik|mij|mezelf)\b"
)
_WRITER_TOO_ALONE = re.compile(
    r"\b(?:same|me too|so do i|so did i|so am i|the same|go(?:ing)? with (?:her|him|them))\b"
    r"|\btoo(?= \.|$| tbh| honestly| lol| fr)"
)
#: "asking for a friend", "(me)", "by he i mean me", "my friend wants to know the most
#: painless way": the other person is the writer (a method asked "for a friend" is read as
#: the writer's own question, the safer reading).
_ACTUALLY_ME = re.compile(
    r"\b(?:asking for a friend|for a friend|asking (?:cause|because|bc|cuz) (?:its|it is) me"
    r"|(?:friend|mate|bro|sis|someone|somebody) (?:wants|wanted|needs|asked) to know (?:the|how"
    r"|what|which|if)"
    r"|i mean me|talking about myself|(?:its|it is|it was) (?:actually )?me|a friend of mine"
    r" \. me|mine me|(?:this|that) (?:girl|guy|person|kid) me)\b"
)


def writer_shares_risk(text: str) -> bool:
    """Whether ``text`` tells of another person's risk (a "helper" or "helper_danger"
    ``[[context]]`` kind, now or over) and the writer says it is them too ("my brother
    overdosed last month and i want to do the same", "my friend wants to die and so do i",
    "asking for a friend"): the writer's own risk, even where their own words name none."""
    base = normalise_base(text[:4000]) if text else ""
    if _ACTUALLY_ME.search(base):
        # "asking for a friend", "(me)": told as someone else's, it is the writer's.
        rules = _rules()
        english = expand_slang(base)
        return any(
            group.plain.search(english if group.english else base)
            for name, group in rules.context
            if name in ("helper", "helper_danger")
        )
    for kind in ("helper", "helper_danger"):
        for over in (False, True):
            blanked = _others_words_blanked(text, kind, over=over)
            if blanked is None:
                continue
            if _ACTUALLY_ME.search(blanked) or _writer_in_it_too(_helper_phrases_out(blanked)):
                return True
            if _ME_TOO.search(blanked) or _ME_TOO_ACT.search(blanked):
                return True
    return False


def _writer_in_it_too(remainder: str) -> bool:
    """Whether the writer's own words (``remainder``: the normalised text with the other
    person's blanked) say it is them too (:data:`_WRITER_TOO`)."""
    if _WRITER_TOO_ALONE.search(remainder):
        return True
    return bool(_WRITER_SELF.search(remainder) and _WRITER_TOO.search(remainder))


def someone_elses_risk(text: str, kind: str = "helper", *, over: bool = False) -> bool:
    """Whether ``text`` tells of another person's risk (the "helper" ``[[context]]`` kind:
    "my friend says she wants to kill herself, how do i help her"; with ``kind`` =
    "helper_danger", another person in danger right now: "my friend just took a whole bottle
    of pills") and, with those words blanked, the rules read no risk in the writer's own
    words ("my friend said i should talk to someone, i want to kill myself" stays the
    writer's). False for a joke or fiction. ``over`` (with "helper_danger"): the danger is
    told as over ("my sister took a bunch of pills years ago, she is doing great now"), which
    is a helper's worry, not an emergency."""
    blanked = _others_words_blanked(text, kind, over=over)
    if blanked is None or _ME_TOO.search(blanked) or _ME_TOO_ACT.search(blanked):
        return False
    if _ACTUALLY_ME.search(blanked) or _writer_in_it_too(_helper_phrases_out(blanked)):
        return False
    return not match_rules(blanked).categories


def _helper_phrases_out(text: str) -> str:
    """``text`` without what helpers say of themselves ("how do i help", "what do i do",
    "i want to help"), so that those are not read as the writer's own."""
    return _HELPER_OWN_WORDS.sub(" ", _HELPING_WORDS.sub(" ", text))


#: What a helper says they want to do for the other person: not their own risk.
_HELPING_WORDS = re.compile(
    r"\b(?:i (?:want|wanna|need|am going|m going|m trying|am trying) to (?:help|support|talk to"
    r"|be there for|reach|get|call|find|stop|understand)"
    r"|ich (?:will|mochte|muss) (?:ihr|ihm|helfen)|je veux (?:l|laider|aider)|quiero ayudar"
    r"|ik wil (?:haar|hem|helpen))\b"
)


def others_in_danger(text: str) -> bool:
    """Whether ``text`` tells of another person in danger right now (the "helper_danger"
    ``[[context]]`` kind), whatever the writer's own words say: someone must call the
    emergency number either way. False for a joke or fiction."""
    return _others_words_blanked(text, "helper_danger") is not None


def _others_words_blanked(text: str, kind: str, *, over: bool = False) -> str | None:
    """The normalised ``text`` with the words of ``kind`` (a helper ``[[context]]`` kind)
    blanked, or None when they are not there (or it reads as a joke or fiction, or, for
    "helper_danger", as over when ``over`` is False and as now when it is True)."""
    if not text or not text.strip():
        return None
    rules = _rules()
    base = normalise_base(text[:4000])
    if _HELPER_JOKING.search(base) or _ACTUALLY_ME.search(base):
        return None
    if kind == "helper_danger" and bool(_OVER_NOW.search(base)) != over:
        return None
    groups = [group for name, group in rules.context if name == kind]
    blanked, matched = base, False
    for group in groups:
        variant = expand_slang(blanked) if group.english else blanked
        if group.plain.search(variant):
            matched = True
            blanked = group.plain.sub(" . ", variant)
    return blanked if matched else None
