"""Rate limits, retries and message splitting, without a server."""

from __future__ import annotations

import asyncio
import time
import warnings
from datetime import timedelta

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.adapters.telegram_limits import Limits, PerChatRateLimiter, TokenBucket
from bot.adapters.telegram_render import split_text

FAST = Limits(
    backoff_s=0.01, max_backoff_s=0.02, max_attempts=4, private_per_s=1e3, private_burst=1e3
)


def test_split_text_keeps_words_and_limits() -> None:
    assert split_text("short") == ["short"]
    text = ("word " * 2000).strip()
    parts = split_text(text, 4096)
    assert all(len(p) <= 4096 for p in parts) and len(parts) == 3
    assert " ".join(parts) == text
    assert split_text("x" * 5000, 4096) == ["x" * 4096, "x" * 904]
    paragraphs = "a" * 3500 + "\n\n" + "b" * 1000
    assert split_text(paragraphs) == ["a" * 3500, "b" * 1000]


async def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=20.0, capacity=3)
    start = time.monotonic()
    for _ in range(5):
        await bucket.take()
    elapsed = time.monotonic() - start
    assert 0.08 <= elapsed < 0.5  # 3 at once, then 2 more at 20/s


async def test_retries_429_after_retry_after_and_network_faults() -> None:
    delivery = PerChatRateLimiter(FAST)
    with warnings.catch_warnings():  # PTB 22 warns about int vs timedelta on construction
        warnings.simplefilter("ignore")
        rate_limited = RetryAfter(timedelta(0))
    failures: list[Exception] = [rate_limited, NetworkError("Bad Gateway"), TimedOut()]
    calls = 0

    async def action() -> str:
        nonlocal calls
        calls += 1
        if failures:
            raise failures.pop(0)
        return "sent"

    assert await delivery.call("sendMessage", action, chat_id=1) == "sent"
    assert calls == 4 and delivery.rate_limited == 1 and delivery.retries == 3


async def test_bad_requests_are_not_retried_and_network_faults_give_up_eventually() -> None:
    delivery = PerChatRateLimiter(FAST)
    calls = 0

    async def bad() -> None:
        nonlocal calls
        calls += 1
        raise BadRequest("Message text is empty")

    with pytest.raises(BadRequest):
        await delivery.call("sendMessage", bad, chat_id=1)
    assert calls == 1

    async def down() -> None:
        raise NetworkError("Bad Gateway")

    with pytest.raises(NetworkError):
        await delivery.call("sendMessage", down, chat_id=1)


async def test_after_a_429_the_bucket_sends_again_once_retry_after_has_passed() -> None:
    bucket = TokenBucket(rate=1.0, capacity=3)
    bucket.pause(0.3)
    start = time.monotonic()
    await bucket.take()
    assert 0.25 <= time.monotonic() - start < 0.6


async def test_after_a_429_hold_one_send_then_the_rate_without_a_burst() -> None:
    """After a hold: one send when it ends, the next a whole interval later (no burst).

    2/s, burst 3, two sent just before a 429 held the chat 0.75 s. The level after the hold
    is ``1 - hold * rate`` (as the hand-written bucket always had): sends at 0.75 and 1.25 s.
    A bucket topped up in whole units after the hold keeps half a token over and sends the
    second at 1.0 s. Sleeps only ever run late, so the lower bounds hold on a busy machine.
    """
    bucket = TokenBucket(rate=2.0, capacity=3)
    await bucket.take()
    await bucket.take()
    bucket.pause(0.75)
    paused = time.monotonic()
    await bucket.take()
    first = time.monotonic() - paused
    await bucket.take()
    second = time.monotonic() - paused
    assert first >= 0.7  # not before the hold ends
    assert second >= 1.15  # 1.25 by the formula; 1.0 with half a token left over


async def test_a_bucket_just_out_of_a_hold_is_not_idle() -> None:
    """Pruning forgets idle buckets; one with an empty level after a hold must stay, else a
    fresh bucket would let a burst of 3 through."""
    bucket = TokenBucket(rate=5.0, capacity=3)
    assert bucket.idle
    bucket.pause(0.05)
    await asyncio.sleep(0.08)  # the hold is over; the level is still about 0.9 of 3
    assert not bucket.idle


def test_timing_stats_keep_only_the_newest() -> None:
    """A bot that runs for months must not grow with every message it times."""
    from bot.adapters.telegram_lanes import STATS_WINDOW, Stats

    stats = Stats()
    for i in range(STATS_WINDOW + 5):
        stats.latencies.append(float(i))
        stats.handler_times.append(float(i))
    assert len(stats.latencies) == len(stats.handler_times) == STATS_WINDOW
    assert stats.latencies[0] == 5.0 and stats.latencies[-1] == float(STATS_WINDOW + 4)


async def test_a_malformed_answer_is_retried_but_a_migrated_chat_is_not() -> None:
    from telegram.error import ChatMigrated, TelegramError

    delivery = PerChatRateLimiter(FAST)
    answers: list[Exception] = [TelegramError("Invalid server response")]

    async def action() -> str:
        if answers:
            raise answers.pop()
        return "sent"

    assert await delivery.call("sendMessage", action, chat_id=1) == "sent"

    async def moved() -> None:
        raise ChatMigrated(-100123)

    with pytest.raises(ChatMigrated):
        await delivery.call("sendMessage", moved, chat_id=1)


async def test_a_429_in_one_chat_holds_that_chat_only() -> None:
    """A crisis reply in another chat must not wait out someone else's retry_after."""
    delivery = PerChatRateLimiter(FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rate_limited = RetryAfter(timedelta(seconds=3))
    first = [rate_limited]
    order: list[str] = []
    refused = asyncio.Event()

    async def busy_chat() -> str:
        if first:
            refused.set()
            raise first.pop()
        order.append("busy")
        return "sent"

    async def other_chat() -> str:
        order.append("other")
        return "sent"

    held = asyncio.create_task(delivery.call("sendMessage", busy_chat, chat_id=1))
    await refused.wait()
    await asyncio.sleep(0)  # the 429 is handled
    assert await asyncio.wait_for(delivery.call("sendMessage", other_chat, chat_id=2), 2.0)
    assert order == ["other"], "the other chat waited for the first chat's retry_after"
    assert await held == "sent" and order == ["other", "busy"]
