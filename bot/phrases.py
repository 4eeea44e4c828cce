"""Short fixed lines the core says about the input itself (not about feelings).

Feelings are answered from the reply bank in ``responses/``; these lines explain a problem
with what arrived — a photo that could not be read, a message cut short — kindly and
specifically, so the person knows what to try next.
"""

from __future__ import annotations

from emotion.photo import PhotoProblem

PHOTO_NOTES: dict[PhotoProblem, str] = {
    PhotoProblem.EMPTY: "That photo arrived empty, so I couldn't look at it.",
    PhotoProblem.TOO_LARGE: "That picture is too large for me to read (the limit is {mb} MB).",
    PhotoProblem.TOO_MANY_PIXELS: "That picture has more pixels than I can safely read.",
    PhotoProblem.NOT_AN_IMAGE: "That file doesn't look like a picture to me.",
    PhotoProblem.UNSUPPORTED_FORMAT: "I can read JPEG, PNG and WebP pictures, but not that kind.",
    PhotoProblem.TRUNCATED: "That picture seems damaged or cut short, so I couldn't read it.",
    PhotoProblem.ANIMATED: "I can only read still pictures, not animations.",
    PhotoProblem.TOO_SMALL: "That picture is too small for me to see a face in it.",
    PhotoProblem.NO_FACE: "I couldn't find a face in that photo.",
    PhotoProblem.FACE_TOO_SMALL: "The face in that photo is too small to read its expression.",
    PhotoProblem.UNAVAILABLE: "I can't read photos right now, but I'm still listening.",
}

INTERNAL_ERROR = (
    "Sorry — something went wrong on my side, not yours. Could you say that again in a moment?"
)
EMPTY_MESSAGE = "I'm here whenever you want to talk — what's on your mind?"
LONG_MESSAGE = "That's a long message — my reply is about its first {limit} characters."
UNKNOWN_COMMAND = "I don't know the command {command}. /help lists what I can do."


def photo_note(problem: PhotoProblem, max_bytes: int) -> str:
    return PHOTO_NOTES[problem].format(mb=max(1, max_bytes // (1024 * 1024)))


#: A typed word ("yes", "ok", "no") while the last reply offered choices (/forget's "Are you
#: sure?"): nothing irreversible happens on a typed word; the same choices are offered again.
PICK_A_CHOICE = "Please pick one of the options below — nothing has changed yet."
