"""Video notes and videos through the real PTB stack, the real face reader and recogniser."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.domain import MoodEntry, Platform, UserRef
from bot.inference import EmotionService, video_reader_for
from bot.media import VIDEO_NOTES
from emotion.text.lexicon import LexiconEstimator
from emotion.video import VideoProblem
from tests.bot.adapters.telegram.conftest import Harness, start_harness, stop_harness
from tests.bot.adapters.telegram.fake_api import FakeUser
from tests.emotion.video.clips import faceless_video, selfie_video, talking_video
from tests.emotion.voice.speech import espeak_wav
from tests.shared_models import photo_reader, voice_reader

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def watching(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    photos = photo_reader()  # the models are loaded once a session (tests/shared_models.py)
    if photos is None:
        pytest.skip("the face reader did not load; videos not testable")
    emotions = EmotionService(
        LexiconEstimator(),
        photos,
        voice=voice_reader(),
        videos=video_reader_for(photos),
    )
    running = await start_harness(tmp_path_factory.mktemp("video") / "attune.db", emotions)
    yield running
    await stop_harness(running)


async def last_entry(harness: Harness, user: FakeUser) -> MoodEntry | None:
    record = await harness.app.repository.get_or_create_user(
        UserRef(Platform.TELEGRAM, str(user.id))
    )
    entries = await harness.app.repository.recent_entries(record.id, 1)
    return entries[0] if entries else None


async def test_a_video_note_is_read_as_a_face_timeline(watching: Harness) -> None:
    fake, ada = watching.fake, watching.user()
    await fake.push_video_note(ada, selfie_video(seconds=4.0, side=320))
    sent = await fake.wait_count(ada.id, 1, within=60)
    assert "Over the 4-second video your face" in sent[0].text
    assert (ada.id, "typing") in fake.actions
    entry = await last_entry(watching, ada)
    assert entry is not None and entry.face_probs is not None and entry.face_count == 1
    assert entry.media_summary is not None and entry.media_timeline


async def test_why_and_timeline_tell_of_the_last_video_note(watching: Harness) -> None:
    fake, flo = watching.fake, watching.user("Flo")
    await fake.push_video_note(flo, selfie_video(seconds=4.0, side=320))
    await fake.wait_count(flo.id, 1, within=60)
    await fake.push_text(flo, "/why")
    why = (await fake.wait_count(flo.id, 2, within=30))[-1]
    assert "Over the 4-second video your face" in why.text
    await fake.push_text(flo, "/timeline")
    await fake.wait_sent(lambda _: bool(fake.sent_to(flo.id, "sendPhoto")), within=30)
    photo = fake.sent_to(flo.id, "sendPhoto")[0].params["photo"]
    assert isinstance(photo, bytes) and photo.startswith(b"\x89PNG")


async def test_a_crisis_said_in_a_video_note_gets_help(watching: Harness) -> None:
    if voice_reader() is None:
        pytest.skip("the voice extra is not installed")
    fake, bob = watching.fake, watching.user("Bob")
    await fake.push_video_note(bob, talking_video(espeak_wav("I want to end my life")))
    sent = await fake.wait_count(bob.id, 1, within=60)
    assert "988" in sent[0].text or "helpline" in sent[0].text.lower()
    entry = await last_entry(watching, bob)
    assert entry is not None and entry.crisis


async def test_a_video_caption_is_read_and_a_faceless_video_says_so(watching: Harness) -> None:
    fake, cy = watching.fake, watching.user("Cy")
    await fake.push_video_note(cy, faceless_video(), kind="video", caption="view from my walk")
    sent = await fake.wait_count(cy.id, 1, within=60)
    assert VIDEO_NOTES[VideoProblem.NO_FACE] in sent[0].text
    entry = await last_entry(watching, cy)
    assert entry is not None and entry.text == "view from my walk" and entry.face_probs is None


async def test_corrupt_and_oversized_videos_get_kind_lines(watching: Harness) -> None:
    fake, di, ed = watching.fake, watching.user("Di"), watching.user("Ed")
    await fake.push_video_note(di, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    sent = await fake.wait_count(di.id, 1, within=60)
    assert sent[0].text in {
        VIDEO_NOTES[VideoProblem.NOT_VIDEO],
        VIDEO_NOTES[VideoProblem.TRUNCATED],
    }
    await fake.push_video_note(ed, b"x", reported_size=60 * 1024 * 1024)
    sent = await fake.wait_count(ed.id, 1, within=30)
    assert sent[0].text == VIDEO_NOTES[VideoProblem.TOO_LARGE]
    assert await last_entry(watching, di) is None
