"""Same replies for the same seeded conversation: a regression guard for refactoring.

One conversation, typed as the console adapter sends it (private chat, one user), runs through
the core with a fixed seed and a fixed clock; every reply (text, choices, privacy, and digests
of any chart or files) must equal the one recorded in ``data/golden_conversation.json``. A
change that moves code without changing behaviour keeps this green; a change that means to
alter a reply records the new conversation on purpose:

    .venv/bin/python -m tests.bot.test_golden_conversation --write

The clock: every ``datetime`` name imported into a ``bot`` module is swapped for one whose
``now()`` returns the conversation's current instant (a minute per message), so dates in
/history, /mood and /export do not depend on when the test runs, wherever the code that asks
for the time lives.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, Reply, UserRef
from bot.inference import EmotionService
from bot.storage import migrate
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox, PhotoReading
from emotion.text.lexicon import LexiconEstimator
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)

GOLDEN = Path(__file__).parent / "data" / "golden_conversation.json"
START = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
STEP = timedelta(minutes=1)
PHOTO = b"\x89PNG fake bytes: the reader below never decodes them"

#: What the person types, in order ("PHOTO: caption" sends a photo with that caption).
CONVERSATION: tuple[str, ...] = (
    "/start",
    "/help",
    "/history",
    "/why",
    "I am so happy today, the sun is out!",
    "work was exhausting and my boss yelled at me",
    "/why",
    "that's wrong, I'm actually anxious",
    "/feel sad",
    "/feel sad",
    "/feel purple",
    "ok",
    "thanks",
    "I miss my grandmother so much",
    "PHOTO: finally finished my first marathon",
    "PHOTO: ",
    "/why",
    "/history",
    "/history 2",
    "/history x",
    "/timezone Europe/Berlin",
    "/history 3",
    "/remind 08:15",
    "/remind off",
    "/mood",
    "/mood all",
    "/export",
    "i just want to kms tbh",
    "this exam is killing me lol",
    "/why",
    "/nosuchcommand",
    "/forget",
    "/forget cancel",
    "/forget confirm",
    "/history",
    "hello again",
)


class _Clock:
    """The conversation's current instant, shared by every patched ``datetime``."""

    now = START


class _FixedDatetime(datetime):
    """``datetime`` whose ``now()`` is the conversation clock (a plain datetime comes back)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        instant = _Clock.now
        return instant.astimezone(tz) if tz is not None else instant.replace(tzinfo=None)


@contextmanager
def fixed_clock() -> Iterator[None]:
    """Swap ``datetime`` in every loaded ``bot`` module for the conversation clock."""
    swapped = [
        module
        for name, module in list(sys.modules.items())
        if (name == "bot" or name.startswith("bot."))
        and getattr(module, "datetime", None) is datetime
    ]
    for module in swapped:
        module.datetime = _FixedDatetime  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in swapped:
            module.datetime = datetime  # type: ignore[attr-defined]


@dataclass
class SmilingFace:
    """A photo reader that sees one happy face, whatever the bytes (no model needed)."""

    def read(self, data: bytes) -> PhotoReading:
        face = EmotionEstimate.from_mapping(
            {Emotion.HAPPY: 0.8, Emotion.NEUTRAL: 0.2}, Source.FACE, 0.8
        )
        box = FaceBox(x=40, y=30, width=120, height=140, confidence=0.97)
        return PhotoReading(estimate=face, faces=(box,), image_size=(320, 240))


def _digest(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest()[:16] if data is not None else None


def _record(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "private": reply.private,
        "duplicate": reply.duplicate,
        "choices": [[c.label, c.payload] for c in reply.choices],
        "image": _digest(reply.image_png),
        "files": [[f.filename, f.mime_type, _digest(f.data)] for f in reply.files],
    }


def _message(line: str, index: int) -> Message:
    user = UserRef(Platform.CONSOLE, "golden", display_name="Sam")
    chat = "console:golden"
    if line.startswith("PHOTO:"):
        caption = line.removeprefix("PHOTO:").strip()
        return Message(user=user, chat_id=chat, text=caption, photo=PHOTO, message_id=str(index))
    return Message(user=user, chat_id=chat, text=line, message_id=str(index))


async def converse(db_url: str) -> list[dict[str, Any]]:
    """Run ``CONVERSATION`` through a fresh core on ``db_url`` (migrated): each turn's record."""
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), SmilingFace())
    core = Core(Repository(session_factory(engine)), service, CoreOptions(), rng=random.Random(7))
    records = []
    try:
        with fixed_clock():
            for index, line in enumerate(CONVERSATION):
                _Clock.now = START + index * STEP
                records.append({"said": line, **_record(await core.handle(_message(line, index)))})
    finally:
        _Clock.now = START
        service.close()
        await engine.dispose()
    return records


async def test_the_seeded_conversation_gets_the_recorded_replies(db_url: str) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = await converse(db_url)
    assert [turn["said"] for turn in expected] == list(CONVERSATION), "re-record: see docstring"
    for want, have in zip(expected, got, strict=True):
        assert have == want, f"reply to {want['said']!r} changed"


def _write() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'golden.db'}"
        migrate.upgrade(url)
        records = asyncio.run(converse(url))
    GOLDEN.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"recorded {len(records)} turns in {GOLDEN}")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write()
