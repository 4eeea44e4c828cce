"""Make any incoming text safe to analyse, store and echo back.

Control characters, lone surrogates (from invalid UTF-8 decoded with surrogateescape) and
runaway length are removed here once, so no later layer has to think about them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True)
class CleanText:
    text: str
    truncated: bool
    original_length: int


def clean_text(raw: str, max_chars: int) -> CleanText:
    text = _SURROGATE.sub("\ufffd", raw)
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = text.strip()
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars].rstrip()
    return CleanText(text=text, truncated=truncated, original_length=len(raw))


def snippet(text: str, limit: int = 60) -> str:
    """A one-line excerpt for lists."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"
