"""Voice (and other timed media) before the core reads a message: what was heard becomes text.

The core calls ``hear`` first thing, so a transcript goes through exactly what typed words go
through — above all the crisis screen: a crisis said aloud is caught like one written down,
even when the recogniser is unsure of the words (an unsure transcript is still screened; the
reply then says what was heard). Recordings that give no words get a kind, specific line and
nothing is stored. The transcript is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain import Message, Reply
from bot.inference import EmotionService
from emotion.voice import Transcript, VoiceProblem

VOICE_NOTES: dict[VoiceProblem, str] = {
    VoiceProblem.EMPTY: "That voice message arrived empty, so there was nothing to hear.",
    VoiceProblem.TOO_LARGE: "That recording is too large for me to listen to.",
    VoiceProblem.TOO_LONG: (
        "That recording is longer than I can listen to (5 minutes at most) — could you send a "
        "shorter one, or tell me in words?"
    ),
    VoiceProblem.NOT_AUDIO: "I couldn't find any sound in that file that I can play.",
    VoiceProblem.TRUNCATED: "That recording seems damaged or cut short, so I couldn't hear it.",
    VoiceProblem.SILENT: "I couldn't hear any words in that recording — could you try again?",
    VoiceProblem.UNCLEAR: (
        "I couldn't make out the words, sorry — I understand English voice messages best. "
        "Could you tell me in writing?"
    ),
    VoiceProblem.UNAVAILABLE: (
        "I can't listen to voice messages right now — could you tell me in words? I'm listening."
    ),
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


async def hear(emotions: EmotionService, message: Message) -> Heard:
    """Transcribe the message's voice recording, if any, into its text."""
    if message.voice is None and message.voice_problem is None:
        return Heard(message)
    if message.voice is not None:
        transcript = await emotions.transcribe(message.voice)
    else:
        transcript = Transcript(problem=message.voice_problem)
    without_audio = replace(message, voice=None, voice_problem=None)
    if transcript.text:
        text = "\n".join(part for part in (message.text.strip(), transcript.text) if part)
        note = None
        if transcript.problem is VoiceProblem.UNCLEAR:
            note = UNSURE_HEARD.format(text=_short(transcript.text))
        return Heard(replace(without_audio, text=text), note=note)
    problem = transcript.problem or VoiceProblem.SILENT
    line = VOICE_NOTES[problem]
    if message.text.strip():  # a caption was written: read that, and say why the voice was not
        return Heard(without_audio, note=line)
    return Heard(without_audio, reply=Reply(line))


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
