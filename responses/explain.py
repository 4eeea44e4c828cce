"""/why: telling the user, in plain words, how attune read their last message.

People deserve to know why a bot answered as it did, and to see when it was unsure; it also
invites a correction ("that's wrong, I'm actually anxious"). Everything said here comes from
the ``FusionResult``: what each source suggested, how much each counted, how sure it was.
No numbers beyond rounded percentages, no jargon.
"""

from __future__ import annotations

from collections.abc import Mapping

from emotion.fusion import FusionResult
from emotion.labels import LABELS, Emotion, EmotionEstimate, Source
from emotion.photo import PhotoProblem, PhotoReading

NOUNS: Mapping[Emotion, str] = {
    Emotion.ANGRY: "anger or frustration",
    Emotion.DISGUST: "disgust",
    Emotion.FEAR: "worry or fear",
    Emotion.HAPPY: "happiness",
    Emotion.SAD: "sadness",
    Emotion.SURPRISE: "surprise",
    Emotion.NEUTRAL: "calm",
}

_PHOTO_PROBLEMS: Mapping[PhotoProblem, str] = {
    PhotoProblem.NO_FACE: "I couldn't find a face in the photo",
    PhotoProblem.FACE_TOO_SMALL: "the face in the photo was too small to read",
    PhotoProblem.UNAVAILABLE: "face reading wasn't available just then",
}


def _pct(value: float) -> str:
    return f"{round(100 * value)}%"


def _reading(estimate: EmotionEstimate) -> str:
    """ "sadness (about 70%), with some worry or fear" """
    ranked = sorted(zip(LABELS, estimate.probabilities, strict=True), key=lambda x: -x[1])
    (top, p_top), (second, p_second) = ranked[0], ranked[1]
    text = f"{NOUNS[top]} (about {_pct(p_top)})"
    if p_second >= 0.2:
        text += f", with some {NOUNS[second]}"
    return text


def _sureness(confidence: float) -> str:
    if confidence < 0.35:
        return "not very sure"
    if confidence < 0.65:
        return "fairly sure"
    return "quite sure"


def _counted(weight: float) -> str:
    if weight >= 0.6:
        return "counted most"
    if weight >= 0.3:
        return "counted a fair amount"
    if weight >= 0.05:
        return "counted a little"
    return "hardly counted"


def _face_line(result: FusionResult, photo: PhotoReading | None, medium: str) -> str:
    if result.face is None:
        if photo is None and Source.FACE in result.weights:
            # The fusion records a photo without a readable face as a face weight of 0.
            photo = PhotoReading(problem=PhotoProblem.NO_FACE)
        if photo is None:
            return "There was no photo with this message, so I went by your words."
        problem = _PHOTO_PROBLEMS.get(photo.problem) if photo.problem else None
        if problem:
            problem = problem.replace("the photo", f"the {medium}")
            return f"{problem.capitalize()}, so I went by your words."
        return f"I couldn't read the {medium}, so I went by your words."
    weight = result.weights.get(Source.FACE, 0.0)
    line = f"Your face suggested {_reading(result.face)}; it {_counted(weight)} ({_pct(weight)})."
    reasons = []
    if photo is not None:
        if len(photo.faces) > 1:
            reasons.append("there was more than one face")
        if photo.image_size and photo.face_fraction < 0.15:
            reasons.append("the face was small in the picture")
    if reasons and weight < 0.5:
        line += f" I trusted it less because {' and '.join(reasons)}."
    return line


def explain(
    result: FusionResult, *, photo: PhotoReading | None = None, medium: str = "photo"
) -> str:
    """A few plain sentences on how the estimate came about (for /why); ``medium`` names
    what the face was read from ("photo", "video")."""
    lines = []
    if result.text is not None and result.weights.get(Source.TEXT, 0.0) >= 0.01:
        weight = result.weights[Source.TEXT]
        lines.append(
            f"Your words suggested {_reading(result.text)}; they {_counted(weight)} "
            f"({_pct(weight)})."
        )
    elif result.text is not None:
        lines.append("Your message didn't tell me much about how you feel on its own.")
    lines.append(_face_line(result, photo, medium))
    history_weight = result.weights.get(Source.HISTORY, 0.0)
    if result.history is not None and history_weight > 0.0:
        lines.append(
            f"Your recent entries leaned towards {NOUNS[result.history.top]}; "
            f"they {_counted(history_weight)} ({_pct(history_weight)}), "
            "and older ones count less and less."
        )
    else:
        lines.append("I had no recent entries of yours to go on.")
    if result.disagreement and result.face is not None and result.text is not None:
        lines.append(
            f"Your face ({NOUNS[result.face.top]}) and your words ({NOUNS[result.text.top]}) "
            "told different stories, so I leaned on your words and asked rather than assumed."
        )
    estimate = result.estimate
    lines.append(
        f"All together I read {_reading(estimate)}, and I was {_sureness(estimate.confidence)} "
        f"(confidence {_pct(estimate.confidence)})."
    )
    lines.append("If I got it wrong, tell me how you really feel, or use /feel.")
    return "\n".join(lines)
