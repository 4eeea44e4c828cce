"""The last recording attune could read nothing from, per person, so /why, /heard and /timeline
can say what happened to it instead of "nothing yet".

A voice message or video that gave neither words nor a face is answered with its problem's line
and stored nowhere (``bot.media``): there is no entry to explain. What is kept here is only the
outcome — which kind of recording, when, the problem and how many frames were looked at — never
the recording or anything heard in it; in memory, per running bot, at most ``MAX_PEOPLE``
people (the oldest are dropped), lost on restart and erased by /forget.

The memory hangs off the bot's ``EmotionService`` (a weak key: it goes with the service), since
``bot.media.hear`` — where the outcome is known — is given the service and the message.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from bot.domain import MediaKind, Platform, UserRef
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem

if TYPE_CHECKING:
    from bot.inference import EmotionService

#: People remembered per bot; beyond it the least recently noted are forgotten.
MAX_PEOPLE = 10_000

_VIDEO_WHAT: dict[VideoProblem, str] = {
    VideoProblem.EMPTY: "arrived empty",
    VideoProblem.TOO_LARGE: "was too large for me to watch",
    VideoProblem.TOO_LONG: "was longer than I can watch (3 minutes at most)",
    VideoProblem.TOO_MANY_PIXELS: "had a picture larger than 4K, more than I can read",
    VideoProblem.NOT_VIDEO: "couldn't be opened as a video",
    VideoProblem.TRUNCATED: "seemed damaged or cut short",
    VideoProblem.NO_FACE: "had no face I could see",
    VideoProblem.UNAVAILABLE: "came while I couldn't watch videos",
}

_VOICE_WHAT: dict[VoiceProblem, str] = {
    VoiceProblem.EMPTY: "arrived empty",
    VoiceProblem.TOO_LARGE: "was too large for me to listen to",
    VoiceProblem.TOO_LONG: "was longer than I can listen to (5 minutes at most)",
    VoiceProblem.NOT_AUDIO: "had no sound I could play",
    VoiceProblem.TRUNCATED: "seemed damaged or cut short",
    VoiceProblem.SILENT: "had no words I could hear",
    VoiceProblem.UNCLEAR: "had words I couldn't make out",
    VoiceProblem.UNAVAILABLE: "came while I couldn't listen to voice messages",
}

#: What a faceless video's sound gave, said after its picture's problem.
_VIDEO_SOUND: dict[VoiceProblem, str] = {
    VoiceProblem.SILENT: "no words I could hear",
    VoiceProblem.NOT_AUDIO: "no sound I could play",
    VoiceProblem.UNCLEAR: "words I couldn't make out",
}


@dataclass(frozen=True, slots=True)
class UnreadRecording:
    """A recording that gave nothing to read: its kind, when it came (UTC), and why.

    ``video_problem`` is set for a video (``frames`` is how many frames were looked at, 0 when
    none could be); ``voice_problem`` for a voice message, or for a video's sound.
    """

    kind: MediaKind
    at: datetime
    video_problem: VideoProblem | None = None
    voice_problem: VoiceProblem | None = None
    frames: int = 0

    @property
    def name(self) -> str:
        """ "voice message" or "video"."""
        return "video" if self.kind is MediaKind.VIDEO else "voice message"

    def what_happened(self) -> str:
        """Why nothing was read, after "Your last video (…)": "had no face I could see in its
        38 frames, and no words I could hear"."""
        if self.kind is MediaKind.VOICE:
            return _VOICE_WHAT[self.voice_problem or VoiceProblem.SILENT]
        problem = self.video_problem or VideoProblem.NO_FACE
        said = _VIDEO_WHAT[problem]
        if problem is VideoProblem.NO_FACE and self.frames > 0:
            said += f" in its {self.frames} frame{'' if self.frames == 1 else 's'}"
        sound = _VIDEO_SOUND.get(self.voice_problem) if self.voice_problem else None
        if sound is not None and problem is VideoProblem.NO_FACE:
            said += f", and {sound}"
        return said


@dataclass(slots=True)
class UnreadRecordings:
    """The newest unread recording of each person (by platform and user id), oldest dropped
    first beyond ``limit``."""

    limit: int = MAX_PEOPLE
    _last: OrderedDict[tuple[Platform, str], UnreadRecording] = field(default_factory=OrderedDict)

    def note(self, user: UserRef, recording: UnreadRecording) -> None:
        key = (user.platform, user.user_id)
        self._last[key] = recording
        self._last.move_to_end(key)
        while len(self._last) > self.limit:
            self._last.popitem(last=False)

    def last(self, user: UserRef, since: datetime | None = None) -> UnreadRecording | None:
        """``user``'s last unread recording, if it came after ``since`` (an entry's time: a
        recording read later than it is what counts)."""
        found = self._last.get((user.platform, user.user_id))
        if found is None or (since is not None and found.at <= since):
            return None
        return found

    def forget(self, user: UserRef) -> None:
        self._last.pop((user.platform, user.user_id), None)


_BY_SERVICE: WeakKeyDictionary[EmotionService, UnreadRecordings] = WeakKeyDictionary()


def unread_for(service: EmotionService) -> UnreadRecordings:
    """The unread recordings noted by the bot that reads with ``service``."""
    found = _BY_SERVICE.get(service)
    if found is None:
        found = _BY_SERVICE[service] = UnreadRecordings()
    return found
