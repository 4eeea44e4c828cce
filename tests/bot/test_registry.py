"""Starting several platforms: one failing must not stop the others."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.registry import NoAdapterStarted, start_all


class FakeAdapter:
    def __init__(self, name: str, fails: bool = False) -> None:
        self.name = name
        self.fails = fails
        self.started = False
        self.stopped = False

    async def start(self) -> None:
        if self.fails:
            raise RuntimeError("token was refused")
        self.started = True

    async def stop(self) -> None:
        self.stopped = True


@pytest.mark.allow_error_logs  # a platform that fails to start is logged at ERROR
async def test_a_failing_platform_is_logged_and_the_others_serve(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good, bad = FakeAdapter("telegram"), FakeAdapter("discord", fails=True)
    with caplog.at_level(logging.ERROR):
        started = await start_all([bad, good])
    assert started == [good] and good.started
    assert bad.stopped  # whatever it opened is closed again
    assert "discord did not start: RuntimeError: token was refused" in caplog.text


@pytest.mark.allow_error_logs  # a platform that fails to start is logged at ERROR
async def test_nothing_started_is_an_error() -> None:
    with pytest.raises(NoAdapterStarted, match="discord did not start"):
        await start_all([FakeAdapter("discord", fails=True)])
