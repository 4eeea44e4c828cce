"""Audio attachments (voice messages, audio files) through discord.py, simcord and the real
offline recogniser: the words are read like a typed message, a crisis gets help."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import simcord

from bot.domain import Platform, UserRef
from bot.inference import EmotionService
from bot.media import VOICE_NOTES
from bot.storage.repository import Repository
from emotion.text.lexicon import LexiconEstimator
from emotion.voice import VoiceProblem, VoiceReader
from tests.emotion.voice.speech import espeak_wav, to_ogg_opus
from tests.shared_models import voice_reader

from .conftest import dm_with_files, texts_of
from .test_conversation import bot_messages


@pytest.fixture(scope="module")
def voice() -> VoiceReader:
    loaded = voice_reader()  # loaded once a session (tests/shared_models.py)
    if loaded is None:
        pytest.skip("the voice extra is not installed")
    return loaded


@pytest.fixture()
def emotions(voice: VoiceReader) -> Iterator[EmotionService]:
    service = EmotionService(LexiconEstimator(), None, timeout_s=60, voice=voice)
    yield service
    service.close()


async def test_a_crisis_in_a_voice_attachment_gets_help(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    speech = to_ogg_opus(espeak_wav("I want to end my life"))
    await dm_with_files(simcord_env, alice, "", [("voice-message.ogg", speech)])
    [reply] = bot_messages(alice.dm_channel, simcord_env.bot)
    assert "988" in reply.content or "helpline" in reply.content.lower()
    user = await repository.find_user(UserRef(Platform.DISCORD, str(alice.id)))
    assert user is not None
    [entry] = await repository.recent_entries(user.id, 1)
    assert entry.crisis


async def test_an_audio_file_is_read_with_its_text(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    bob = simcord_env.create_user("bob")
    speech = espeak_wav("I feel so tired and sad today")
    await dm_with_files(simcord_env, bob, "listen", [("note.wav", speech)])
    [stored] = await texts_of(repository, bob.id)
    assert stored.startswith("listen\n") and "sad" in stored.lower()


async def test_a_broken_recording_gets_a_kind_line(simcord_env: simcord.Env) -> None:
    cy = simcord_env.create_user("cy")
    await dm_with_files(simcord_env, cy, "", [("voice.ogg", b"OggS" + b"\x00" * 64)])
    [reply] = bot_messages(cy.dm_channel, simcord_env.bot)
    assert reply.content in {
        VOICE_NOTES[VoiceProblem.NOT_AUDIO],
        VOICE_NOTES[VoiceProblem.TRUNCATED],
    }
