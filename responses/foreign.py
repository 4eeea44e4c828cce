"""Whether a message is written in a language other than English, for the everyday reply.

The reply bank, the reflections and the act rules are English: a German sentence reflected as
an English topic ("So Ich bin heute so glücklich. How do you feel about it?") parrots it back.
This decides when to leave the words alone and answer plainly instead.

Method: ``responses.language.language_scores`` (a stop-word profile, Grefenstette 1995) with a
stricter bar than the crisis reply's language guess, because here a false alarm on English
costs the reflection: another language must have at least ``MIN_EVIDENCE`` points and twice
English's plus one ("we found him though" has one Dutch word and stays English). Text mostly
in a non-Latin script (Cyrillic, Greek, CJK, Arabic...) counts as another language too.
Crisis messages never depend on this: the screen answers them in their language first.
"""

from __future__ import annotations

import unicodedata

from responses.language import language_scores

#: Points (function words + distinctive letters) another language needs before it counts.
MIN_EVIDENCE = 2.0
#: Share of letters outside the Latin script above which a message is not English.
NON_LATIN_SHARE = 0.5


def other_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in when it is clearly not
    English ("de", "fr", "es", "nl", or "other" for a non-Latin script), else None."""
    letters = [c for c in text if c.isalpha()]
    if letters:
        non_latin = sum(1 for c in letters if not unicodedata.name(c, "").startswith("LATIN"))
        if non_latin / len(letters) > NON_LATIN_SHARE:
            return "other"
    scores = language_scores(text)
    english = scores.pop("en", 0.0)
    if not scores:
        return None
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] >= MIN_EVIDENCE and scores[best] >= 2 * english + 1:
        return best
    return None
