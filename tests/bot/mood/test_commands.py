"""/mood, /export, /timezone and /remind against a real database, and /forget after them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.commands.mood import NOTHING_TO_EXPORT, export_reply, mood_reply
from bot.commands.settings import remind_reply, timezone_reply
from bot.domain import Message, Platform, UserRecord, UserRef
from bot.mood.export import JSON_NAME
from bot.mood.report import NO_HISTORY
from bot.storage.repository import Repository
from emotion.labels import Emotion
from tests.backends import BACKENDS
from tests.bot.mood.conftest import AddEntry

pytestmark = pytest.mark.backends(*BACKENDS)

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
ANN = UserRef(Platform.TELEGRAM, "ann", "Ann")


def _message(user: UserRef = ANN, *, private: bool = True) -> Message:
    return Message(user=user, chat_id=f"chat-{user.user_id}", is_private_chat=private)


async def test_mood_without_history(repository: Repository, user: UserRecord) -> None:
    reply = await mood_reply(repository, user, "", NOW)
    assert reply.text == NO_HISTORY and reply.image_png is None and reply.private


async def test_mood_summary_and_chart(
    repository: Repository, user: UserRecord, add_entry: AddEntry
) -> None:
    for i, label in enumerate([Emotion.HAPPY, Emotion.HAPPY, Emotion.SAD]):
        await add_entry(user, NOW - timedelta(days=i, hours=1), label)
    await add_entry(user, NOW - timedelta(days=9), Emotion.SAD)  # the week before
    reply = await mood_reply(repository, user, "week", NOW)
    assert reply.private and reply.image_png is not None
    assert reply.image_png.startswith(b"\x89PNG")
    assert "Mostly: happy 67%, sad 33%" in reply.text
    assert "brighter than the week before" in reply.text
    assert "checked in on 3 of 7 days (3 entries)" in reply.text
    assert "UTC" in reply.text  # no zone set yet: said so


async def test_mood_period_without_entries_and_bad_argument(
    repository: Repository, user: UserRecord, add_entry: AddEntry
) -> None:
    await add_entry(user, NOW - timedelta(days=60), Emotion.HAPPY)
    quiet = await mood_reply(repository, user, "week", NOW)
    assert quiet.image_png is None and "/mood all" in quiet.text
    everything = await mood_reply(repository, user, "all", NOW)
    assert everything.image_png is not None
    assert (await mood_reply(repository, user, "fortnight", NOW)).text.startswith("Use /mood")


async def test_mood_days_follow_the_users_zone(
    repository: Repository, user: UserRecord, add_entry: AddEntry
) -> None:
    # 23:30 on Nov 20 in New York is already Nov 21 in UTC.
    await add_entry(user, datetime(2026, 11, 21, 4, 30, tzinfo=UTC), Emotion.SAD)
    await add_entry(user, datetime(2026, 11, 21, 5, 30, tzinfo=UTC), Emotion.HAPPY)
    assert "1 of 7 days" in (await mood_reply(repository, user, "", NOW)).text
    await timezone_reply(repository, user, "America/New_York", NOW)
    text = (await mood_reply(repository, user, "", NOW)).text
    assert "2 of 7 days" in text and "America/New_York" in text
    assert "Best day: Sat 21 Nov" in text and "hardest day: Fri 20 Nov" in text


async def test_export_has_everything_of_this_user_only(
    repository: Repository, user: UserRecord, add_entry: AddEntry
) -> None:
    bob = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "bob"))
    await add_entry(user, NOW - timedelta(hours=2), Emotion.HAPPY, text="ann's secret")
    await add_entry(bob, NOW - timedelta(hours=1), Emotion.SAD, text="bob's secret")
    await timezone_reply(repository, user, "Europe/Berlin", NOW)
    reply = await export_reply(repository, user, NOW)
    assert reply.private and len(reply.files) == 4
    everything = b"".join(a.data for a in reply.files)
    assert b"ann's secret" in everything and b"bob" not in everything
    document = json.loads(next(a.data for a in reply.files if a.filename == JSON_NAME))
    assert [e["text"] for e in document["entries"]] == ["ann's secret"]
    assert document["settings"]["timezone"] == "Europe/Berlin"
    bob_mood = await mood_reply(repository, bob, "all", NOW)
    assert "sad 100%" in bob_mood.text and "happy" not in bob_mood.text


async def test_forget_then_export_is_empty_and_mood_has_no_history(
    repository: Repository, user: UserRecord, add_entry: AddEntry
) -> None:
    await add_entry(user, NOW - timedelta(hours=2), Emotion.HAPPY)
    await timezone_reply(repository, user, "Asia/Tokyo", NOW)
    await remind_reply(repository, user, _message(), "09:00", NOW)
    result = await repository.forget_user(user.id)
    assert (result.entries, result.settings) == (1, 1)
    assert await repository.get_settings(user.id) is None
    assert await repository.due_reminders(NOW + timedelta(days=2), [Platform.TELEGRAM]) == []
    again = await repository.get_or_create_user(ANN)  # the core does this for every message
    export = await export_reply(repository, again, NOW)
    assert export.text == NOTHING_TO_EXPORT and export.files == ()
    assert (await mood_reply(repository, again, "all", NOW)).text == NO_HISTORY


async def test_timezone_command(repository: Repository, user: UserRecord) -> None:
    assert "UTC" in (await timezone_reply(repository, user, "", NOW)).text
    done = await timezone_reply(repository, user, "europe/berlin", NOW)
    assert "Europe/Berlin" in done.text and "13:00" in done.text and done.private
    settings = await repository.get_settings(user.id)
    assert settings is not None and settings.timezone == "Europe/Berlin"
    unknown = await timezone_reply(repository, user, "Europe/Berln", NOW)
    assert "Did you mean Europe/Berlin, Europe/Dublin or Europe/Belfast?" in unknown.text
    city = await timezone_reply(repository, user, "Berlin", NOW)
    assert "Did you mean Europe/Berlin?" in city.text
    assert "Europe/Berlin" in (await timezone_reply(repository, user, "", NOW)).text


async def test_remind_command(repository: Repository, user: UserRecord) -> None:
    assert "No daily check-in" in (await remind_reply(repository, user, _message(), "", NOW)).text
    assert "HH:MM" in (await remind_reply(repository, user, _message(), "25:00", NOW)).text
    group = await remind_reply(repository, user, _message(private=False), "09:00", NOW)
    assert "private chat" in group.text
    assert await repository.get_settings(user.id) is None

    set_ = await remind_reply(repository, user, _message(), "12:30", NOW)
    assert "12:30 (UTC), starting today" in set_.text and "/timezone" in set_.text
    settings = await repository.get_settings(user.id)
    assert settings is not None
    assert settings.remind_at == time(12, 30)
    assert (settings.remind_platform, settings.remind_chat_id) == (Platform.TELEGRAM, "chat-ann")
    assert settings.reminder_next_at == datetime(2026, 11, 21, 12, 30, tzinfo=UTC)
    assert settings.reminders_opted_in_at == NOW
    assert "12:30" in (await remind_reply(repository, user, _message(), "", NOW)).text

    moved = await timezone_reply(repository, user, "Asia/Tokyo", NOW)  # 21:00 there
    assert "stays at 12:30" in moved.text
    settings = await repository.get_settings(user.id)
    assert settings is not None
    assert settings.reminder_next_at == datetime(2026, 11, 22, 3, 30, tzinfo=UTC)

    off = await remind_reply(repository, user, _message(), "off", NOW)
    assert "no more" in off.text
    settings = await repository.get_settings(user.id)
    assert settings is not None and settings.remind_at is None
    assert settings.reminders_opted_in_at is None and settings.reminder_next_at is None
    assert (
        "no check-in reminder"
        in (await remind_reply(repository, user, _message(), "off", NOW)).text
    )
