"""``python -m bot`` itself, with a Telegram token, against the fake server: one conversation."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.bot.adapters.telegram.conftest import TOKEN
from tests.bot.adapters.telegram.fake_api import FakeTelegram, FakeUser
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


async def test_python_m_bot_serves_telegram_and_stops_gracefully(tmp_path: Path) -> None:
    fake = FakeTelegram(TOKEN)
    await fake.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTUNE_")}
    env.update(
        ATTUNE_TELEGRAM_TOKEN=TOKEN,
        ATTUNE_TELEGRAM_API_URL=fake.url,
        ATTUNE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'attune.db'}",
        ATTUNE_LOG_LEVEL="INFO",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONUNBUFFERED="1",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=REPO_ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        ada = FakeUser(4242)
        await fake.push_text(ada, "/start")
        await fake.push_text(ada, "I'm excited, I got the job!")
        sent = await fake.wait_count(ada.id, 2, within=150)  # includes loading the models
        assert "I'm attune" in sent[0].text and sent[1].text
        assert fake.commands, "setMyCommands was not called"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
        await fake.stop()
    log = stderr.decode(errors="replace")
    assert process.returncode == 0, log[-2000:]
    assert "connected as @attune_test_bot" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "got the job" not in log
