"""The lexicon baseline: VADER sentiment spread over the 7 labels with a few keyword cues.

It needs no trained weights, so the core uses it until the trained model loads and as the
fallback when that model fails. VADER only knows pleasant vs unpleasant (with its own handling
of negation, caps, "!!!", boosters and emoji); small cue lists decide which unpleasant emotion
(anger, disgust, fear or sadness) and whether there is surprise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from emotion.labels import Emotion, EmotionEstimate, Source

#: Word stems and emoji that point to one unpleasant (or surprised) emotion. Matched on word
#: starts in lower-cased text, so "furious" and "furiously" both count.
_CUES: Mapping[Emotion, tuple[str, ...]] = {
    label: tuple(cues.split("|"))
    for label, cues in {
        Emotion.ANGRY: "angry|anger|mad|furious|rage|pissed|hate|annoy|irritat|fuck|damn|wtf"
        "|stupid|idiot|sick of|fed up|livid|😠|😡|🤬|💢",
        Emotion.DISGUST: "disgust|gross|eww|ew |yuck|nasty|vile|repuls|revolting|sickening"
        "|creepy|🤢|🤮",
        Emotion.FEAR: "afraid|scared|scary|fear|terrif|anxious|anxiety|nervous|worried|worry"
        "|panic|frighten|dread|horrif|😨|😰|😱|😟",
        Emotion.SAD: "sad|cry|cried|tears|depress|lonely|alone|miss |hurt|heartbrok|grief"
        "|griev|sorry|unhappy|miserable|lost |upset|😢|😭|😞|😔|💔|☹|🙁|:(|:'(",
        Emotion.SURPRISE: "wow|whoa|omg|oh my|surpris|unexpected|shock|can't believe"
        "|cannot believe|no way|really?|what?|curious|wonder|confus|huh|weird|strange"
        "|interesting|realiz|😮|😲|😯|🤯|😳",
    }.items()
}

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_MAX_CHARS = 5_000


def _cue_hits(lowered: str) -> dict[Emotion, int]:
    padded = f" {lowered} "
    hits: dict[Emotion, int] = {}
    for label, cues in _CUES.items():
        count = 0
        for cue in cues:
            if cue[0].isalpha():
                count += len(re.findall(r"(?<![a-z])" + re.escape(cue), padded))
            else:
                count += padded.count(cue)
        if count:
            hits[label] = count
    return hits


class LexiconEstimator:
    """VADER plus keyword cues; see the module docstring for why it looks this way."""

    __slots__ = ("_vader",)

    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def estimate(self, text: str) -> EmotionEstimate:
        # VADER is linear in length but slow per character; the first few thousand characters
        # carry the tone of any chat message.
        text = text[:_MAX_CHARS]
        if not text.strip():
            return EmotionEstimate.neutral(Source.TEXT, 0.0)
        scores = self._vader.polarity_scores(text)
        pos, neg, compound = float(scores["pos"]), float(scores["neg"]), float(scores["compound"])
        hits = _cue_hits(text.lower())

        raw: dict[Emotion, float] = dict.fromkeys(Emotion, 0.0)
        raw[Emotion.NEUTRAL] = 0.35 + float(scores["neu"]) * 0.4 * (1.0 - abs(compound))
        raw[Emotion.HAPPY] = max(compound, 0.0) * 1.2 + pos * 0.5
        unpleasant = max(-compound, 0.0) * 1.2 + neg * 0.5
        negative_labels = (Emotion.ANGRY, Emotion.DISGUST, Emotion.FEAR, Emotion.SAD)
        cue_total = sum(hits.get(label, 0) for label in negative_labels)
        if cue_total:
            for label in negative_labels:
                raw[label] = unpleasant * (0.1 + 0.9 * hits.get(label, 0) / cue_total)
                raw[label] += 0.25 * hits.get(label, 0)
        else:
            # Unpleasant with no cue: sadness and anger are by far the commonest in chat.
            raw[Emotion.SAD] = unpleasant * 0.5
            raw[Emotion.ANGRY] = unpleasant * 0.35
            raw[Emotion.FEAR] = unpleasant * 0.1
            raw[Emotion.DISGUST] = unpleasant * 0.05
        shouting = sum(c.isupper() for c in text) > 0.6 * max(1, sum(c.isalpha() for c in text))
        if shouting and sum(c.isalpha() for c in text) >= 6 and compound <= 0.2:
            raw[Emotion.ANGRY] += 0.4
        # GoEmotions' surprise includes curiosity and confusion: questions lean that way.
        raw[Emotion.SURPRISE] = 0.5 * hits.get(Emotion.SURPRISE, 0) + 0.35 * min(2, text.count("?"))

        words = len(_WORD.findall(text))
        signal = abs(compound) + 0.3 * sum(hits.values())
        # Few words, or words VADER knows nothing about, tell little: trust grows with both.
        confidence = min(1.0, words / 8.0) * min(1.0, 0.3 + signal)
        if words == 0:
            confidence = min(0.3, 0.15 * signal)
        return EmotionEstimate.from_mapping(raw, Source.TEXT, 0.6 * confidence)
