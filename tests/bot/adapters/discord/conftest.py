"""Fixtures: the real Core on a migrated temp database, driven through real discord.py by
simcord (an in-memory Discord REST API and gateway; no network, no token).

simcord's pytest plugin supplies ``simcord_env`` (the bot logged in and READY) from the
``simcord_bot`` fixture below. The lexicon estimator keeps the text side fast; photos go to
``RecordingReader`` unless a test needs the real face model.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator

import discord
import pytest
import simcord
from PIL import Image, UnidentifiedImageError

from bot.adapters.discord_bot import AttuneBot, attune_intents
from bot.core import Core, CoreOptions
from bot.domain import Platform, UserRef
from bot.inference import EmotionService
from bot.storage.repository import Repository
from emotion.photo import PhotoProblem, PhotoReader, PhotoReading
from emotion.text.lexicon import LexiconEstimator

MAX_IMAGE_BYTES = 64 * 1024


class RecordingReader:
    """A ``PhotoReader`` fake: remembers the bytes it was given and says whether they decode."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    def read(self, data: bytes) -> PhotoReading:
        self.received.append(data)
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except (UnidentifiedImageError, OSError):
            return PhotoReading(problem=PhotoProblem.TRUNCATED)
        return PhotoReading(problem=PhotoProblem.NO_FACE)


@pytest.fixture()
def reader() -> RecordingReader:
    return RecordingReader()


@pytest.fixture()
def photo_reader(reader: RecordingReader) -> PhotoReader | None:
    """Overridden by tests that need the real face model."""
    return reader


@pytest.fixture()
def emotions(photo_reader: PhotoReader | None) -> Iterator[EmotionService]:
    service = EmotionService(LexiconEstimator(), photo_reader, timeout_s=60)
    yield service
    service.close()


@pytest.fixture()
async def core(repository: Repository, emotions: EmotionService) -> AsyncIterator[Core]:
    yield Core(repository, emotions, CoreOptions(max_image_bytes=MAX_IMAGE_BYTES))


def make_bot(core: Core, *, message_content: bool = True, guild_id: int | None = None) -> AttuneBot:
    return AttuneBot(
        core,
        intents=attune_intents(message_content=message_content),
        max_image_bytes=MAX_IMAGE_BYTES,
        guild_id=guild_id,
    )


@pytest.fixture()
def simcord_bot(core: Core) -> AttuneBot:
    return make_bot(core)


async def texts_of(repository: Repository, discord_user_id: int) -> list[str]:
    """What the core stored for one Discord account, oldest first."""
    user = await repository.find_user(UserRef(Platform.DISCORD, str(discord_user_id)))
    if user is None:
        return []
    return [entry.text for entry in reversed(await repository.recent_entries(user.id, 50))]


async def dm_with_files(
    env: simcord.Env, user: simcord.UserHandle, text: str, files: list[tuple[str, bytes]]
) -> discord.Message:
    """A DM with attachments (``send_dm`` takes stored attachment payloads, not bytes)."""
    stored = env.backend.store_attachments(user.dm_channel.id, files)
    return await user.send_dm(text, attachments=stored)
