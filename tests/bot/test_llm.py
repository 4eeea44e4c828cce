"""The optional LLM writer against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, UserRef
from bot.inference import EmotionService
from bot.llm import LlmWriter, WriterRequest
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.text.lexicon import LexiconEstimator
from responses.writer_check import reply_problems

GOOD = "It sounds like your flatmate is wearing you down. What would help most tonight?"


@dataclass
class FakeServer:
    """Answers /v1/chat/completions as told by ``mode``; records what it was sent."""

    mode: str = "good"
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        self.headers.append(request.headers.get("Authorization", ""))
        if self.mode == "slow":
            await asyncio.sleep(2.0)
        if self.mode == "500":
            return web.Response(status=500, text="boom")
        if self.mode == "bad json":
            return web.Response(text="{not json", content_type="application/json")
        if self.mode == "no choices":
            return web.json_response({"object": "chat.completion", "choices": []})
        content = {
            "good": GOOD,
            "slow": GOOD,
            "unsafe": "You probably have depression. Try 50mg of sertraline.",
            "link": "Read this: https://example.com/help",
            "long": "I hear you. " * 60,
        }[self.mode]
        body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
        return web.json_response(body)


@pytest.fixture()
async def server() -> AsyncIterator[tuple[FakeServer, str]]:
    fake = FakeServer()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield fake, f"http://127.0.0.1:{port}"
    await runner.cleanup()


REQUEST = WriterRequest(
    turns=["my flatmate never cleans up and it's driving me mad"],
    reading="angry (confidence 70%)",
    tone="calm",
    act="sharing",
    draft="It sounds like your flatmate never cleans up. What would help?",
)


async def test_a_good_answer_is_used_and_the_request_carries_the_moment(
    server: tuple[FakeServer, str],
) -> None:
    fake, url = server
    writer = LlmWriter(url, "tiny", SecretStr("k-123"), timeout_s=1.0)
    try:
        assert await writer.write(REQUEST) == GOOD
    finally:
        await writer.aclose()
    sent = fake.requests[0]
    assert sent["model"] == "tiny" and sent["messages"][0]["role"] == "system"
    situation = sent["messages"][1]["content"]
    assert "calm" in situation and "flatmate" in situation and "angry" in situation
    assert fake.headers[0] == "Bearer k-123"


@pytest.mark.parametrize(
    "mode", ["slow", "500", "bad json", "no choices", "unsafe", "link", "long"]
)
async def test_every_failure_returns_none(server: tuple[FakeServer, str], mode: str) -> None:
    fake, url = server
    fake.mode = mode
    writer = LlmWriter(url, "tiny", timeout_s=0.3)
    try:
        assert await writer.write(REQUEST) is None
    finally:
        await writer.aclose()


async def test_an_unreachable_server_returns_none() -> None:
    writer = LlmWriter("http://127.0.0.1:9", "tiny", timeout_s=0.3)
    try:
        assert await writer.write(REQUEST) is None
    finally:
        await writer.aclose()


def test_the_check_refuses_what_attune_never_says() -> None:
    assert reply_problems(GOOD) == []
    assert "a diagnosis" in reply_problems("It sounds like you have anxiety disorder.")
    assert "medication advice" in reply_problems("Maybe ask about melatonin for sleep?")
    assert "a link" in reply_problems("See www.example.org for tips.")
    assert "a claim to be human" in reply_problems("I'm a real person, I promise.")
    assert reply_problems("   ") == ["empty"]


def _msg(text: str) -> Message:
    return Message(UserRef(Platform.CONSOLE, "w1", "Robin"), "c-w1", text)


async def _core(db_url: str, writer: LlmWriter) -> tuple[Core, EmotionService]:
    service = EmotionService(LexiconEstimator(), None)
    engine = create_engine(db_url)
    core = Core(
        Repository(session_factory(engine)),
        service,
        CoreOptions(),
        rng=random.Random(1),
        writer=writer,
    )
    return core, service


async def test_core_uses_the_writer_and_falls_back_to_the_bank(
    db_url: str, server: tuple[FakeServer, str]
) -> None:
    fake, url = server
    writer = LlmWriter(url, "tiny", timeout_s=0.5)
    core, service = await _core(db_url, writer)
    try:
        first = await core.handle(_msg("my flatmate never cleans up and it's driving me mad"))
        assert first.text == GOOD
        fake.mode = "unsafe"
        second = await core.handle(_msg("my flatmate left dishes everywhere again"))
        assert second.text and "sertraline" not in second.text
        assert "flatmate" in second.text  # the bank's reflection answered
    finally:
        service.close()
        await writer.aclose()


async def test_crisis_never_goes_through_the_writer(
    db_url: str, server: tuple[FakeServer, str]
) -> None:
    fake, url = server
    writer = LlmWriter(url, "tiny", timeout_s=0.5)
    core, service = await _core(db_url, writer)
    try:
        reply = await core.handle(_msg("I want to end my life"))
        assert "988" in reply.text or "helpline" in reply.text.lower()
        later = await core.handle(_msg("I got a new bike today"))
        assert later.text != GOOD  # the conversation is at risk: the bank answers
        assert fake.requests == []
    finally:
        service.close()
        await writer.aclose()


def test_the_settings_keep_the_key_secret() -> None:
    from bot.config import Settings, SettingsError, load_settings

    settings = load_settings(llm_url="http://127.0.0.1:11434/", llm_api_key="sk-secret")
    assert settings.llm_url == "http://127.0.0.1:11434"
    assert "sk-secret" not in repr(settings)
    assert Settings.model_fields["llm_url"].default is None  # off unless configured
    assert json.dumps(settings.llm_timeout_s) == "3.0"
    with pytest.raises(SettingsError):
        load_settings(llm_timeout_s=10)
