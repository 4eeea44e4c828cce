"""Rendering core replies the core does not produce yet: long text, pictures, files; start-up
with a bad token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.telegram import TelegramAdapter
from bot.domain import Attachment, Choice, Message, Platform, Reply, UserRef
from tests.bot.adapters.telegram.conftest import Harness, telegram_settings
from tests.bot.adapters.telegram.fake_api import FakeTelegram, FakeUser

pytestmark = pytest.mark.asyncio(loop_scope="module")


def message_from(user: FakeUser) -> Message:
    return Message(UserRef(Platform.TELEGRAM, str(user.id)), str(user.id), "hi", "1")


async def test_long_text_is_split_and_buttons_go_on_the_last_part(harness: Harness) -> None:
    fake, ada = harness.fake, harness.user()
    text = ("A sentence about feelings. " * 300).strip()  # ~8100 characters
    reply = Reply(text, choices=(Choice("Yes", "/forget confirm"), Choice("No", "/forget cancel")))
    await harness.adapter.render(reply, message_from(ada), None)
    sent = fake.sent_to(ada.id)
    assert len(sent) == 2 and all(len(s.text) <= 4096 for s in sent)
    assert " ".join(s.text for s in sent) == text
    assert not sent[0].buttons and len(sent[1].buttons) == 2


async def test_pictures_and_files_are_sent_as_photo_and_documents(harness: Harness) -> None:
    fake, bob = harness.fake, harness.user("Bob")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    reply = Reply(
        "Your week:", image_png=png, files=(Attachment("mood.csv", b"day,mood\n", "text/csv"),)
    )
    await harness.adapter.render(reply, message_from(bob), None)
    methods = [s.method for s in fake.sent_to(bob.id)]
    # Files first: the words about them go out only once the files were accepted.
    assert methods == ["sendDocument", "sendMessage", "sendPhoto"]
    photo = fake.sent_to(bob.id, "sendPhoto")[0].params["photo"]
    assert photo == png


async def test_check_ins_reach_private_chats_through_the_notifier(harness: Harness) -> None:
    fake, cat, group = harness.fake, harness.user("Cat"), harness.group()
    notifier = harness.app.notifiers.get(Platform.TELEGRAM)
    assert notifier is harness.adapter
    await notifier.send(str(cat.id), Reply("How are you feeling today?"))
    assert [s.text for s in fake.sent_to(cat.id)] == ["How are you feeling today?"]
    with pytest.raises(ValueError, match="private"):
        await notifier.send(str(group.id), Reply("your mood this week", private=True))
    assert fake.sent_to(group.id) == []


async def test_a_bad_token_fails_start_with_one_clear_line(tmp_path: Path) -> None:
    fake = FakeTelegram("some-other-token:xyz")
    await fake.start()
    try:
        settings = await telegram_settings(fake, tmp_path / "attune.db")
        from bot.app import build_app
        from bot.inference import EmotionService
        from emotion.text.lexicon import LexiconEstimator

        app = build_app(settings, EmotionService(LexiconEstimator(), None))
        adapter = TelegramAdapter(app.core, settings)
        with pytest.raises(RuntimeError, match="ATTUNE_TELEGRAM_TOKEN"):
            await adapter.start()
        await app.close()
    finally:
        await fake.stop()
