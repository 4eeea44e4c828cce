"""Make any incoming text safe to analyse, store and echo back.

Control characters, lone surrogates (from invalid UTF-8 decoded with surrogateescape),
bidirectional overrides and runaway length are removed here once, so no later layer has to
think about them. Bidi controls (Unicode TR #9's embeddings, overrides, isolates and marks)
are removed because echoed back they reorder what follows them, the "Trojan Source" trick
(CVE-2021-42574); text made only of invisible characters (zero-width spaces and joiners,
fillers, variation selectors) counts as empty, so it is never stored as an invisible entry;
so does text of slashes alone ("/", "//"): a command with no name, not words to read.
Zero-width joiners inside visible text stay: emoji sequences and Persian or Indic words need
them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
#: Zero-width space, word joiner, BOM and soft hyphen draw nothing and join nothing: removed,
#: not made a space, so "s\u200buicide" is read (and screened) as the word it shows.
_ZERO_WIDTH = re.compile(r"[\u00ad\u034f\u180e\u200b\u2060-\u2064\ufeff]")
#: What may stand between words in a message made to slip past a screen: the zero-width
#: characters above plus the joiners and direction marks (U+200C-U+200F), which stay in the
#: stored text (emoji sequences and Persian or Indic words need the joiners).
_SPACE_LIKE = re.compile(r"[\u00ad\u034f\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t]+")
#: Unicode's bidirectional formatting characters (TR #9, section 2): removed outright.
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Characters that draw nothing but are not Unicode format (Cf) or space characters:
#: Hangul fillers, the braille blank, combining grapheme joiner, variation selectors.
_BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800") | frozenset(
    chr(c) for c in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))
)


def _invisible(char: str) -> bool:
    return char.isspace() or char in _BLANK_LOOKING or unicodedata.category(char) == "Cf"


def visible_text(raw: str) -> str:
    """One line of ``raw`` fit to echo back (a display name, say), "" if nothing shows."""
    return " ".join(clean_text(raw, max(len(raw), 1)).text.split())


@dataclass(frozen=True, slots=True)
class CleanText:
    text: str
    truncated: bool
    original_length: int


def clean_text(raw: str, max_chars: int) -> CleanText:
    text = _SURROGATE.sub("\ufffd", raw)
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    text = _BIDI.sub("", text)
    text = _ZERO_WIDTH.sub("", text)
    if all(_invisible(char) or char == "/" for char in text):
        text = ""
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = text.strip()
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars].rstrip()
    return CleanText(text=text, truncated=truncated, original_length=len(raw))


def screen_readings(raw: str, max_chars: int) -> str:
    """What the crisis screen reads: :func:`clean_text`, and when ``raw`` holds zero-width
    characters or joiners also a second reading with each one as a space, on its own line.
    Inside a word ("sui\u200bcide") they hide a word; between words ("i\u200bwant\u200bto\u200bdie")
    they are the only spaces: either reading may be the one that says it."""
    joined = clean_text(raw, max_chars).text
    if not _SPACE_LIKE.search(raw):
        return joined
    spaced = clean_text(_SPACE_LIKE.sub(" ", raw), max_chars).text
    return f"{joined}\n{spaced}" if spaced != joined else joined


def snippet(text: str, limit: int = 60) -> str:
    """A one-line excerpt for lists (bidi controls removed, also from entries stored before
    they were removed on the way in)."""
    one_line = " ".join(_BIDI.sub("", text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"
