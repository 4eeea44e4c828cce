"""Videos through the core with fake readers: what is seen, heard, both or neither."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.core import Core, CoreOptions
from bot.domain import Message, MoodEntry, Platform, UserRef
from bot.inference import EmotionService
from bot.media import SOUND_ONLY, VIDEO_NOTES
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox
from emotion.text.lexicon import LexiconEstimator
from emotion.video import FramePoint, VideoProblem, VideoReading
from emotion.voice import Transcript, VoiceProblem


@dataclass
class FixedVoice:
    transcript: Transcript

    def transcribe(self, data: bytes) -> Transcript:
        return self.transcript


@dataclass
class FixedVideo:
    reading: VideoReading

    def read(self, data: bytes) -> VideoReading:
        return self.reading


def _estimate(label: Emotion) -> EmotionEstimate:
    return EmotionEstimate(
        tuple(0.85 if e is label else 0.15 / 6 for e in Emotion), Source.FACE, 0.85
    )


SMILING = VideoReading(
    estimate=_estimate(Emotion.HAPPY),
    duration_s=8.0,
    frames_sampled=6,
    timeline=tuple(
        FramePoint(t, _estimate(Emotion.NEUTRAL if t < 3 else Emotion.HAPPY)) for t in range(6)
    ),
    face=FaceBox(10, 10, 200, 200, 0.9),
    frame_size=(640, 640),
)
NO_SOUND = Transcript(problem=VoiceProblem.NOT_AUDIO)


@pytest.fixture()
async def repository(db_url: str) -> AsyncIterator[Repository]:
    engine = create_engine(db_url)
    yield Repository(session_factory(engine))
    await engine.dispose()


def core_with(repository: Repository, video: VideoReading, heard: Transcript) -> Core:
    service = EmotionService(
        LexiconEstimator(), None, voice=FixedVoice(heard), videos=FixedVideo(video)
    )
    return Core(repository, service, CoreOptions(), rng=random.Random(5))


def video_msg(text: str = "", user: str = "w1") -> Message:
    return Message(
        user=UserRef(Platform.TELEGRAM, user, display_name="Wes"),
        chat_id=f"chat-{user}",
        text=text,
        message_id="v1",
        video=b"\x00\x00\x00\x18ftypmp42...",
    )


async def stored(core: Core, user: str = "w1") -> list[MoodEntry]:
    record = await core.repository.find_user(UserRef(Platform.TELEGRAM, user))
    return [] if record is None else await core.repository.recent_entries(record.id, 5)


async def test_a_silent_video_selfie_is_read_by_its_face(repository: Repository) -> None:
    core = core_with(repository, SMILING, NO_SOUND)
    reply = await core.handle(video_msg())
    assert reply.text.startswith("Over the 8-second video your face went from neutral to happy.")
    [entry] = await stored(core)
    assert entry.face_probs is not None and entry.face_count == 1 and entry.text == ""
    assert entry.fused_label is Emotion.HAPPY


async def test_face_and_words_and_caption_are_all_read(repository: Repository) -> None:
    core = core_with(repository, SMILING, Transcript("I got the job", 0.9, 3.0))
    await core.handle(video_msg(text="news!"))
    [entry] = await stored(core)
    assert entry.text == "news!\nI got the job" and entry.face_probs is not None


async def test_a_crisis_said_in_a_faceless_video_gets_help(repository: Repository) -> None:
    faceless = VideoReading(problem=VideoProblem.NO_FACE, duration_s=5.0)
    core = core_with(repository, faceless, Transcript("I want to kill myself", 0.8, 3.0))
    reply = await core.handle(video_msg())
    assert "988" in reply.text or "helpline" in reply.text.lower()
    [entry] = await stored(core)
    assert entry.crisis and entry.face_probs is None


async def test_an_audio_file_sent_as_a_video_is_listened_to(repository: Repository) -> None:
    pictureless = VideoReading(problem=VideoProblem.NOT_VIDEO)
    core = core_with(repository, pictureless, Transcript("what a lovely day", 0.9, 2.0))
    reply = await core.handle(video_msg())
    assert SOUND_ONLY in reply.text
    [entry] = await stored(core)
    assert entry.text == "what a lovely day"


@pytest.mark.parametrize(
    "problem", [VideoProblem.NOT_VIDEO, VideoProblem.TOO_LONG, VideoProblem.NO_FACE]
)
async def test_nothing_seen_or_heard_gets_the_problems_line_and_nothing_stored(
    repository: Repository, problem: VideoProblem
) -> None:
    core = core_with(repository, VideoReading(problem=problem), NO_SOUND)
    reply = await core.handle(video_msg())
    assert reply.text == VIDEO_NOTES[problem]
    assert await stored(core) == []


async def test_a_faceless_video_with_a_caption_reads_the_caption(repository: Repository) -> None:
    core = core_with(repository, VideoReading(problem=VideoProblem.NO_FACE), NO_SOUND)
    reply = await core.handle(video_msg(text="sunset on the beach, feeling calm"))
    assert VIDEO_NOTES[VideoProblem.NO_FACE] in reply.text
    [entry] = await stored(core)
    assert entry.text == "sunset on the beach, feeling calm" and entry.face_probs is None
