"""Photos read by the real face reader, end to end: a selfie with a caption, a corrupt photo."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.domain import MoodEntry, Platform, UserRef
from bot.inference import EmotionService
from emotion.text.lexicon import LexiconEstimator
from tests.bot.adapters.telegram.conftest import Harness, start_harness, stop_harness
from tests.bot.adapters.telegram.fake_api import FakeUser
from tests.shared_models import face_reader

pytestmark = pytest.mark.asyncio(loop_scope="module")


def grace_hopper() -> bytes:
    import matplotlib.cbook

    return Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).read_bytes()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def reading(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    # The committed face model must load: a reader that fails fails these tests (it used to
    # skip them, so a broken model passed), with the loader's own error. Loaded once a
    # session (tests/shared_models.py).
    reader = face_reader()
    emotions = EmotionService(LexiconEstimator(), reader)
    running = await start_harness(tmp_path_factory.mktemp("selfie") / "attune.db", emotions)
    yield running
    await stop_harness(running)


async def last_entry(harness: Harness, user: FakeUser) -> MoodEntry:
    record = await harness.app.repository.get_or_create_user(
        UserRef(Platform.TELEGRAM, str(user.id))
    )
    entries = await harness.app.repository.recent_entries(record.id, 1)
    assert entries, "nothing was stored"
    return entries[0]


async def test_a_selfie_with_a_caption_is_read(reading: Harness) -> None:
    fake, ada = reading.fake, reading.user()
    await fake.push_photo(ada, grace_hopper(), "first day at the new lab", size=(512, 600))
    sent = await fake.wait_count(ada.id, 1, within=30)
    assert sent[0].text
    assert (ada.id, "typing") in fake.actions
    entry = await last_entry(reading, ada)
    assert entry.face_probs is not None and entry.face_count >= 1
    assert entry.text == "first day at the new lab" and entry.text_probs is not None


async def test_a_corrupt_photo_gets_a_kind_answer_and_no_face_reading(reading: Harness) -> None:
    fake, bob = reading.fake, reading.user("Bob")
    await fake.push_photo(bob, b"\xff\xd8\xff\xe0\x00\x10JFIF broken", "is this me?")
    sent = await fake.wait_count(bob.id, 1, within=30)
    assert sent[0].text
    entry = await last_entry(reading, bob)
    assert entry.face_probs is None and entry.face_count == 0
