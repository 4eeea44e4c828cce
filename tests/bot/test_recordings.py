"""What an entry keeps of its recording, through the core: /why tells how the face changed over
a video, /heard repeats the words heard (never the caption), /timeline draws the frames."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from bot.commands.history import NO_FACE_TIMELINE, NO_RECORDING, NO_VIDEO
from bot.core import Core, CoreOptions
from bot.domain import MAX_TIMELINE_POINTS, MediaKind, Message, MoodEntry, Platform, UserRef
from bot.inference import EmotionService
from bot.media import VIDEO_NOTES, timeline_points
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox
from emotion.text.lexicon import LexiconEstimator
from emotion.video import FramePoint, VideoProblem, VideoReading
from emotion.voice import Transcript, VoiceProblem

SUMMARY = "Over the 8-second video your face went from neutral to happy."


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


def _estimate(label: Emotion, p: float = 0.85) -> EmotionEstimate:
    return EmotionEstimate(tuple(p if e is label else (1 - p) / 6 for e in Emotion), Source.FACE, p)


#: Neutral for 3 s, a frame without a face, then happy.
SMILING = VideoReading(
    estimate=_estimate(Emotion.HAPPY),
    duration_s=8.0,
    frames_sampled=7,
    timeline=(
        *(FramePoint(t, _estimate(Emotion.NEUTRAL, 0.6)) for t in (0.0, 1.0, 2.0)),
        FramePoint(3.0, None),
        *(FramePoint(t, _estimate(Emotion.HAPPY, 0.9)) for t in (4.0, 5.0, 6.0)),
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


def core_with(
    repository: Repository,
    heard: Transcript,
    video: VideoReading = SMILING,
    options: CoreOptions | None = None,
) -> Core:
    service = EmotionService(
        LexiconEstimator(), None, voice=FixedVoice(heard), videos=FixedVideo(video)
    )
    return Core(repository, service, options or CoreOptions(), rng=random.Random(5))


USER = UserRef(Platform.TELEGRAM, "r1", display_name="Rae")
_ids = iter(range(1, 10_000))


def msg(text: str = "") -> Message:
    return Message(USER, "chat-r1", text=text, message_id=f"m{next(_ids)}")


def video(text: str = "") -> Message:
    return replace(msg(text), video=b"\x00\x00\x00\x18ftypmp42...")


def voice(text: str = "") -> Message:
    return replace(msg(text), voice=b"OggS...")


async def last(core: Core) -> MoodEntry:
    record = await core.repository.find_user(USER)
    assert record is not None
    return (await core.repository.recent_entries(record.id, 1))[0]


async def test_why_tells_how_the_face_changed_over_the_last_video(
    repository: Repository,
) -> None:
    core = core_with(repository, Transcript("I got the job", 0.9, 3.0))
    await core.handle(video())
    entry = await last(core)
    assert entry.media_kind is MediaKind.VIDEO and entry.media_summary == SUMMARY
    # Readings only: the words said in the video never reach the summary.
    assert "job" not in entry.media_summary
    why = await core.handle(msg("/why"))
    assert SUMMARY in why.text and why.private
    # A typed message afterwards is explained without the video's sentence.
    await core.handle(msg("a quiet evening at home"))
    assert "video" not in (await core.handle(msg("/why"))).text


async def test_why_says_no_face_was_seen_in_a_faceless_video(repository: Repository) -> None:
    faceless = VideoReading(problem=VideoProblem.NO_FACE, duration_s=5.0)
    core = core_with(repository, Transcript("what a lovely day", 0.9, 2.0), faceless)
    await core.handle(video())
    why = (await core.handle(msg("/why"))).text
    assert "couldn't find a face in the video" in why and "no photo" not in why


async def test_the_video_timeline_is_kept_as_readings(repository: Repository) -> None:
    core = core_with(repository, NO_SOUND)
    await core.handle(video())
    timeline = (await last(core)).media_timeline
    assert timeline is not None
    assert [p.label for p in timeline] == [
        *[Emotion.NEUTRAL] * 3,
        None,
        *[Emotion.HAPPY] * 3,
    ]
    assert [p.at_s for p in timeline] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert timeline[0].confidence == pytest.approx(0.6, abs=1e-3)
    assert timeline[3].confidence == 0.0


def test_a_long_timeline_is_thinned_to_at_most_40_points() -> None:
    frames = tuple(FramePoint(i * 0.1, _estimate(Emotion.SAD)) for i in range(100))
    points = timeline_points(replace(SMILING, timeline=frames))
    assert len(points) == MAX_TIMELINE_POINTS
    assert points[0].at_s == 0.0 and points[-1].at_s > 9.0  # spread over the whole video


async def test_heard_repeats_the_words_of_the_last_recording_not_the_caption(
    repository: Repository,
) -> None:
    core = core_with(repository, Transcript("I am so happy today", 0.9, 2.0))
    await core.handle(voice(text="listen to this"))
    entry = await last(core)
    assert entry.text == "listen to this\nI am so happy today"
    assert entry.media_kind is MediaKind.VOICE
    await core.handle(msg("and now some typed words"))  # not a recording: /heard skips it
    reply = await core.handle(msg("/heard"))
    assert reply.private
    assert reply.text.endswith("I heard: “I am so happy today”")
    assert "voice message" in reply.text and "listen to this" not in reply.text


async def test_heard_after_a_video_without_speech_says_no_words(repository: Repository) -> None:
    core = core_with(repository, NO_SOUND)
    await core.handle(video())
    reply = await core.handle(msg("/heard"))
    assert reply.text.startswith("I couldn't hear any words in your last video")


async def test_heard_keeps_what_survived_shortening(repository: Repository) -> None:
    core = core_with(
        repository,
        Transcript("one two three four five six", 0.9, 2.0),
        options=CoreOptions(max_text_chars=20),
    )
    await core.handle(voice(text="hi"))
    assert (await last(core)).heard_text == "one two three fou"
    assert "I heard: “one two three fou”" in (await core.handle(msg("/heard"))).text


async def test_heard_and_timeline_with_nothing_recorded(repository: Repository) -> None:
    core = core_with(repository, NO_SOUND)
    assert (await core.handle(msg("/heard"))).text == NO_RECORDING
    await core.handle(msg("typed, not said"))
    assert (await core.handle(msg("/heard"))).text == NO_RECORDING
    assert (await core.handle(msg("/timeline"))).text == NO_VIDEO


async def test_timeline_draws_the_last_video_as_a_png(repository: Repository) -> None:
    core = core_with(repository, NO_SOUND)
    await core.handle(video())
    reply = await core.handle(msg("/timeline"))
    assert reply.private and reply.image_png is not None
    assert reply.image_png.startswith(b"\x89PNG\r\n\x1a\n") and len(reply.image_png) > 5_000
    assert reply.text.startswith(SUMMARY)


async def test_timeline_of_a_faceless_video_says_so(repository: Repository) -> None:
    core = core_with(repository, NO_SOUND, VideoReading(problem=VideoProblem.NO_FACE))
    await core.handle(video(text="sunset on the beach"))
    reply = await core.handle(msg("/timeline"))
    assert reply.image_png is None
    assert reply.text.startswith(NO_FACE_TIMELINE.split("(")[0])


async def test_in_a_group_heard_answers_privately(repository: Repository) -> None:
    core = core_with(repository, Transcript("I am so happy today", 0.9, 2.0))
    await core.handle(voice())
    reply = await core.handle(replace(msg("/heard"), chat_id="group-1", is_private_chat=False))
    assert reply.private and "I heard:" in reply.text


async def test_forget_leaves_nothing_to_hear_or_draw(repository: Repository) -> None:
    core = core_with(repository, Transcript("I am so happy today", 0.9, 2.0))
    await core.handle(video())
    await core.handle(msg("/forget confirm"))
    assert (await core.handle(msg("/heard"))).text == NO_RECORDING
    assert (await core.handle(msg("/timeline"))).text == NO_VIDEO


#: A video whose 38 sampled frames showed no face, and whose sound had no words.
FACELESS_38 = VideoReading(problem=VideoProblem.NO_FACE, duration_s=6.0, frames_sampled=38)
SILENT = Transcript(problem=VoiceProblem.SILENT)
UNSURE = Transcript("It's been hoater now, with my noticed crank.", 0.2, 3.0, VoiceProblem.UNCLEAR)


async def test_after_a_faceless_silent_video_the_commands_say_what_happened(
    repository: Repository,
) -> None:
    core = core_with(repository, SILENT, FACELESS_38)
    await core.handle(msg("a calm morning"))  # an older entry: not what /why should explain now
    reply = await core.handle(video())
    assert reply.text == VIDEO_NOTES[VideoProblem.NO_FACE]
    said = "had no face I could see in its 38 frames, and no words I could hear"
    why = await core.handle(msg("/why"))
    assert why.text.startswith("Your last video (") and said in why.text
    assert "calm" not in why.text and "nothing yet" not in why.text
    timeline = await core.handle(msg("/timeline"))
    assert said in timeline.text and "no timeline to draw" in timeline.text
    assert timeline.image_png is None and timeline.private
    heard = await core.handle(msg("/heard"))
    assert said in heard.text and heard.private
    assert (await last(core)).text == "a calm morning"  # still nothing stored of the video


async def test_after_an_unclear_voice_message_heard_and_why_say_so(
    repository: Repository,
) -> None:
    core = core_with(repository, UNSURE)
    await core.handle(video())  # read: a face, and (unsure, so dropped) words
    await core.handle(voice())
    heard = (await core.handle(msg("/heard"))).text
    assert heard.startswith("Your last voice message (")
    assert "had words I couldn't make out" in heard and "hoater" not in heard
    assert "couldn't make out" in (await core.handle(msg("/why"))).text
    # A voice message is no video: /timeline still draws the video before it.
    timeline = await core.handle(msg("/timeline"))
    assert timeline.image_png is not None and timeline.text.startswith(SUMMARY)


@pytest.mark.parametrize("problem", [VoiceProblem.SILENT, VoiceProblem.TOO_LONG])
async def test_heard_after_a_voice_message_without_words_names_its_problem(
    repository: Repository, problem: VoiceProblem
) -> None:
    core = core_with(repository, Transcript(problem=problem))
    await core.handle(voice())
    heard = (await core.handle(msg("/heard"))).text
    expected = {
        VoiceProblem.SILENT: "had no words I could hear",
        VoiceProblem.TOO_LONG: "was longer than I can listen to",
    }[problem]
    assert heard.startswith("Your last voice message (") and expected in heard
    assert heard != NO_RECORDING


async def test_what_is_read_later_is_what_the_commands_show(repository: Repository) -> None:
    core = core_with(repository, SILENT, FACELESS_38)
    await core.handle(video())
    await core.handle(msg("a quiet evening at home"))
    # /why explains the newer typed message; /timeline still tells of the faceless video.
    why = (await core.handle(msg("/why"))).text
    assert "Your last video" not in why
    assert "38 frames" in (await core.handle(msg("/timeline"))).text
    readable = core_with(repository, NO_SOUND)  # the same person, a video with a face now
    await readable.handle(video())
    assert (await readable.handle(msg("/timeline"))).image_png is not None


async def test_forget_also_forgets_the_unread_recording(repository: Repository) -> None:
    core = core_with(repository, SILENT, FACELESS_38)
    await core.handle(video())
    await core.handle(msg("/forget confirm"))
    assert (await core.handle(msg("/why"))).text.startswith("I haven't read anything")
    assert (await core.handle(msg("/heard"))).text == NO_RECORDING
    assert (await core.handle(msg("/timeline"))).text == NO_VIDEO
