"""/why for a stored entry: rebuild what the fusion saw (``bot.domain.fusion_of``), then let
``responses`` explain it.

Entries keep each source's probabilities, the history prior and the weights precisely so the
explanation can be given later, even after a restart.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import MediaKind, MoodEntry, fusion_of
from emotion.labels import Source
from emotion.photo import PhotoProblem, PhotoReading
from responses import risk_state
from responses.explain import explain
from responses.risk_state import RiskState

#: Said of every flagged message, whatever its category (abuse, an eating disorder, harm to
#: others...): the risk state's own line after it names what was read, so this one stays general.
CRISIS_WHY = (
    "What you wrote sounded like you might not be safe right now, "
    "so I answered with help first instead of reading your mood from it. If I got that wrong, "
    "that's okay — and if I got it right, I'm still here."
)

#: Said of a message that got the check-in (the classifier's unsure band: a direct question and
#: the lines, not the crisis reply). The reply did not come from the mood reading either, so the
#: reading (which can be "happiness" for "everything is grey and i'm so done") is not shown.
CHECK_IN_WHY = (
    "My safety check wasn't sure about what you wrote: it could have meant you might not be "
    "safe, so instead of answering your mood I asked you directly and gave you the lines. "
    "If I read too much into it, that's okay — you can tell me, and I'm still here."
)

#: The tone stored with an entry that got the check-in (``bot.core``).
CHECK_IN_TONE = "check_in"

#: Said of a message about another person's risk, answered with how to help them.
HELPER_WHY = (
    "You wrote about someone else who may not be safe, so instead of reading your mood I told "
    "you what can help them and gave you the lines. If I got that wrong, tell me."
)

#: The tone stored with an entry that got the reply for a helper (``bot.core``).
HELPER_TONE = "helper"


def explain_entry(entry: MoodEntry) -> str:
    """/why's answer for ``entry``: how each source counted, then, for a video, how the face
    changed over it (its stored summary), then the user's correction if they made one.

    A message the crisis screen flagged was answered with help before any careful reading (it
    gets only a quick word-list estimate, which can read "I want to end my life tonight" as
    calm): /why says that instead of presenting the estimate as how they felt. So for a message
    that got the check-in: /why says the safety check was unsure and asked.
    """
    # The helper's tone first: "my friend just took a whole bottle of pills" is stored as a
    # crisis entry (the emergency number led), but the one not safe was someone else.
    if entry.tone == HELPER_TONE:
        return HELPER_WHY
    if entry.crisis:
        return CRISIS_WHY
    if entry.tone == CHECK_IN_TONE:
        return CHECK_IN_WHY
    result = fusion_of(entry)
    photo = None
    video = entry.media_kind is MediaKind.VIDEO
    if result.face is None and Source.FACE in result.weights and entry.face_count > 0:
        # A face was found but could not be read: it was too small.
        photo = PhotoReading(problem=PhotoProblem.FACE_TOO_SMALL)
    elif result.face is None and video:
        # A video whose frames showed no readable face (its words were still read).
        photo = PhotoReading(problem=PhotoProblem.NO_FACE)
    text = explain(result, photo=photo, medium="video" if video else "photo")
    if entry.media_summary:
        # Made from the video's per-frame readings when it was read (never from its words).
        text += f"\n\n{entry.media_summary}"
    if entry.correction is not None:
        text += f"\n\nYou told me it was really {entry.correction.value}, so that is what I keep."
    return text


def why_text(entry: MoodEntry, state: RiskState, now: datetime) -> str:
    """/why's whole answer: ``explain_entry``, and while the conversation's risk state still
    shapes replies (``state`` at ``now``), a line that says so."""
    answer = explain_entry(entry)
    if risk_state.elevated(state, now):
        answer = f"{answer}\n\n{risk_state.explain(state, now)}"
    return answer
