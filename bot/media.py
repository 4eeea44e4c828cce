"""Voice and video before the core reads a message: what was heard becomes text, what was seen
becomes a face reading.

The core calls ``hear`` first thing, so a transcript goes through exactly what typed words go
through — above all the crisis screen: a crisis said aloud is caught like one written down,
even when the recogniser is unsure of the words. An unsure transcript (noise, an accent, or
speech in a language the English-only recogniser turns into invented English words) is not
taken for what the person said: it is screened by the crisis rules alone (a learned classifier
reads crisis into invented words) and only a flagged one is answered, saying what was heard;
otherwise the person is asked to write instead. Recordings that give no words get a kind,
specific line and nothing is stored (only what happened is remembered, in memory, so /why,
/heard and /timeline can say it: ``bot.unread``). The transcript is never logged.

A video is read twice: its frames by the video reader (a face timeline summarised into one face
reading that fusion uses like a photo's, and a sentence saying how the face changed) and its
sound by the recogniser (a video selfie is often someone talking). A video without a face or
without sound is fine as long as one of the two gives something.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.domain import MAX_TIMELINE_POINTS, MediaKind, Message, Reply, TimelinePoint
from bot.inference import EmotionService
from bot.unread import UnreadRecording, unread_for
from emotion.photo import PhotoReading
from emotion.video import VideoProblem, VideoReading
from emotion.voice import Transcript, VoiceProblem
from responses import safety

#: Beside every "I couldn't hear the words" reply: words we could not hear may be a crisis (a
#: German, French or Spanish voice message, a very quiet one, one over the length limit), so
#: the way to help is always left open. The link lists free lines for every country.
HELP_WHEN_UNHEARD = (
    "If you're going through something hard right now, please tell me in writing. If you "
    "might be in danger, call your local emergency number; free, confidential helplines for "
    "every country are at https://findahelpline.com"
)

VOICE_NOTES: dict[VoiceProblem, str] = {
    VoiceProblem.EMPTY: "That voice message arrived empty, so there was nothing to hear.",
    VoiceProblem.TOO_LARGE: "That recording is too large for me to listen to.",
    VoiceProblem.TOO_LONG: (
        "That recording is longer than I can listen to (5 minutes at most) — could you send a "
        "shorter one, or tell me in words? " + HELP_WHEN_UNHEARD
    ),
    VoiceProblem.NOT_AUDIO: "I couldn't find any sound in that file that I can play.",
    VoiceProblem.TRUNCATED: (
        "That recording seems damaged or cut short, so I couldn't hear it. " + HELP_WHEN_UNHEARD
    ),
    VoiceProblem.SILENT: (
        "I couldn't hear any words in that recording — could you try again? " + HELP_WHEN_UNHEARD
    ),
    VoiceProblem.UNCLEAR: (
        "I couldn't make out the words, sorry — I understand English voice messages best. "
        "Could you tell me in writing? " + HELP_WHEN_UNHEARD
    ),
    VoiceProblem.UNAVAILABLE: (
        "I can't listen to voice messages right now — could you tell me in words? I'm listening."
    ),
}

VIDEO_NOTES: dict[VideoProblem, str] = {
    VideoProblem.EMPTY: "That video arrived empty, so there was nothing to watch.",
    VideoProblem.TOO_LARGE: "That video is too large for me to watch — a short clip works best.",
    VideoProblem.TOO_LONG: (
        "That video is longer than I can watch (3 minutes at most) — a short clip or a few "
        "words work best."
    ),
    VideoProblem.TOO_MANY_PIXELS: "That video's picture is larger than 4K, more than I can read.",
    VideoProblem.NOT_VIDEO: "I couldn't open that as a video — it may be a format I can't play.",
    VideoProblem.TRUNCATED: "That video seems damaged or cut short, so I couldn't watch it.",
    VideoProblem.NO_FACE: "I couldn't see a face in that video.",
    VideoProblem.UNAVAILABLE: "I can't watch videos right now — could you tell me in words?",
}

#: Said beside the reply when the words were heard but not surely (noise, accent, language).
UNSURE_HEARD = (
    "I'm not sure I caught every word — I heard: “{text}”. If that's not right, you could type it."
)


@dataclass(frozen=True, slots=True)
class Heard:
    """``message`` with its recording replaced by the words heard in it; or ``reply`` to send
    instead of reading it (nothing could be heard and nothing was written); ``note`` to add."""

    message: Message
    reply: Reply | None = None
    note: str | None = None
    #: A video's face timeline as a photo reading, for fusion (None: no video, or no face).
    reading: PhotoReading | None = None
    #: The recording the message carried (None: none), kept with the entry for /heard.
    kind: MediaKind | None = None
    #: The words heard in it (None: none), which end ``message.text`` (after any caption).
    transcript: str | None = None
    #: A video's timeline in one sentence, from its readings only (for /why).
    summary: str | None = None
    #: A video's per-frame readings (for /timeline); None without a face.
    timeline: tuple[TimelinePoint, ...] | None = None


async def hear(emotions: EmotionService, message: Message) -> Heard:
    """Transcribe the message's voice recording, if any, into its text; read its video."""
    if message.video is not None or message.video_problem is not None:
        return await _watch(emotions, message)
    if message.voice is None and message.voice_problem is None:
        return Heard(message)
    if message.voice is not None:
        transcript = await emotions.transcribe(message.voice)
    else:
        transcript = Transcript(problem=message.voice_problem)
    without_audio = replace(message, voice=None, voice_problem=None)
    if transcript.text and not _trusted(transcript):
        transcript = Transcript(problem=VoiceProblem.UNCLEAR)
    if transcript.text:
        text = "\n".join(part for part in (message.text.strip(), transcript.text) if part)
        note = None
        if transcript.problem is VoiceProblem.UNCLEAR:
            note = UNSURE_HEARD.format(text=_short(transcript.text))
        return Heard(
            replace(without_audio, text=text),
            note=note,
            kind=MediaKind.VOICE,
            transcript=transcript.text,
        )
    problem = transcript.problem or VoiceProblem.SILENT
    line = VOICE_NOTES[problem]
    if message.text.strip():  # a caption was written: read that, and say why the voice was not
        return Heard(without_audio, note=line, kind=MediaKind.VOICE)
    # Nothing is stored: remember what happened, so /why and /heard can say (bot.unread).
    missed = UnreadRecording(MediaKind.VOICE, datetime.now(UTC), voice_problem=problem)
    unread_for(emotions).note(message.user, missed)
    return Heard(without_audio, reply=Reply(line))


async def _watch(emotions: EmotionService, message: Message) -> Heard:
    without_video = replace(message, video=None, video_problem=None)
    if message.video is None:
        seen = VideoReading(problem=message.video_problem)
        transcript = Transcript(problem=VoiceProblem.NOT_AUDIO)
    else:
        seen = await emotions.read_video(message.video)
        transcript = Transcript(problem=VoiceProblem.UNAVAILABLE)
        if emotions.reads_voice and seen.problem not in _UNREADABLE:
            transcript = await emotions.transcribe(message.video)
    if transcript.text and not _trusted(transcript):
        transcript = Transcript(problem=VoiceProblem.UNCLEAR)
    text = "\n".join(p for p in (message.text.strip(), transcript.text) if p)
    notes = []
    if seen.estimate is not None:
        notes.append(seen.describe() or "")
    elif transcript.text and seen.problem in _NO_PICTURE:
        notes.append(SOUND_ONLY)  # an audio file sent as a video: heard, nothing to see
    elif text:  # no face to read, but words: answer those and say why the face was not read
        notes.append(VIDEO_NOTES[seen.problem or VideoProblem.NO_FACE])
    if transcript.text and transcript.problem is VoiceProblem.UNCLEAR:
        notes.append(UNSURE_HEARD.format(text=_short(transcript.text)))
    elif transcript.problem is VoiceProblem.UNCLEAR and seen.estimate is not None:
        notes.append(VOICE_NOTES[VoiceProblem.UNCLEAR])  # the face was read, the words were not
    if seen.estimate is None and not text:
        problem = seen.problem or VideoProblem.NO_FACE
        missed = UnreadRecording(
            MediaKind.VIDEO,
            datetime.now(UTC),
            video_problem=problem,
            voice_problem=transcript.problem,
            frames=seen.frames_sampled,
        )
        unread_for(emotions).note(message.user, missed)  # nothing is stored (bot.unread)
        return Heard(without_video, reply=Reply(VIDEO_NOTES[problem]))
    reading = seen.photo_reading() if seen.estimate is not None else None
    note = " ".join(n for n in notes if n) or None
    return Heard(
        replace(without_video, text=text),
        note=note,
        reading=reading,
        kind=MediaKind.VIDEO,
        transcript=transcript.text or None,
        summary=seen.describe(),
        timeline=timeline_points(seen) if seen.estimate is not None else None,
    )


def _trusted(transcript: Transcript) -> bool:
    """Whether the words heard may be read as what the person said: a sure transcript, or an
    unsure one the crisis rules flag (a crisis said aloud is answered even when unsure)."""
    if transcript.problem is not VoiceProblem.UNCLEAR:
        return True
    return safety.screen(transcript.text).flagged


def timeline_points(
    seen: VideoReading, limit: int = MAX_TIMELINE_POINTS
) -> tuple[TimelinePoint, ...]:
    """A video's sampled frames as kept with its entry: time, top emotion and its probability
    (label None and confidence 0 for a frame without a readable face); at most ``limit``
    points, spread evenly over the timeline when it has more."""
    frames = seen.timeline
    if len(frames) > limit:
        step = len(frames) / limit
        frames = tuple(frames[int(i * step)] for i in range(limit))
    return tuple(
        TimelinePoint(p.at_s, p.estimate.top, p.estimate.top_probability)
        if p.estimate is not None
        else TimelinePoint(p.at_s, None, 0.0)
        for p in frames
    )


#: Video problems that mean there was no picture to play (the sound may still be there).
_NO_PICTURE = frozenset({VideoProblem.NOT_VIDEO, VideoProblem.TRUNCATED})
SOUND_ONLY = "(There was no picture I could play in that video, so I only listened to it.)"

#: Video problems that mean the file itself could not be read: no sound to try either.
_UNREADABLE = frozenset({VideoProblem.EMPTY, VideoProblem.TOO_LARGE, VideoProblem.TOO_LONG})


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
