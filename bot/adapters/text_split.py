"""One platform-free way to cut a long reply into messages a chat platform accepts.

Telegram takes at most 4096 characters per message, Discord 2000. Both count in UTF-16 code
units as their clients do (an emoji outside the Basic Multilingual Plane is two), so lengths
here are measured that way: a chunk that fits in UTF-16 units fits however the platform
counts. A cut never falls inside a code point (Python strings are code points) nor, when a
run has to be cut hard, inside a grapheme cluster (a family emoji, a flag, a letter with its
accents), found with ``regex``'s ``\\X``.
"""

from __future__ import annotations

import regex

#: Where to prefer cutting, best first: a paragraph break, a line break, a space.
SEPARATORS = ("\n\n", "\n", " ")
_GRAPHEME = regex.compile(r"\X")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what Telegram and Discord count)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _fits(text: str, limit: int) -> int:
    """How many code points of ``text`` fit in ``limit`` UTF-16 units (all of it, or fewer)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _grapheme_cut(text: str, end: int) -> int:
    """The last grapheme boundary at or before code point ``end`` (``end`` itself if the
    first grapheme is longer than that: an absurd cluster is cut rather than sent whole)."""
    cut = 0
    for match in _GRAPHEME.finditer(text, 0, min(len(text), end + 32)):
        if match.end() > end:
            break
        cut = match.end()
    return cut or end


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into chunks of at most ``limit`` UTF-16 units, in order.

    Leading and trailing whitespace of the whole text is dropped; blank text gives ``[]``.
    Each cut goes at the last paragraph break, else line break, else space in the second
    half of the window (the whitespace at the cut is dropped), so words stay whole; an
    unbroken run longer than that is cut hard at a grapheme boundary. Joining the chunks
    with the dropped whitespace gives the text back.

    Raises ``ValueError`` for a ``limit`` under 2 (one astral character needs two units).
    """
    if limit < 2:
        raise ValueError("limit must be at least 2 UTF-16 units")
    chunks: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        end = _fits(rest, limit)
        window = rest[:end]
        cut = -1
        for separator in SEPARATORS:
            at = window.rfind(separator)
            if at >= end // 2:
                cut = at
                break
        if cut <= 0:
            cut = _grapheme_cut(rest, end)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks
