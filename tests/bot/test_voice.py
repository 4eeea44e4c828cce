"""Voice messages through the core: the transcript is screened and read like typed words."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, UserRef
from bot.inference import EmotionService
from bot.media import HELP_WHEN_UNHEARD, VOICE_NOTES
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.text.lexicon import LexiconEstimator
from emotion.voice import Transcript, VoiceProblem


@dataclass
class FixedVoice:
    """A recogniser that hears what it is told to (the recogniser itself is tested on real
    speech in tests/emotion/voice)."""

    transcript: Transcript

    def transcribe(self, data: bytes) -> Transcript:
        return self.transcript


@pytest.fixture()
async def repository(db_url: str) -> AsyncIterator[Repository]:
    engine = create_engine(db_url)
    yield Repository(session_factory(engine))
    await engine.dispose()


def core_hearing(repository: Repository, transcript: Transcript | None) -> Core:
    voice = FixedVoice(transcript) if transcript is not None else None
    service = EmotionService(LexiconEstimator(), None, voice=voice)
    return Core(repository, service, CoreOptions(), rng=random.Random(3))


def voice_msg(data: bytes = b"OggS...", text: str = "", user: str = "v1") -> Message:
    return Message(
        user=UserRef(Platform.TELEGRAM, user, display_name="Vee"),
        chat_id=f"chat-{user}",
        text=text,
        message_id="m1",
        voice=data,
    )


async def entries(core: Core, user: str = "v1") -> list[object]:
    record = await core.repository.find_user(UserRef(Platform.TELEGRAM, user))
    return [] if record is None else list(await core.repository.recent_entries(record.id, 5))


async def test_a_crisis_said_aloud_gets_the_crisis_reply(repository: Repository) -> None:
    core = core_hearing(repository, Transcript("I want to end my life", 0.9, 3.0))
    reply = await core.handle(voice_msg())
    assert "988" in reply.text or "helpline" in reply.text.lower()
    (entry,) = await entries(core)
    assert entry.crisis and entry.text == "I want to end my life"  # type: ignore[attr-defined]


async def test_an_unsure_crisis_is_still_screened_and_says_what_was_heard(
    repository: Repository,
) -> None:
    core = core_hearing(
        repository, Transcript("i want to kill myself", 0.3, 2.0, VoiceProblem.UNCLEAR)
    )
    reply = await core.handle(voice_msg())
    assert "988" in reply.text or "helpline" in reply.text.lower()
    assert "I heard: “i want to kill myself”" in reply.text


async def test_unsure_words_that_flag_nothing_are_not_taken_for_what_was_said(
    repository: Repository,
) -> None:
    # German speech through the English recogniser: invented English words, low probability.
    heard = Transcript(
        "It's been hoater now, with my noticed crank.", 0.2, 3.0, VoiceProblem.UNCLEAR
    )
    core = core_hearing(repository, heard)
    reply = await core.handle(voice_msg())
    assert "couldn't make out the words" in reply.text
    # Words we could not hear may be a crisis (a German one, say): the way to help stays open,
    # gently — not the crisis reply with its direct question.
    assert HELP_WHEN_UNHEARD in reply.text and "ending your life" not in reply.text
    assert await entries(core) == []  # nothing read, nothing stored
    captioned = await core.handle(voice_msg(text="feeling a bit low today", user="v2"))
    assert "couldn't make out the words" in captioned.text
    (entry,) = await entries(core, "v2")
    assert entry.text == "feeling a bit low today"  # type: ignore[attr-defined]


async def test_the_transcript_is_read_and_stored_as_text(repository: Repository) -> None:
    core = core_hearing(repository, Transcript("I am so happy today", 0.9, 2.0))
    reply = await core.handle(voice_msg(text="caption here"))
    assert reply.text and "I heard" not in reply.text
    (entry,) = await entries(core)
    assert entry.text == "caption here\nI am so happy today"  # type: ignore[attr-defined]
    assert entry.text_probs is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("problem", [VoiceProblem.SILENT, VoiceProblem.TOO_LONG])
async def test_a_recording_without_words_gets_its_line_and_nothing_stored(
    repository: Repository, problem: VoiceProblem
) -> None:
    core = core_hearing(repository, Transcript(problem=problem))
    reply = await core.handle(voice_msg())
    assert reply.text == VOICE_NOTES[problem]
    assert await entries(core) == []


async def test_without_the_voice_extra_voice_gets_the_honest_line(
    repository: Repository,
) -> None:
    core = core_hearing(repository, None)
    reply = await core.handle(voice_msg())
    assert reply.text == VOICE_NOTES[VoiceProblem.UNAVAILABLE]
    with_caption = await core.handle(voice_msg(text="I feel awful", user="v2"))
    assert VOICE_NOTES[VoiceProblem.UNAVAILABLE] in with_caption.text
    assert len(await entries(core, "v2")) == 1
