"""Opt-in daily check-ins: when each is due, and the task that sends them.

Each reminder row keeps its next instant in UTC (``reminder_next_at``), computed here from
the local time and the user's zone, so finding due reminders is one indexed range query and
DST is handled once, in Python. A due reminder is claimed in the database *before* it is
sent (compare-and-set on ``reminder_next_at``, and ``reminder_last_sent_on`` = the user's local
date), so two ticks or two processes never send the same day twice; the price is that a
send that fails after the claim is not retried (at most once, never twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import DueReminder, Platform, Reply, UserSettings
from bot.mood.timezones import local_date, local_instant, zone_or_utc
from bot.notify import Notifiers
from bot.storage.repository import Repository

log = logging.getLogger(__name__)

#: A reminder found later than this after its time (the bot was down) waits for tomorrow.
MAX_LATE = timedelta(hours=2)
INTERVAL_S = 30.0
BATCH = 100
SEND_TIMEOUT_S = 30.0

REMINDER_TEXT = (
    "Hi, it's time for your daily check-in. How are you feeling today? (/remind off stops these.)"
)


def reminder_reply() -> Reply:
    return Reply(REMINDER_TEXT, private=True)


def next_reminder_at(
    at: time, zone: ZoneInfo, after: datetime, last_sent_on: date | None
) -> datetime:
    """The first local ``at`` strictly after ``after`` on a day other than ``last_sent_on``."""
    today = local_date(after, zone)
    for offset in range(3):
        day = today + timedelta(days=offset)
        candidate = local_instant(day, at, zone)
        if candidate > after and day != last_sent_on:
            return candidate
    raise AssertionError("unreachable: one of three consecutive days qualifies")


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    """What to do with a due reminder: send it (and record today), or only move it on."""

    send: bool
    sent_on: date | None
    next_at: datetime


def plan_reminder(
    at: time, zone: ZoneInfo, last_sent_on: date | None, now: datetime
) -> ReminderPlan:
    today = local_date(now, zone)
    slot = local_instant(today, at, zone)
    if slot <= now and last_sent_on != today and now - slot <= MAX_LATE:
        return ReminderPlan(True, today, next_reminder_at(at, zone, now, today))
    return ReminderPlan(False, None, next_reminder_at(at, zone, now, last_sent_on))


def with_reminder(
    settings: UserSettings, at: time, platform: Platform, chat_id: str, now: datetime
) -> UserSettings:
    """Settings with the daily reminder on (or moved), scheduled from ``now``."""
    zone = zone_or_utc(settings.timezone)
    return replace(
        settings,
        remind_at=at,
        remind_platform=platform,
        remind_chat_id=chat_id,
        reminder_next_at=next_reminder_at(at, zone, now, settings.reminder_last_sent_on),
        reminders_opted_in_at=settings.reminders_opted_in_at or now,
    )


def without_reminder(settings: UserSettings) -> UserSettings:
    """Reminder off and consent withdrawn; the last-sent day stays so a quick off/on the same
    day does not send a second check-in."""
    return replace(
        settings,
        remind_at=None,
        remind_platform=None,
        remind_chat_id=None,
        reminder_next_at=None,
        reminders_opted_in_at=None,
    )


def with_timezone(settings: UserSettings, zone_name: str, now: datetime) -> UserSettings:
    """Settings in a new zone; a reminder keeps its local time and is rescheduled."""
    changed = replace(settings, timezone=zone_name)
    if changed.remind_at is None:
        return changed
    zone = zone_or_utc(zone_name)
    next_at = next_reminder_at(changed.remind_at, zone, now, changed.reminder_last_sent_on)
    return replace(changed, reminder_next_at=next_at)


class ReminderScheduler:
    """Background task: every ``interval_s`` find due reminders, claim, then send.

    Restart-safe by construction: everything it needs is in the database, so a new
    scheduler (or a second process) picks up where the last one stopped.
    """

    def __init__(
        self,
        repository: Repository,
        notifiers: Notifiers,
        *,
        interval_s: float = INTERVAL_S,
        clock: Callable[[], datetime] | None = None,
        batch: int = BATCH,
    ) -> None:
        self._repository = repository
        self._notifiers = notifiers
        self._interval_s = interval_s
        self._clock = clock or (lambda: datetime.now(UTC))
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="attune-reminders")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> ReminderScheduler:
        """``async with ReminderScheduler(...):`` runs it for the block's lifetime."""
        self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception as error:
                # The error's type only: a database error's text carries the SQL and its values.
                log.error(
                    "reminder tick failed (%s); trying again in %.0f s",
                    type(error).__name__,
                    self._interval_s,
                )
            await asyncio.sleep(self._interval_s)

    async def tick(self, now: datetime | None = None) -> int:
        """Handle every reminder due at ``now``; returns how many were sent."""
        now = now or self._clock()
        sent = 0
        for _ in range(50):  # bounded: each round moves every row it saw past ``now``
            due = await self._repository.due_reminders(
                now, self._notifiers.platforms(), self._batch
            )
            for reminder in due:
                sent += await self._handle(reminder, now)
            if len(due) < self._batch:
                break
        return sent

    async def _handle(self, reminder: DueReminder, now: datetime) -> int:
        zone = zone_or_utc(reminder.timezone)
        plan = plan_reminder(reminder.remind_at, zone, reminder.last_sent_on, now)
        claimed = await self._repository.claim_reminder(
            reminder.user_id, reminder.next_at, plan.sent_on, plan.next_at
        )
        if not claimed or not plan.send:
            return 0
        notifier = self._notifiers.get(reminder.platform)
        if notifier is None:  # unregistered between the query and now
            log.warning(
                "no notifier for %s; check-in for user %s skipped today",
                reminder.platform.value,
                reminder.user_id,
            )
            return 0
        try:
            await asyncio.wait_for(
                notifier.send(reminder.chat_id, reminder_reply()), SEND_TIMEOUT_S
            )
        except Exception as error:
            log.warning(
                "check-in for user %s not delivered (%s)", reminder.user_id, type(error).__name__
            )
            return 0
        return 1
