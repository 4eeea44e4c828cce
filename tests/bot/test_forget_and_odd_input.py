"""/forget through the core, what later commands keep (nothing), and odd Unicode input."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from bot.commands.account import NOTHING_TO_FORGET
from bot.commands.history import HISTORY_USAGE, parse_count
from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, UserRef
from bot.inference import EmotionService
from bot.phrases import EMPTY_MESSAGE, INTERNAL_ERROR, UNKNOWN_COMMAND
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from bot.textclean import clean_text, snippet, visible_text
from emotion.text.lexicon import LexiconEstimator
from responses import safety
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)

BEA = UserRef(Platform.TELEGRAM, "7001", display_name="Bea")


@pytest.fixture()
async def core(db_url: str) -> AsyncIterator[Core]:
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), None)
    yield Core(Repository(session_factory(engine)), service, CoreOptions(), rng=random.Random(3))
    service.close()
    await engine.dispose()


def said(text: str, message_id: str | None = None, user: UserRef = BEA) -> Message:
    return Message(user=user, chat_id=user.user_id, text=text, message_id=message_id)


async def test_after_forget_commands_keep_no_row_until_something_is_written(core: Core) -> None:
    await core.handle(said("I had a rough day at work", "1"))
    await core.handle(said("/timezone Europe/Berlin", "2"))
    erased: list[UserRef] = []

    async def hook(ref: UserRef) -> None:
        erased.append(ref)

    core.on_forget.append(hook)
    done = await core.handle(said("/forget confirm", "3"))
    assert "erased everything" in done.text and "1 entr" in done.text
    assert erased == [BEA]
    assert await core.repository.find_user(BEA) is None

    later = [
        "/start", "/help", "/privacy", "/history", "/history 3", "/mood", "/export", "/why",
        "/feel sad", "/timezone", "/remind", "/remind off", "/forget", "/forget confirm",
        "/nonsense", "   ", "\u200b\u200d", "that's wrong, I'm actually sad",
    ]  # fmt: skip
    for number, text in enumerate(later, start=10):
        reply = await core.handle(said(text, str(number)))
        assert reply.text and reply.text != INTERNAL_ERROR, text
        assert await core.repository.find_user(BEA) is None, text

    await core.handle(said("okay, starting fresh today", "99"))
    user = await core.repository.find_user(BEA)
    assert user is not None
    assert [e.text for e in await core.repository.recent_entries(user.id, 10)] == [
        "okay, starting fresh today"
    ]


async def test_setting_a_zone_is_something_to_keep(core: Core) -> None:
    await core.handle(said("/timezone Europe/Berln"))  # a typo: asked back, nothing kept
    assert await core.repository.find_user(BEA) is None
    await core.handle(said("/timezone Europe/Berlin"))
    user = await core.repository.find_user(BEA)
    assert user is not None
    settings = await core.repository.get_settings(user.id)
    assert settings is not None and settings.timezone == "Europe/Berlin"


@pytest.mark.parametrize("argument", ["²", "¹⁰", "①", "٣", "１０", "-1", "0", "2.5", "ten"])
async def test_history_with_an_odd_number_gets_the_usage_line(core: Core, argument: str) -> None:
    await core.handle(said("a calm ordinary day"))
    reply = await core.handle(said(f"/history {argument}"))
    assert reply.text == HISTORY_USAGE


def test_parse_count_takes_only_ascii_digits() -> None:
    assert parse_count("10") == 10
    assert [parse_count(s) for s in ("²", "①", "٣", "", "0", " 1")] == [None] * 6


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", "\u202e\u2066\u2069", "\u3164\u115f", "\ufe0f"],
)
async def test_zero_width_only_text_is_empty_and_not_stored(core: Core, invisible: str) -> None:
    reply = await core.handle(said(invisible))
    assert reply.text == EMPTY_MESSAGE
    assert await core.repository.find_user(BEA) is None


async def test_bidi_overrides_are_neither_stored_nor_echoed(core: Core) -> None:
    await core.handle(said("my \u202eyad doog\u202c day and \u2067isolated\u2069 words"))
    history = await core.handle(said("/history"))
    assert "my yad doog day and isolated words" in history.text
    assert not any(ch in history.text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067")
    user = await core.repository.find_user(BEA)
    assert user is not None
    (entry,) = await core.repository.recent_entries(user.id, 1)
    assert entry.text == "my yad doog day and isolated words"


def test_joiners_inside_visible_text_stay() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert clean_text(f"{family} at home", 100).text == f"{family} at home"
    assert clean_text(persian, 100).text == persian
    assert snippet("a \u202eb") == "a b"
    assert visible_text("\u202eBea\u200b ") == "Bea"
    assert visible_text("\u200b\u3164") == ""


async def test_a_greeting_shows_no_bidi_name(core: Core) -> None:
    sneaky = UserRef(Platform.TELEGRAM, "7002", display_name="\u202eeB\u2069")
    reply = await core.handle(said("/start", user=sneaky))
    assert reply.text.startswith("Hi eB,")


async def test_forget_counts_in_words_and_with_nothing_held_asks_nothing(core: Core) -> None:
    nothing = await core.handle(said("/forget", "1"))
    assert nothing.text == NOTHING_TO_FORGET and not nothing.choices
    await core.handle(said("I had a rough day at work", "2"))
    asked = await core.handle(said("/forget", "3"))
    assert asked.choices
    done = await core.handle(said("/forget confirm", "4"))
    assert "(1 entry)" in done.text
    for number in range(5, 7):
        await core.handle(said(f"a calm day, number {number}", str(number)))
    assert "(2 entries)" in (await core.handle(said("/forget confirm", "7"))).text


@pytest.mark.parametrize("text", ["/", "//", " / / ", "/\n/"])
async def test_slashes_alone_are_an_empty_message(core: Core, text: str) -> None:
    assert (await core.handle(said(text))).text == EMPTY_MESSAGE
    assert await core.repository.find_user(BEA) is None


@pytest.mark.parametrize("text", ["/ history", "/  history 3", "//  mood@attune_bot"])
async def test_a_command_with_a_stray_space_is_unknown_not_an_entry(core: Core, text: str) -> None:
    reply = await core.handle(said(text))
    name = text.split()[1].split("@")[0]
    assert reply.text == UNKNOWN_COMMAND.format(command=f"/ {name}")
    assert await core.repository.find_user(BEA) is None


@pytest.mark.parametrize("text", ["/suicide", "/ kill myself", "/feel like ending it all"])
async def test_crisis_words_after_a_slash_get_the_helpline(core: Core, text: str) -> None:
    reply = await core.handle(said(text))
    assert safety.helplines(None)[0] in reply.text
