"""Video attachments through discord.py, simcord and the real face reader."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import simcord

from bot.domain import Platform, UserRef
from bot.inference import EmotionService, video_reader_for
from bot.media import VIDEO_NOTES
from bot.storage.repository import Repository
from emotion.photo import PhotoReader
from emotion.text.lexicon import LexiconEstimator
from emotion.video import VideoProblem
from tests.emotion.video.clips import selfie_video
from tests.shared_models import photo_reader

from .conftest import dm_with_files
from .test_conversation import bot_messages


@pytest.fixture(scope="module")
def real_photos() -> PhotoReader:
    loaded = photo_reader()  # loaded once a session (tests/shared_models.py)
    if loaded is None:
        pytest.skip("the face reader did not load")
    return loaded


@pytest.fixture()
def emotions(real_photos: PhotoReader) -> Iterator[EmotionService]:
    service = EmotionService(
        LexiconEstimator(), real_photos, timeout_s=60, videos=video_reader_for(real_photos)
    )
    yield service
    service.close()


async def test_a_video_with_text_is_read_together(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    clip = selfie_video(seconds=3.0, side=320)
    await dm_with_files(simcord_env, alice, "me after the run", [("clip.mp4", clip)])
    [reply] = bot_messages(alice.dm_channel, simcord_env.bot)
    assert "Over the 3-second video your face" in reply.content
    user = await repository.find_user(UserRef(Platform.DISCORD, str(alice.id)))
    assert user is not None
    [entry] = await repository.recent_entries(user.id, 1)
    assert entry.text == "me after the run" and entry.face_probs is not None


async def test_a_broken_video_gets_a_kind_line(simcord_env: simcord.Env) -> None:
    bob = simcord_env.create_user("bob")
    await dm_with_files(simcord_env, bob, "", [("clip.mp4", b"\x00\x00\x00\x18ftypmp42")])
    [reply] = bot_messages(bob.dm_channel, simcord_env.bot)
    assert reply.content in {
        VIDEO_NOTES[VideoProblem.NOT_VIDEO],
        VIDEO_NOTES[VideoProblem.TRUNCATED],
    }
