"""Inbox and outbox across a restart, in-process: what a previous process stored is finished."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot import outbox
from bot.domain import Attachment, Platform, Reply
from bot.storage.engine import create_engine, session_factory
from bot.storage.mailbox import Mailbox, NewOutbound
from tests.bot.adapters.telegram.conftest import start_harness, stop_harness, telegram_settings
from tests.bot.adapters.telegram.fake_api import FakeTelegram, FakeUser

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def _left_behind(db: Path, fake: FakeTelegram, ada: FakeUser, bob: FakeUser) -> None:
    """What a killed process leaves: one reply not sent, one update not answered."""
    await telegram_settings(fake, db)  # migrates
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    box = Mailbox(session_factory(engine), Platform.TELEGRAM)
    reply = Reply("Here is your file.", files=(Attachment("a.csv", b"x,y\n", "text/csv"),))
    to = {"chat": str(ada.id), "user": str(ada.id), "private_chat": True, "reply_to": None}
    await box.answered([], [NewOutbound(str(ada.id), str(ada.id), outbox.encode(reply, to))])
    update = fake.build_text_update(bob, "I passed my driving test today!")
    message_id = str(update["message"]["message_id"])
    assert await box.receive(str(bob.id), message_id, str(bob.id), json.dumps(update))
    await engine.dispose()


async def test_a_restart_sends_the_stored_replies_and_answers_the_stored_updates(
    tmp_path: Path,
) -> None:
    db = tmp_path / "attune.db"
    ada, bob = FakeUser(31), FakeUser(32, "Bob")
    setup = FakeTelegram("123456789:AAtest-token-never-in-logs-0123456789")
    await _left_behind(db, setup, ada, bob)
    harness = await start_harness(db)
    try:
        fake = harness.fake
        sent = await fake.wait_count(ada.id, 2)
        assert [s.method for s in sent] == ["sendDocument", "sendMessage"]
        assert (await fake.wait_count(bob.id, 1))[0].text
        await harness.quiet()
        assert len(fake.sent_to(bob.id)) == 1
        box = harness.adapter.mailbox
        assert await box.pending() == [] and await box.outbound() == []
    finally:
        await stop_harness(harness)


@pytest.mark.allow_error_logs  # the one line is an ERROR, by design
async def test_a_reply_refused_for_good_leaves_the_outbox_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    harness = await start_harness(tmp_path / "attune.db")
    try:
        fake, cat = harness.fake, harness.user("Cat")
        fake.blocked_users.add(cat.id)  # she blocked the bot: 403, a retry cannot help
        await fake.push_text(cat, "hello there")
        await harness.quiet(1.0)
        assert fake.sent_to(cat.id) == []
        assert await harness.adapter.mailbox.outbound() == []
        refused = [r for r in caplog.records if "refused a reply for good" in r.getMessage()]
        assert len(refused) == 1
    finally:
        await stop_harness(harness)
