"""One colour per emotion, the same in every chart (and for any future view).

Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. Happy is the
warm orange, sad the deep blue, neutral a quiet grey, so the chart reads at a glance.
"""

from __future__ import annotations

from collections.abc import Mapping

from emotion.labels import Emotion

EMOTION_COLOURS: Mapping[Emotion, str] = {
    Emotion.ANGRY: "#D55E00",  # vermillion
    Emotion.DISGUST: "#009E73",  # bluish green
    Emotion.FEAR: "#CC79A7",  # reddish purple
    Emotion.HAPPY: "#E69F00",  # orange
    Emotion.SAD: "#0072B2",  # blue
    Emotion.SURPRISE: "#56B4E9",  # sky blue
    Emotion.NEUTRAL: "#999999",  # grey
}

MOOD_LINE = "#222222"
MOOD_BAND = "#8C8C8C"
GRID = "#E6E6E6"


def colour(emotion: Emotion) -> str:
    return EMOTION_COLOURS[emotion]
