"""Photos and other files: the selfie is read with the text, other files get one line, a
corrupt or oversized image is answered kindly, and the typing indicator shows meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import simcord
from matplotlib import cbook

from bot.core import Core
from bot.domain import Platform, UserRef
from bot.phrases import photo_note
from bot.storage.repository import Repository
from emotion.photo import PhotoProblem, PhotoReader

from .conftest import MAX_IMAGE_BYTES, RecordingReader, dm_with_files, texts_of
from .test_conversation import bot_messages

SELFIE = Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


@pytest.fixture(scope="module")
def selfie() -> bytes:
    return SELFIE.read_bytes()


def typing_calls(env: simcord.Env) -> int:
    return sum(1 for r in env.http_requests if r.method == "POST" and r.path.endswith("/typing"))


async def test_a_photo_with_text_is_read_together_and_typing_shows(
    simcord_env: simcord.Env, selfie: bytes, reader: RecordingReader, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    data = selfie
    await dm_with_files(simcord_env, alice, "this is me today", [("me.jpg", data)])

    assert reader.received == [data]
    assert typing_calls(simcord_env) >= 1
    user = await repository.find_user(UserRef(Platform.DISCORD, str(alice.id)))
    assert user is not None
    [entry] = await repository.recent_entries(user.id, 5)
    assert entry.text == "this is me today" and entry.text_probs is not None
    assert len(bot_messages(alice.dm_channel, simcord_env.bot)) == 1


async def test_an_untyped_file_is_recognised_as_a_photo_by_its_bytes(
    simcord_env: simcord.Env, selfie: bytes, reader: RecordingReader
) -> None:
    alice = simcord_env.create_user("alice")
    data = selfie
    await dm_with_files(simcord_env, alice, "", [("IMG_0001", data)])
    assert reader.received == [data]


async def test_a_non_image_attachment_gets_one_short_line(
    simcord_env: simcord.Env, reader: RecordingReader, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    await dm_with_files(simcord_env, alice, "here are my notes", [("notes.pdf", b"%PDF-1.7 ...")])
    await dm_with_files(simcord_env, alice, "", [("diary.txt", b"dear diary")])

    replies = bot_messages(alice.dm_channel, simcord_env.bot)
    assert len(replies) == 2
    assert "notes.pdf" in replies[0].content and "diary.txt" in replies[1].content
    assert replies[1].content.count("\n") == 0  # just the one line
    assert reader.received == []
    assert await texts_of(repository, alice.id) == ["here are my notes"]


async def test_a_corrupt_image_is_answered_not_fatal(
    simcord_env: simcord.Env, selfie: bytes, reader: RecordingReader, core: Core
) -> None:
    alice = simcord_env.create_user("alice")
    broken = selfie[:300]
    await dm_with_files(simcord_env, alice, "does this work?", [("me.jpg", broken)])

    assert reader.received == [broken]
    [reply] = bot_messages(alice.dm_channel, simcord_env.bot)
    assert photo_note(PhotoProblem.TRUNCATED, core.options.max_image_bytes) in reply.content


async def test_an_image_over_the_limit_is_not_downloaded(
    simcord_env: simcord.Env, reader: RecordingReader, repository: Repository, core: Core
) -> None:
    alice = simcord_env.create_user("alice")
    big = b"\xff\xd8\xff" + b"\0" * MAX_IMAGE_BYTES
    await dm_with_files(simcord_env, alice, "a big one", [("big.jpg", big)])

    assert reader.received == []
    [reply] = bot_messages(alice.dm_channel, simcord_env.bot)
    assert photo_note(PhotoProblem.TOO_LARGE, core.options.max_image_bytes) in reply.content
    assert await texts_of(repository, alice.id) == ["a big one"]


class TestRealFaceReader:
    """The selfie through the real face model (committed; failing to load fails the test)."""

    @pytest.fixture()
    def photo_reader(self) -> Iterator[PhotoReader | None]:
        from tests.shared_models import face_reader

        yield face_reader()  # loaded once a session (tests/shared_models.py)

    async def test_grace_hopper_selfie(
        self, simcord_env: simcord.Env, selfie: bytes, repository: Repository
    ) -> None:
        alice = simcord_env.create_user("alice")
        await dm_with_files(simcord_env, alice, "feeling proud of my work", [("grace.jpg", selfie)])

        user = await repository.find_user(UserRef(Platform.DISCORD, str(alice.id)))
        assert user is not None
        [entry] = await repository.recent_entries(user.id, 5)
        assert entry.face_count >= 1 and entry.face_probs is not None
        assert entry.text_probs is not None
        assert len(bot_messages(alice.dm_channel, simcord_env.bot)) == 1


async def test_a_refused_typing_indicator_does_not_stop_the_reply(
    simcord_env: simcord.Env, selfie: bytes, reader: RecordingReader
) -> None:
    alice = simcord_env.create_user("alice")
    simcord_env.inject_error("POST", f"/channels/{alice.dm_channel.id}/typing", status=403)
    await dm_with_files(simcord_env, alice, "me again", [("me.jpg", selfie)])
    assert reader.received == [selfie]
    assert len(bot_messages(alice.dm_channel, simcord_env.bot)) == 1
