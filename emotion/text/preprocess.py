"""Text preprocessing with NLTK that needs no downloaded data.

Two outputs come from one message:

* ``normalise`` rewrites it for the sub-word encoder (an uncased WordPiece vocabulary that has
  no emoji): emoji and emoticons become words ("😭" -> "loudly crying face") so they stay
  signals instead of ``[UNK]``; elongations are shortened to a spelling the vocabulary knows
  ("soooo" -> "so"); the dataset's ``[NAME]``/``[RELIGION]`` masks, user mentions and URLs
  become plain words, so that real names and links in chat look like the masked training text.
* ``analyse`` keeps what that rewrite loses: case (all-caps shouting), elongation, repeated
  "!"/"?", emoji counts, and negation scope (NLTK's ``mark_negation``) as hashed word features
  and a small vector of surface cues. The model reads both.

Every step is linear in the input and the input is cut to ``MAX_CHARS`` first, so a
100,000-character message costs no more than a long paragraph.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Container
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from nltk.sentiment.util import mark_negation
from nltk.tokenize import TweetTokenizer

#: Characters kept from a message. Far more than the encoder's token limit needs; the cut is
#: what keeps a pasted novel from costing seconds in the regexps and the tokenizer.
MAX_CHARS = 2_000

#: Number of hashed word/bigram buckets of the bag-of-words branch.
HASH_BUCKETS = 1 << 15
#: Hashed features kept per message (the rest are dropped, like truncated tokens).
MAX_HASHED = 96

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w{1,32}")
_MASKS = {"[NAME]": " someone ", "[RELIGION]": " religion "}
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)
_REPEATED_PUNCT = re.compile(r"([!?.])\1{3,}")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")

#: Western emoticons (longest first, so ":'(" wins over ":(") and the words that replace them.
_EMOTICONS: tuple[tuple[str, str], ...] = (
    (":'(", "crying face"),
    (":'-(", "crying face"),
    ("</3", "broken heart"),
    ("<3", "red heart"),
    (":-)", "smiling face"),
    (":)", "smiling face"),
    ("(:", "smiling face"),
    (":-D", "grinning face"),
    (":D", "grinning face"),
    ("xD", "laughing face"),
    ("XD", "laughing face"),
    (";-)", "winking face"),
    (";)", "winking face"),
    (":-(", "sad face"),
    (":(", "sad face"),
    ("):", "sad face"),
    (":-/", "confused face"),
    (":/", "confused face"),
    (":-|", "neutral face"),
    (":|", "neutral face"),
    (":-O", "surprised face"),
    (":O", "surprised face"),
    (":o", "surprised face"),
    (":-P", "face with tongue"),
    (":P", "face with tongue"),
    (":p", "face with tongue"),
    ("D:", "anguished face"),
    (">:(", "angry face"),
)
_EMOTICON = re.compile(
    r"(?<![\w:;<>])(?:"
    + "|".join(re.escape(e) for e, _ in sorted(_EMOTICONS, key=lambda x: -len(x[0])))
    + r")(?![\w])"
)
_EMOTICON_WORDS = dict(_EMOTICONS)

_NEGATIVE_EMOJI_WORDS = ("cry", "sad", "angry", "pouting", "rage", "fear", "scream", "broken")
_POSITIVE_EMOJI_WORDS = ("smil", "grin", "joy", "laugh", "heart", "kiss", "party", "thumbs up")

_tweet_tokenizer = TweetTokenizer(preserve_case=True, reduce_len=False, strip_handles=False)

#: Names of the surface cues in ``Analysis.cues``, in order (saved with the model).
CUE_NAMES: tuple[str, ...] = (
    "log_words",
    "caps_ratio",
    "shouted_words",
    "exclamations",
    "questions",
    "elongated",
    "emoji_positive",
    "emoji_negative",
    "negations",
    "non_ascii_letters",
)


def _is_emoji(char: str) -> bool:
    code = ord(char)
    if 0x1F3FB <= code <= 0x1F3FF:  # skin-tone modifiers qualify an emoji, are none alone
        return False
    return (
        0x1F300 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x1F000 <= code <= 0x1F2FF
        or code in (0x2764, 0x2639, 0x263A)
    )


#: Emotion emoji whose Unicode names say little to a model of English ("pouting face" for 😡):
#: their CLDR-style names with the emotion word made explicit. Others use the Unicode name.
_EMOJI_WORDS: dict[str, str] = {
    "😠": "so angry face",
    "😡": "pouting angry face",
    "🤬": "cursing angry face",
    "😤": "frustrated angry face",
    "🙄": "annoyed face rolling eyes",
    "😒": "unamused annoyed face",
    "😢": "crying sad face",
    "😭": "loudly crying sad face",
    "😞": "disappointed face",
    "😔": "sad pensive face",
    "😟": "worried face",
    "🥺": "pleading sad face",
    "💔": "broken heart",
    "😨": "fearful face",
    "😰": "anxious face",
    "😱": "face screaming in fear",
    "😧": "anguished face",
    "🤢": "nauseated disgusted face",
    "🤮": "vomiting disgusted face",
    "😮": "surprised face",
    "😲": "astonished surprised face",
    "😯": "hushed surprised face",
    "🤯": "shocked exploding head",
    "😳": "flushed surprised face",
    "😂": "face with tears of joy laughing",
    "🤣": "laughing face rolling on the floor laughing",
    "😍": "smiling face with heart eyes love",
    "🥰": "smiling face with hearts love",
    "❤": "red heart love",
    "😊": "smiling happy face",
    "😁": "grinning happy face",
    "😃": "grinning happy face",
    "🥳": "partying happy face celebrating",
    "🎉": "celebration joy",
    "🎊": "celebration joy",
    "🙌": "raising hands celebrating joy",
    "👏": "clapping hands well done",
    "💪": "strong proud",
}


def _emoji_name(char: str) -> str:
    return _EMOJI_WORDS.get(char) or unicodedata.name(char, "").lower()


def emoji_words(text: str) -> str:
    """Replace each emoji with its Unicode name; drop joiners, skin tones and variants.

    The names are plain English ("pile of poo", "face with tears of joy"), which the encoder
    already reads well, and they need no emoji package or data download.
    """
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code in (0x200D, 0xFE0F, 0xFE0E) or 0x1F3FB <= code <= 0x1F3FF:
            continue
        if _is_emoji(char):
            name = _emoji_name(char)
            out.append(f" {name} " if name else " ")
        else:
            out.append(char)
    return "".join(out)


def shorten_elongations(text: str, known: Container[str] | None = None) -> str:
    """Cut letter runs of three or more ("soooo", "happyyyy") to a spelling that is known.

    Two letters are tried first ("coool" -> "cool"), then one ("soooo" -> "so"); with no
    vocabulary, two are kept.
    """

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        two = _ELONGATED.sub(r"\1\1", word)
        if known is None or two.lower() in known:
            return two
        one = _ELONGATED.sub(r"\1", word)
        return one if one.lower() in known else two

    return _WORD.sub(lambda m: fix(m) if _ELONGATED.search(m.group(0)) else m.group(0), text)


def normalise(text: str, known: Container[str] | None = None) -> str:
    """The message as the sub-word encoder should see it (see the module docstring)."""
    text = text[:MAX_CHARS]
    for mask, word in _MASKS.items():
        text = text.replace(mask, word)
    text = _URL.sub(" link ", text)
    text = _MENTION.sub(" someone ", text)
    text = _EMOTICON.sub(lambda m: f" {_EMOTICON_WORDS[m.group(0)]} ", text)
    text = emoji_words(text)
    text = shorten_elongations(text, known)
    text = _REPEATED_PUNCT.sub(r"\1\1\1", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Analysis:
    """What ``analyse`` found: hashed word features and the surface cue vector."""

    hashed: tuple[int, ...]
    cues: tuple[float, ...]
    words: int
    known_fraction: float
    #: Emoji and emoticons: signals the model reads (by their names), but not words.
    emoji: int


def _bucket(feature: str) -> int:
    # crc32, not hash(): Python's str hash changes between processes.
    return 1 + zlib.crc32(feature.encode("utf-8")) % (HASH_BUCKETS - 1)


def analyse(text: str, known: Container[str] | None = None) -> Analysis:
    """Tokenise with NLTK's TweetTokenizer and collect the cues the encoder cannot see.

    Tokens are lower-cased, elongations shortened and negated words suffixed ``_NEG`` up to the
    next clause punctuation (NLTK's ``mark_negation``), so "not happy" and "happy" land in
    different buckets. ``known`` (a word list) gives ``known_fraction``: how much of the
    message is vocabulary the model was trained on, the basis of the confidence.
    """
    text = text[:MAX_CHARS]
    for mask, word in _MASKS.items():
        text = text.replace(mask, word)
    text = _URL.sub(" link ", text)
    text = _MENTION.sub(" someone ", text)
    raw_tokens: list[str] = _tweet_tokenizer.tokenize(text)

    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    alpha_words = [t for t in raw_tokens if _WORD.fullmatch(t)]
    shouted = sum(1 for t in alpha_words if len(t) >= 2 and t.isupper() and t != "I")
    elongated = sum(1 for t in alpha_words if _ELONGATED.search(t))
    emoji_names = [_emoji_name(c) for c in text if _is_emoji(c)]
    emoji_names += [_EMOTICON_WORDS.get(t, "") for t in raw_tokens if t in _EMOTICON_WORDS]
    positive = sum(any(w in n for w in _POSITIVE_EMOJI_WORDS) for n in emoji_names)
    negative = sum(any(w in n for w in _NEGATIVE_EMOJI_WORDS) for n in emoji_names)
    non_ascii = sum(1 for c in letters if ord(c) > 0x24F)

    lowered = [shorten_elongations(t, known).lower() for t in raw_tokens]
    marked: list[str] = mark_negation(lowered)
    negations = sum(1 for t in marked if t.endswith("_NEG"))
    features = [f"w:{t}" for t in marked]
    features += [f"b:{a}|{b}" for a, b in itertools.pairwise(marked)]
    hashed = tuple(dict.fromkeys(_bucket(f) for f in features))[:MAX_HASHED]

    words = [t.lower() for t in alpha_words]
    known_fraction = 0.0
    if words:
        known_fraction = sum(
            1 for w in words if known is None or shorten_elongations(w, known) in known
        ) / len(words)

    n_words = len(alpha_words)
    cues = (
        float(np.log1p(n_words)),
        upper / len(letters) if len(letters) >= 4 else 0.0,
        min(shouted, 10) / 10.0,
        float(np.log1p(text.count("!"))),
        float(np.log1p(text.count("?"))),
        min(elongated, 3) / 3.0,
        min(positive, 5) / 5.0,
        min(negative, 5) / 5.0,
        min(negations, 10) / 10.0,
        non_ascii / len(letters) if letters else 0.0,
    )
    return Analysis(hashed, cues, n_words, known_fraction, len(emoji_names))


def words(text: str) -> list[str]:
    """The letter-only words of a message (the dataset masks excluded)."""
    for mask in _MASKS:
        text = text.replace(mask, " ")
    return _WORD.findall(text[:MAX_CHARS])


def pad_hashed(rows: list[tuple[int, ...]]) -> npt.NDArray[np.int32]:
    """Hashed features of several messages as one zero-padded [N, MAX_HASHED] array."""
    out = np.zeros((len(rows), MAX_HASHED), dtype=np.int32)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out
