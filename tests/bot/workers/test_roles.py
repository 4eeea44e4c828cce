"""The two roles in one process, on SQLite: a webhook receiver that only stores (200 once the
update is committed, nothing answered), and a worker that answers what was stored."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from pathlib import Path

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram_worker import TelegramWorker
from bot.app import build_app
from bot.inference import EmotionService
from emotion.text.lexicon import LexiconEstimator
from tests.bot.adapters.telegram.conftest import TEST_LIMITS, TOKEN, telegram_settings
from tests.bot.adapters.telegram.fake_api import FakeTelegram, FakeUser
from tests.bot.adapters.telegram.test_webhook import free_port

SECRET = "shared-webhook-secret_42"


async def test_a_webhook_receiver_stores_and_a_worker_answers(tmp_path: Path) -> None:
    fake = FakeTelegram(TOKEN)
    await fake.start()
    port = free_port()
    settings = await telegram_settings(
        fake,
        tmp_path / "attune.db",
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_port=port,
        telegram_webhook_secret=SECRET,
    )
    emotions = EmotionService(LexiconEstimator(), None)
    receiving = build_app(settings, emotions)
    working = build_app(settings, emotions)
    receiver = TelegramAdapter(receiving.core, settings, limits=TEST_LIMITS, role="receive")
    worker = TelegramWorker(
        TelegramAdapter(working.core, settings, limits=TEST_LIMITS, role="work"),
        lease_s=2.0,
        chats=4,
        poll_s=0.05,
    )
    ada = FakeUser(4242, "Ada")
    try:
        await receiver.start()
        first = fake.build_text_update(ada, "I finally finished my thesis!")
        second = fake.build_text_update(ada, "and now I can sleep")
        assert await fake.post_webhook(first, SECRET) == 200
        assert await fake.post_webhook(second, SECRET) == 200
        stored = await receiver.mailbox.pending()
        assert [item.message_id for item in stored] == [
            str(first["message"]["message_id"]),
            str(second["message"]["message_id"]),
        ]
        await asyncio.sleep(0.6)
        assert fake.sent_to(ada.id) == [], "a receiver answered"

        await worker.start()
        sent = await fake.wait_count(ada.id, 2, within=30)
        assert [s.method for s in sent] == ["sendMessage", "sendMessage"]
        await asyncio.sleep(0.6)  # room for a (wrong) second answer
        assert len(fake.sent_to(ada.id)) == 2
        assert await receiver.mailbox.pending() == []
        assert await receiver.mailbox.outbound() == []
        assert await worker.leases.waiting(10) == []
    finally:
        await worker.stop()
        await receiver.stop()
        await working.close()
        await receiving.close()
        await fake.stop()


async def test_a_receiver_confirms_nothing_the_database_has_not_taken(tmp_path: Path) -> None:
    """A receiver answers nothing itself: while the database refuses writes it must not answer
    Telegram's webhook 200 (Telegram would drop the update), and the update is stored once the
    database is back. (It used to confirm it from memory, as a serving bot does, and a restart
    in that window lost it — a crisis message among them.)"""
    fake = FakeTelegram(TOKEN)
    await fake.start()
    port = free_port()
    db = tmp_path / "attune.db"
    settings = await telegram_settings(
        fake,
        db,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_port=port,
        telegram_webhook_secret=SECRET,
        storage_wait_s=0.5,
    )
    receiving = build_app(settings, EmotionService(LexiconEstimator(), None))
    receiver = TelegramAdapter(receiving.core, settings, limits=TEST_LIMITS, role="receive")
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
            conn.isolation_level = None
            conn.execute("BEGIN IMMEDIATE")  # another process's write transaction
            locked.set()
            release.wait(30.0)
            conn.execute("ROLLBACK")

    holder = asyncio.create_task(asyncio.to_thread(hold_lock))
    try:
        await receiver.start()
        await asyncio.to_thread(locked.wait, 10.0)
        crisis = fake.build_text_update(FakeUser(4343, "Bo"), "I want to end my life tonight")
        posted = asyncio.create_task(fake.post_webhook(crisis, SECRET))
        await asyncio.sleep(3.0)  # six times the storage wait
        assert not posted.done(), "the webhook was answered before the update was stored"
        release.set()
        assert await asyncio.wait_for(posted, 30) == 200
        stored = await receiver.mailbox.pending()
        assert [item.message_id for item in stored] == [str(crisis["message"]["message_id"])]
    finally:
        release.set()
        await holder
        await receiver.stop()
        await receiving.close()
        await fake.stop()
