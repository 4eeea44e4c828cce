"""Windows of a long message, so that a risk said in the middle of a ramble is read on its own.

The learned readers see a message as one vector: the sentence encoder averages it, and the
fine-tuned MiniLM reads only its first 64 sub-word tokens. In a long message ("work was awful,
the cat is sick, ... i've sorted out the pills for sunday ... anyway how was your day") the
one sentence that matters is diluted or cut off. ``windows(text)`` returns each sentence alone
and overlapping runs of whole sentences of at most ``max_words`` words (a sentence longer
than that, as in a ramble without punctuation, is cut into overlapping runs of words); the
caller scores the whole message and each window and keeps, per output, the highest score.
Short messages get no windows (the whole message is already one).

Sliding windows over a long input, scored apart and max-pooled, are the usual way to classify
documents longer than a transformer's input (e.g. Pappagari et al. 2019, "Hierarchical
transformers for long document classification"); a run of whole sentences keeps the local
context a look-alike depends on ("... in the game", "... lol") inside its window.
"""

from __future__ import annotations

import re

#: Words per window: MiniLM reads 64 sub-word tokens, about 45 English words.
MAX_WORDS = 40
#: At most this many windows per message (cost: one encoder pass each).
MAX_WINDOWS = 48
#: A sentence shorter than this is read with the next one: alone, "im done." or "bye." says
#: too little (the decisive band needs six words of the whole message for the same reason).
MIN_WORDS = 6
#: Characters read (the core passes at most 4,000; see bot/risk.py).
MAX_CHARS = 4000

# A sentence ends after . ! ? … (one or more) and a space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*[\r\n]+\s*")


def _sentences(text: str) -> list[list[str]]:
    """The text's sentences, each as its words (empty ones dropped)."""
    return [s.split() for s in _SENTENCE_END.split(text) if s.split()]


def _word_runs(words: list[str], max_words: int) -> list[list[str]]:
    """Runs of ``max_words`` words, each overlapping the previous by half."""
    step = max(1, max_words // 2)
    runs = []
    for start in range(0, len(words), step):
        runs.append(words[start : start + max_words])
        if start + max_words >= len(words):
            break
    return runs


def _units(text: str, max_words: int, min_words: int) -> list[list[str]]:
    """Sentences as word lists; one of fewer than ``min_words`` words joins the next (the last
    one the previous), one of more than ``max_words`` becomes overlapping runs of words."""
    units: list[list[str]] = []
    carry: list[str] = []
    for sentence in _sentences(text):
        sentence = carry + sentence
        carry = []
        if len(sentence) < min_words:
            carry = sentence
            continue
        units.extend(_word_runs(sentence, max_words) if len(sentence) > max_words else [sentence])
    if carry:
        if units and len(units[-1]) + len(carry) <= max_words:
            units[-1] = units[-1] + carry
        else:
            units.append(carry)
    return units


def windows(
    text: str,
    max_words: int = MAX_WORDS,
    max_windows: int = MAX_WINDOWS,
    min_words: int = MIN_WORDS,
) -> list[str]:
    """Windows of ``text`` (a str each, words joined by one space): each sentence alone, then
    overlapping runs of whole sentences, each in text order.

    Empty when the whole text has at most ``max_words`` words. A sentence of fewer than
    ``min_words`` words is read with the next one ("i cant." + "i just cant do this
    anymore."), one of more than ``max_words`` as runs of words overlapping by half. A run
    starts at every sentence and takes the following ones while they fit in ``max_words``.
    At most ``max_windows`` windows, spread evenly over the text when there would be more;
    only the first ``MAX_CHARS`` characters are read.
    """
    text = text[:MAX_CHARS]
    if len(text.split()) <= max_words:
        return []
    units = _units(text, max_words, min_words)
    found = [" ".join(unit) for unit in units]
    runs: list[str] = []
    for start in range(len(units)):
        words = list(units[start])
        for unit in units[start + 1 :]:
            if len(words) + len(unit) > max_words:
                break
            words.extend(unit)
        if len(words) > len(units[start]):  # a run of one sentence is already there
            run = " ".join(words)
            if not runs or f" {run} " not in f" {runs[-1]} ":
                runs.append(run)
    found.extend(runs)
    if len(found) > max_windows:
        step = len(found) / max_windows
        found = [found[int(i * step)] for i in range(max_windows)]
    return found
