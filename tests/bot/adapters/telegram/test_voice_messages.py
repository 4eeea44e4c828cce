"""Voice messages through the real PTB stack and the real offline recogniser."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.domain import Platform, UserRef
from bot.inference import EmotionService
from bot.media import VOICE_NOTES
from emotion.text.lexicon import LexiconEstimator
from emotion.voice import VoiceProblem
from tests.bot.adapters.telegram.conftest import Harness, start_harness, stop_harness
from tests.emotion.voice.speech import espeak_wav, to_ogg_opus
from tests.shared_models import voice_reader

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def listening(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    voice = voice_reader()  # loaded once a session (tests/shared_models.py)
    if voice is None:
        pytest.skip("the voice extra is not installed")
    emotions = EmotionService(LexiconEstimator(), None, voice=voice)
    running = await start_harness(tmp_path_factory.mktemp("voice") / "attune.db", emotions)
    yield running
    await stop_harness(running)


async def test_a_crisis_in_a_voice_message_gets_help(listening: Harness) -> None:
    fake, ada = listening.fake, listening.user()
    await fake.push_voice(ada, to_ogg_opus(espeak_wav("I want to end my life. I can't go on.")))
    sent = await fake.wait_count(ada.id, 1, within=60)
    assert "988" in sent[0].text or "helpline" in sent[0].text.lower()
    record = await listening.app.repository.get_or_create_user(
        UserRef(Platform.TELEGRAM, str(ada.id))
    )
    (entry,) = await listening.app.repository.recent_entries(record.id, 1)
    assert entry.crisis and "end my life" in entry.text.lower()


async def test_a_voice_message_is_answered_like_words(listening: Harness) -> None:
    fake, bob = listening.fake, listening.user("Bob")
    await fake.push_voice(bob, to_ogg_opus(espeak_wav("I am so happy, I got the job today")))
    sent = await fake.wait_count(bob.id, 1, within=60)
    assert sent[0].text and "can't" not in sent[0].text
    assert (bob.id, "typing") in fake.actions


async def test_a_corrupt_voice_message_gets_a_kind_specific_line(listening: Harness) -> None:
    fake, cy = listening.fake, listening.user("Cy")
    await fake.push_voice(cy, b"OggS\x00\x02" + b"\x00" * 200)
    sent = await fake.wait_count(cy.id, 1, within=60)
    assert sent[0].text in {
        VOICE_NOTES[VoiceProblem.NOT_AUDIO],
        VOICE_NOTES[VoiceProblem.TRUNCATED],
        VOICE_NOTES[VoiceProblem.SILENT],
    }


async def test_a_voice_message_over_the_download_limit_is_not_fetched(
    listening: Harness,
) -> None:
    fake, di = listening.fake, listening.user("Di")
    await fake.push_voice(di, b"OggS", reported_size=50 * 1024 * 1024)
    sent = await fake.wait_count(di.id, 1, within=30)
    assert sent[0].text == VOICE_NOTES[VoiceProblem.TOO_LARGE]


async def test_heard_repeats_the_last_voice_message(listening: Harness) -> None:
    fake, dee = listening.fake, listening.user("Dee")
    await fake.push_voice(dee, to_ogg_opus(espeak_wav("I walked the dog in the park today")))
    await fake.wait_count(dee.id, 1, within=60)
    await fake.push_text(dee, "/heard")
    sent = await fake.wait_count(dee.id, 2, within=30)
    record = await listening.app.repository.get_or_create_user(
        UserRef(Platform.TELEGRAM, str(dee.id))
    )
    (entry,) = await listening.app.repository.recent_entries(record.id, 1)
    # What was heard is what was stored and read (the recogniser's accuracy is tested in
    # tests/emotion/voice): the reply quotes it whole.
    assert "park" in entry.text.lower()
    assert "voice message" in sent[-1].text
    assert sent[-1].text.endswith(f"I heard: “{entry.text}”")
