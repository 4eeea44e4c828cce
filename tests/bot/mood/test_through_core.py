"""The new commands as every adapter reaches them: through ``Core.handle``."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.console import ConsoleChat
from bot.commands.mood import NOTHING_TO_EXPORT
from bot.core import Core
from bot.domain import Message, Platform, Reply, UserRef
from bot.inference import EmotionService
from bot.mood.report import NO_HISTORY
from bot.notify import ConsoleNotifier
from bot.reminders import reminder_reply
from bot.storage.repository import Repository
from emotion.text.lexicon import LexiconEstimator
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)

ANN = UserRef(Platform.TELEGRAM, "ann", "Ann")
BOB = UserRef(Platform.TELEGRAM, "bob", "Bob")


@pytest.fixture()
async def core(repository: Repository) -> AsyncIterator[Core]:
    emotions = EmotionService(LexiconEstimator(), None)
    yield Core(repository, emotions)
    emotions.close()


async def say(core: Core, user: UserRef, text: str, *, private: bool = True) -> Reply:
    return await core.handle(
        Message(user=user, chat_id=f"chat-{user.user_id}", text=text, is_private_chat=private)
    )


async def test_commands_are_registered_private_and_listed(core: Core) -> None:
    for name in ("mood", "export", "timezone", "remind"):
        command = core.commands.get(name)
        assert command is not None and command.private and not command.hidden
    help_text = (await say(core, ANN, "/help")).text
    assert "/mood [week|month|all]" in help_text and "/remind HH:MM|off" in help_text


async def test_mood_history_export_then_forget(core: Core, repository: Repository) -> None:
    assert (await say(core, ANN, "/mood")).text == NO_HISTORY
    await say(core, ANN, "I am so happy today, what a lovely day")
    await say(core, BOB, "bob feels lonely and sad tonight")

    mood = await say(core, ANN, "/mood", private=False)  # asked in a group: still private
    assert mood.private and mood.image_png is not None and "checked in on 1 of 7" in mood.text

    assert "Asia/Tokyo" in (await say(core, ANN, "/timezone asia/tokyo")).text
    history = (await say(core, ANN, "/history")).text
    assert "(times in Asia/Tokyo)" in history
    ann = await repository.find_user(ANN)
    assert ann is not None
    (entry,) = await repository.recent_entries(ann.id, 1)
    local = entry.created_at.astimezone(ZoneInfo("Asia/Tokyo"))  # UTC+9, no DST
    assert local.strftime("%Y-%m-%d %H:%M") in history
    assert entry.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") not in history

    export = await say(core, ANN, "/export")
    assert export.private and len(export.files) == 4
    document = json.loads(export.files[0].data)
    assert [e["text"] for e in document["entries"]] == ["I am so happy today, what a lovely day"]
    assert b"bob" not in b"".join(f.data for f in export.files)

    await say(core, ANN, "/remind 08:00")
    await say(core, ANN, "/forget confirm")
    after = await say(core, ANN, "/export")
    assert after.text == NOTHING_TO_EXPORT and after.files == ()
    assert (await say(core, ANN, "/mood all")).text == NO_HISTORY
    assert await repository.due_reminders(datetime(2100, 1, 1, tzinfo=UTC), list(Platform)) == []
    bob_export = await say(core, BOB, "/export")
    assert b"lonely" in bob_export.files[0].data


def _saved_chart(folder: Path) -> Path:
    (picture,) = folder.rglob("*-chart.png")
    assert picture.read_bytes().startswith(b"\x89PNG")
    return picture.resolve()


async def test_console_shows_the_chart_and_the_check_in(core: Core, tmp_path: Path) -> None:
    out = io.StringIO()
    chat = ConsoleChat(core, "ann", output_dir=tmp_path, max_photo_bytes=1_000_000, out=out)
    message = chat.to_message("I am so happy today")
    assert not isinstance(message, str)
    await core.handle(message)
    mood = chat.to_message("/mood")
    assert not isinstance(mood, str)
    chat.render(await core.handle(mood))
    picture = _saved_chart(tmp_path)
    assert f"picture: {picture}" in out.getvalue()

    await ConsoleNotifier(chat.render).send(message.chat_id, reminder_reply())
    assert "attune> Hi, it's time for your daily check-in" in out.getvalue()
