"""Webhook mode: Telegram posts updates to us, and only requests with our secret are taken."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.bot.adapters.telegram.conftest import Harness, start_harness, stop_harness

pytestmark = pytest.mark.asyncio(loop_scope="module")
SECRET = "webhook-secret_0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def hooked(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    port = free_port()
    running = await start_harness(
        tmp_path_factory.mktemp("webhook") / "attune.db",
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_port=port,
        telegram_webhook_secret=SECRET,
    )
    yield running
    await stop_harness(running)


async def test_the_webhook_is_registered_with_its_secret(hooked: Harness) -> None:
    webhook = hooked.fake.webhook
    assert webhook is not None
    assert webhook["url"].endswith("/telegram/hook") and webhook["secret_token"] == SECRET
    assert not [m for m, _ in hooked.fake.calls if m == "getUpdates"]


async def test_a_valid_secret_is_answered_once_even_if_telegram_retries(hooked: Harness) -> None:
    fake, ada = hooked.fake, hooked.user()
    update = fake.build_text_update(ada, "I finally finished my thesis!")
    assert await fake.post_webhook(update, SECRET) == 200
    await fake.wait_count(ada.id, 1)
    assert await fake.post_webhook(update, SECRET) == 200  # Telegram re-posts on a slow answer
    await hooked.quiet()
    assert len(fake.sent_to(ada.id)) == 1


@pytest.mark.parametrize("secret", [None, "wrong-secret", ""])
async def test_requests_without_the_secret_are_refused(hooked: Harness, secret: str | None) -> None:
    fake, eve = hooked.fake, hooked.user("Eve")
    update = fake.build_text_update(eve, "let me in")
    assert await fake.post_webhook(update, secret) == 403
    await hooked.quiet()
    assert fake.sent_to(eve.id) == []


async def test_the_webhook_answers_200_only_once_the_update_is_stored(hooked: Harness) -> None:
    fake, ada = hooked.fake, hooked.user()
    fake.inject("slow", "sendMessage", delay_s=2.0)  # keep the answer in flight a while
    update = fake.build_text_update(ada, "a long day, but a good one")
    assert await fake.post_webhook(update, SECRET) == 200
    mailbox = hooked.adapter.mailbox
    # Durable the moment Telegram hears 200: still in the inbox, or answered with its reply
    # waiting in the outbox.
    assert len(await mailbox.pending()) + len(await mailbox.outbound()) == 1
    await fake.wait_count(ada.id, 1)
    await hooked.quiet()
    assert await mailbox.pending() == [] and await mailbox.outbound() == []


async def test_an_update_that_cannot_be_read_is_refused_without_logging_its_words(
    hooked: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # PTB logs a body it cannot parse in full, at CRITICAL: that body is what someone wrote.
    fake = hooked.fake
    broken = {"update_id": 77, "message": {"message_id": 5, "text": "zebra-private-sorrow"}}
    with caplog.at_level(logging.DEBUG, logger="telegram"):
        assert await fake.post_webhook(broken, SECRET) == 400
    lines = [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG]
    assert any("not* processed" in line for line in lines), "PTB's error line is kept"
    assert not [line for line in lines if "zebra" in line]
