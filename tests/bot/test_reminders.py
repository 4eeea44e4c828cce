"""Daily check-ins: due times across zones and DST, claimed once, restart-safe, private."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Platform, Reply, UserRecord, UserRef
from bot.notify import ConsoleNotifier, Notifiers
from bot.reminders import (
    MAX_LATE,
    ReminderScheduler,
    next_reminder_at,
    plan_reminder,
    with_reminder,
    with_timezone,
)
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Recorder:
    """A notifier that keeps what it was asked to send."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.fail = fail

    async def send(self, chat_id: str, reply: Reply) -> None:
        if self.fail:
            raise ConnectionError("platform down")
        self.sent.append((chat_id, reply))


def notifiers(recorder: Recorder, platform: Platform = Platform.TELEGRAM) -> Notifiers:
    registry = Notifiers()
    registry.register(platform, recorder)
    return registry


async def remind(
    repository: Repository, ref: UserRef, at: time, now: datetime, zone: str | None = None
) -> UserRecord:
    user = await repository.get_or_create_user(ref)
    if zone:
        await repository.update_settings(user.id, lambda s: with_timezone(s, zone, now))
    await repository.update_settings(
        user.id, lambda s: with_reminder(s, at, ref.platform, f"chat-{ref.user_id}", now)
    )
    return user


# --- due computation ---------------------------------------------------------------------


def test_next_is_today_if_still_ahead_else_tomorrow() -> None:
    nine = time(9, 0)
    assert next_reminder_at(nine, BERLIN, utc(2026, 11, 21, 7), None) == utc(2026, 11, 21, 8)
    assert next_reminder_at(nine, BERLIN, utc(2026, 11, 21, 8), None) == utc(2026, 11, 22, 8)
    sent_today = date(2026, 11, 21)
    assert next_reminder_at(nine, BERLIN, utc(2026, 11, 21, 7), sent_today) == utc(2026, 11, 22, 8)


def test_same_instant_is_a_different_local_day_in_different_zones() -> None:
    now = utc(2026, 11, 21, 23, 0)  # Nov 22 10:00 in Auckland, Nov 21 15:00 in Los Angeles
    assert next_reminder_at(time(9), ZoneInfo("Pacific/Auckland"), now, None) == utc(
        2026, 11, 22, 20
    )
    assert next_reminder_at(time(16), ZoneInfo("America/Los_Angeles"), now, None) == utc(
        2026, 11, 22, 0
    )


def test_dst_keeps_local_time() -> None:
    nine = time(9)
    # Berlin: summer time ends 25 Oct 2026, New York: 1 Nov 2026.
    assert next_reminder_at(nine, BERLIN, utc(2026, 10, 24, 12), None) == utc(2026, 10, 25, 8)
    assert next_reminder_at(nine, BERLIN, utc(2026, 10, 25, 12), None) == utc(2026, 10, 26, 8)
    assert next_reminder_at(nine, NEW_YORK, utc(2026, 10, 31, 12), None) == utc(2026, 10, 31, 13)
    assert next_reminder_at(nine, NEW_YORK, utc(2026, 10, 31, 14), None) == utc(2026, 11, 1, 14)
    # Spring forward (29 Mar 2026): 02:30 does not exist that night and comes at 03:30 CEST.
    skipped = next_reminder_at(time(2, 30), BERLIN, utc(2026, 3, 28, 12), None)
    assert skipped == utc(2026, 3, 29, 1, 30)
    assert skipped.astimezone(BERLIN).strftime("%d %H:%M %Z") == "29 03:30 CEST"
    after = next_reminder_at(time(2, 30), BERLIN, skipped, date(2026, 3, 29))
    assert after == utc(2026, 3, 30, 0, 30)
    # Fall back (25 Oct 2026): 02:30 happens twice; only the first one is used.
    repeated = next_reminder_at(time(2, 30), BERLIN, utc(2026, 10, 24, 12), None)
    assert repeated == utc(2026, 10, 25, 0, 30)
    assert next_reminder_at(time(2, 30), BERLIN, repeated, date(2026, 10, 25)) == utc(
        2026, 10, 26, 1, 30
    )


def test_plan_sends_once_and_skips_stale_days() -> None:
    nine = time(9)
    due = plan_reminder(nine, BERLIN, None, utc(2026, 11, 21, 8, 0))
    assert (due.send, due.sent_on, due.next_at) == (True, date(2026, 11, 21), utc(2026, 11, 22, 8))
    again = plan_reminder(nine, BERLIN, date(2026, 11, 21), utc(2026, 11, 21, 8, 1))
    assert not again.send and again.next_at == utc(2026, 11, 22, 8)
    late = plan_reminder(nine, BERLIN, None, utc(2026, 11, 21, 8) + MAX_LATE + timedelta(minutes=1))
    assert not late.send and late.sent_on is None and late.next_at == utc(2026, 11, 22, 8)
    # Down over night: yesterday's reminder is not sent, today's still comes.
    early = plan_reminder(nine, BERLIN, date(2026, 11, 19), utc(2026, 11, 21, 6))
    assert not early.send and early.next_at == utc(2026, 11, 21, 8)


# --- the scheduler against the database ---------------------------------------------------


async def test_sent_once_per_local_day_even_with_two_ticks(repository: Repository) -> None:
    recorder = Recorder()
    scheduler = ReminderScheduler(repository, notifiers(recorder))
    ann = UserRef(Platform.TELEGRAM, "ann")
    await remind(repository, ann, time(9), utc(2026, 11, 21, 6), zone="Europe/Berlin")
    assert await scheduler.tick(utc(2026, 11, 21, 7, 59)) == 0
    assert await scheduler.tick(utc(2026, 11, 21, 8, 0)) == 1
    assert await scheduler.tick(utc(2026, 11, 21, 8, 0)) == 0
    assert await scheduler.tick(utc(2026, 11, 21, 8, 30)) == 0
    assert await scheduler.tick(utc(2026, 11, 22, 8, 0)) == 1
    assert [chat for chat, _ in recorder.sent] == ["chat-ann", "chat-ann"]
    assert all(reply.private for _, reply in recorder.sent)


async def test_two_processes_claim_once(repository: Repository, db_url: str) -> None:
    """Two schedulers on two engines (as two processes would be) tick at the same moment."""
    await remind(repository, UserRef(Platform.TELEGRAM, "ann"), time(20, 30), utc(2026, 11, 21, 6))
    other_engine = create_engine(db_url)
    try:
        other = Repository(session_factory(other_engine))
        first, second = Recorder(), Recorder()
        a = ReminderScheduler(repository, notifiers(first))
        b = ReminderScheduler(other, notifiers(second))
        now = utc(2026, 11, 21, 20, 31)
        counts = await asyncio.gather(a.tick(now), b.tick(now), a.tick(now), b.tick(now))
    finally:
        await other_engine.dispose()
    assert sum(counts) == 1
    assert len(first.sent) + len(second.sent) == 1


async def test_survives_restart(db_url: str) -> None:
    engine = create_engine(db_url)
    repository = Repository(session_factory(engine))
    await remind(repository, UserRef(Platform.DISCORD, "ann"), time(7, 15), utc(2026, 11, 21, 6))
    first = Recorder()
    assert (
        await ReminderScheduler(repository, notifiers(first, Platform.DISCORD)).tick(
            utc(2026, 11, 21, 7, 15)
        )
        == 1
    )
    await engine.dispose()

    engine = create_engine(db_url)  # a new process: everything comes from the database
    try:
        repository = Repository(session_factory(engine))
        second = Recorder()
        scheduler = ReminderScheduler(repository, notifiers(second, Platform.DISCORD))
        assert await scheduler.tick(utc(2026, 11, 21, 7, 40)) == 0  # already sent today
        assert await scheduler.tick(utc(2026, 11, 22, 7, 15)) == 1
    finally:
        await engine.dispose()
    assert [chat for chat, _ in second.sent] == ["chat-ann"]


async def test_each_user_gets_only_their_own_reminder_on_their_platform(
    repository: Repository,
) -> None:
    now = utc(2026, 11, 21, 6)
    await remind(repository, UserRef(Platform.TELEGRAM, "ann"), time(9), now, "Europe/Berlin")
    await remind(repository, UserRef(Platform.DISCORD, "bob"), time(9), now, "America/New_York")
    telegram, discord = Recorder(), Recorder()
    registry = notifiers(telegram)
    registry.register(Platform.DISCORD, discord)
    scheduler = ReminderScheduler(repository, registry)
    assert await scheduler.tick(utc(2026, 11, 21, 8)) == 1  # 09:00 in Berlin only
    assert await scheduler.tick(utc(2026, 11, 21, 14)) == 1  # 09:00 in New York
    assert [chat for chat, _ in telegram.sent] == ["chat-ann"]
    assert [chat for chat, _ in discord.sent] == ["chat-bob"]


async def test_waits_for_its_platform_and_survives_failed_sends(repository: Repository) -> None:
    await remind(repository, UserRef(Platform.TELEGRAM, "ann"), time(9), utc(2026, 11, 21, 6))
    nothing = ReminderScheduler(repository, Notifiers())
    assert await nothing.tick(utc(2026, 11, 21, 9, 0)) == 0
    (due,) = await repository.due_reminders(utc(2026, 11, 21, 9, 1), [Platform.TELEGRAM])
    assert due.next_at == utc(2026, 11, 21, 9)  # still waiting, not claimed
    broken = ReminderScheduler(repository, notifiers(Recorder(fail=True)))
    assert await broken.tick(utc(2026, 11, 21, 9, 5)) == 0  # claimed, failed, not fatal
    assert await repository.due_reminders(utc(2026, 11, 21, 9, 6), [Platform.TELEGRAM]) == []


async def test_forgotten_users_get_no_reminder(repository: Repository) -> None:
    user = await remind(
        repository, UserRef(Platform.TELEGRAM, "ann"), time(9), utc(2026, 11, 21, 6)
    )
    await repository.forget_user(user.id)
    recorder = Recorder()
    assert await ReminderScheduler(repository, notifiers(recorder)).tick(utc(2026, 11, 21, 9)) == 0


async def test_start_and_stop_run_the_loop(repository: Repository) -> None:
    await remind(repository, UserRef(Platform.CONSOLE, "ann"), time(9), utc(2026, 11, 21, 6))
    out = io.StringIO()
    registry = Notifiers()
    registry.register(Platform.CONSOLE, ConsoleNotifier(out=out))
    scheduler = ReminderScheduler(
        repository, registry, interval_s=0.01, clock=lambda: utc(2026, 11, 21, 9)
    )
    async with scheduler:
        for _ in range(200):
            if out.getvalue():
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # a few more ticks: still one message
    assert out.getvalue().count("daily check-in") == 1


async def test_console_notifier_uses_the_chats_renderer() -> None:
    shown: list[Reply] = []
    await ConsoleNotifier(shown.append).send("console:ann", Reply("hi", private=True))
    assert shown == [Reply("hi", private=True)]


@pytest.mark.parametrize("platform", list(Platform))
def test_registry_register_and_unregister(platform: Platform) -> None:
    registry = Notifiers()
    registry.register(platform, Recorder())
    assert registry.platforms() == {platform}
    registry.unregister(platform)
    assert registry.get(platform) is None and registry.platforms() == frozenset()
