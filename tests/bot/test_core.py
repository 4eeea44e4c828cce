"""The core pipeline in-process: commands, corrections, /why, safety, faults and privacy."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, Reply, UserRef
from bot.inference import EmotionService
from bot.phrases import INTERNAL_ERROR
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import PhotoProblem, PhotoReading
from emotion.text.lexicon import LexiconEstimator
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)


class BrokenEstimator:
    def estimate(self, text: str) -> EmotionEstimate:
        raise RuntimeError("model crashed")


@dataclass
class FixedPhotoReader:
    reading: PhotoReading

    def read(self, data: bytes) -> PhotoReading:
        return self.reading


@pytest.fixture()
async def core(db_url: str) -> AsyncIterator[Core]:
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), None)
    yield Core(Repository(session_factory(engine)), service, CoreOptions(), rng=random.Random(1))
    service.close()
    await engine.dispose()


def msg(text: str, user: str = "u1", **kw: object) -> Message:
    return Message(
        user=UserRef(Platform.TELEGRAM, user, display_name=user.title()),
        chat_id=f"chat-{user}",
        text=text,
        **kw,  # type: ignore[arg-type]
    )


async def test_reply_is_stored_with_emotion(core: Core) -> None:
    reply = await core.handle(msg("I am so happy and grateful today!"))
    assert reply.text and not reply.duplicate
    user = await core.repository.find_user(UserRef(Platform.TELEGRAM, "u1"))
    assert user is not None
    (entry,) = await core.repository.recent_entries(user.id, 5)
    assert entry.fused_label is Emotion.HAPPY
    assert entry.tone is not None and entry.reply_id is not None


async def test_redelivered_message_is_answered_once(core: Core) -> None:
    first = await core.handle(msg("hello there", message_id="10"))
    again = await core.handle(msg("hello there", message_id="10"))
    assert not first.duplicate
    assert again.duplicate and again.text == ""


async def test_no_reply_repeats_within_ten(core: Core) -> None:
    texts = [(await core.handle(msg("I feel a bit sad today"))).text for _ in range(10)]
    assert len(set(texts)) == 10


async def test_crisis_leads_with_care_and_helplines_and_is_flagged(core: Core) -> None:
    reply = await core.handle(msg("i just want to kms tbh"))
    assert "988" in reply.text or "helpline" in reply.text.lower()
    user = await core.repository.find_user(UserRef(Platform.TELEGRAM, "u1"))
    assert user is not None
    (entry,) = await core.repository.recent_entries(user.id, 1)
    assert entry.crisis
    benign = await core.handle(msg("this exam is killing me lol"))
    assert "helpline" not in benign.text.lower()


async def test_crisis_works_when_the_model_is_broken(db_url: str) -> None:
    engine = create_engine(db_url)
    service = EmotionService(BrokenEstimator(), None)
    core = Core(Repository(session_factory(engine)), service)
    try:
        reply = await core.handle(msg("I want to end my life"))
        assert "988" in reply.text or "helpline" in reply.text.lower()
        normal = await core.handle(msg("ok day, nothing special"))
        assert normal.text and normal.text != INTERNAL_ERROR  # read by the lexicon instead
    finally:
        service.close()
        await engine.dispose()


async def test_correction_and_why(core: Core) -> None:
    await core.handle(msg("whatever, I'm fine"))
    ack = await core.handle(msg("that's wrong, I'm actually anxious"))
    assert "fear" in ack.text
    why = await core.handle(msg("/why"))
    assert "words" in why.text.lower()
    assert "fear" in why.text
    assert why.private
    feel = await core.handle(msg("/feel sad"))
    assert "sad" in feel.text
    bad = await core.handle(msg("/feel purple"))
    assert "one of" in bad.text


async def test_photo_problems_get_specific_kind_lines(db_url: str) -> None:
    engine = create_engine(db_url)
    reader = FixedPhotoReader(PhotoReading(problem=PhotoProblem.NO_FACE, image_size=(640, 480)))
    service = EmotionService(LexiconEstimator(), reader)
    core = Core(Repository(session_factory(engine)), service)
    try:
        with_text = await core.handle(msg("look at my garden", photo=b"\x89PNG..."))
        assert "couldn't find a face" in with_text.text
        alone = await core.handle(msg("", photo=b"\x89PNG..."))
        assert alone.text
        too_big = await core.handle(msg("me", photo_problem=PhotoProblem.TOO_LARGE))
        assert "too large" in too_big.text and "20 MB" in too_big.text
    finally:
        service.close()
        await engine.dispose()


async def test_face_estimate_is_fused_and_stored(db_url: str) -> None:
    engine = create_engine(db_url)
    face = EmotionEstimate.from_mapping(
        {Emotion.HAPPY: 0.9, Emotion.NEUTRAL: 0.1}, Source.FACE, 0.9
    )
    reader = FixedPhotoReader(PhotoReading(estimate=face, image_size=(400, 400)))
    service = EmotionService(LexiconEstimator(), reader)
    core = Core(Repository(session_factory(engine)), service)
    try:
        await core.handle(msg("", photo=b"jpeg"))
        user = await core.repository.find_user(UserRef(Platform.TELEGRAM, "u1"))
        assert user is not None
        (entry,) = await core.repository.recent_entries(user.id, 1)
        assert entry.face_probs is not None and entry.fused_label is Emotion.HAPPY
    finally:
        service.close()
        await engine.dispose()


async def test_private_commands_are_marked_private(core: Core) -> None:
    await core.handle(msg("good morning"))
    history = await core.handle(msg("/history", is_private_chat=False))
    assert history.private
    help_reply: Reply = await core.handle(msg("/help"))
    assert "/history" in help_reply.text and not help_reply.private


async def test_start_explains_before_analysing(core: Core) -> None:
    reply = await core.handle(msg("/start"))
    assert "never stored" in reply.text and "/forget" in reply.text
    # Nothing is kept about someone who has only asked what attune does.
    assert await core.repository.find_user(UserRef(Platform.TELEGRAM, "u1")) is None


class FailingWrites(Repository):
    """A database that reads but refuses every write (locked for good, or a full disk)."""

    async def get_or_create_user(self, ref: UserRef, known: object = None) -> object:  # type: ignore[override]
        raise _locked()

    async def add_entry(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise _locked()


def _locked() -> Exception:
    from sqlalchemy.exc import OperationalError

    return OperationalError("INSERT ...", {}, Exception("database is locked"))


@pytest.mark.allow_error_logs  # the fault is logged as an ERROR, by design
async def test_a_database_refusing_writes_delays_storing_not_the_answer(db_url: str) -> None:
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), None)
    core = Core(FailingWrites(session_factory(engine)), service, CoreOptions(storage_wait_s=0.2))
    try:
        crisis = await core.handle(msg("I want to end my life", message_id="1"))
        assert "findahelpline" in crisis.text  # help, never the apology
        ordinary = await core.handle(msg("I had a lovely walk today", user="u2", message_id="1"))
        assert ordinary.text and "went wrong" not in ordinary.text.lower()
        assert core.writes.backlog > 0  # kept, to be stored when the database is back
    finally:
        await core.writes.flush(timeout_s=0.1)
        service.close()
        await engine.dispose()


class BrokenReads(Repository):
    async def turn_context(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise RuntimeError("a bug in storage")


@pytest.mark.allow_error_logs  # the fault is logged as an ERROR, by design
async def test_a_crisis_message_gets_help_even_when_the_turn_fails(db_url: str) -> None:
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), None)
    core = Core(BrokenReads(session_factory(engine)), service, CoreOptions())
    try:
        crisis = await core.handle(msg("I want to end my life", message_id="1"))
        assert "findahelpline" in crisis.text
        ordinary = await core.handle(msg("just a normal day", message_id="2"))
        assert "went wrong" in ordinary.text  # anything else: the kind apology
    finally:
        service.close()
        await engine.dispose()


class RecordingEstimator:
    """A text model that remembers what it was asked to read."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def estimate(self, text: str) -> EmotionEstimate:
        self.read.append(text)
        return LexiconEstimator().estimate(text)


async def test_a_crisis_message_never_waits_on_the_models(repository: Repository) -> None:
    model, photos = RecordingEstimator(), FixedPhotoReader(PhotoReading(problem=None))
    service = EmotionService(model, photos)
    core = Core(repository, service, CoreOptions())
    try:
        crisis = await core.handle(msg("I want to end my life", message_id="1", photo=b"x"))
        assert "findahelpline" in crisis.text
        await core.handle(msg("what a lovely afternoon", message_id="2"))
        assert model.read == ["what a lovely afternoon"]  # the flagged one went to no model
    finally:
        service.close()


async def test_negated_positives_do_not_rewrite_the_mood_log(core: Core) -> None:
    said = ("not the worst day", "it wasn't bad at all actually", "I'm not unhappy, just tired")
    for text in said:
        reply = await core.handle(msg(text))
        assert "correcting me" not in reply.text and "noted that you feel" not in reply.text
    user = await core.repository.find_user(UserRef(Platform.TELEGRAM, "u1"))
    assert user is not None
    entries = await core.repository.recent_entries(user.id, 5)
    assert len(entries) == 3 and all(e.correction is None for e in entries)


async def test_the_same_correction_twice_is_not_answered_word_for_word(core: Core) -> None:
    await core.handle(msg("exam went okay I suppose"))
    first = await core.handle(msg("no, I'm actually scared"))
    again = await core.handle(msg("/feel fear"))
    changed = await core.handle(msg("/feel angry"))
    assert "fear" in first.text and "fear" in again.text
    assert len({first.text, again.text, changed.text}) == 3
    assert "angry" in changed.text


async def test_short_acknowledgements_do_not_repeat_within_ten(core: Core) -> None:
    said = ["ok", "yeah", "sure", "right", "fine", "cool", "yep", "hmm", "okay", "k", "alright"]
    texts = [(await core.handle(msg(text))).text for text in said]
    for i, text in enumerate(texts):
        assert text not in texts[max(0, i - 10) : i], (said[i], text)


async def test_the_core_serves_the_table_and_clock_it_is_given(db_url: str) -> None:
    """The composition root builds the command table; handlers get what the context carries
    (repository, table, clock, caller), never the core."""
    from datetime import UTC, datetime

    from bot.commands import Command, CommandContext, CommandTable

    seen: list[CommandContext] = []

    async def ping(ctx: CommandContext) -> Reply:
        seen.append(ctx)
        names = ",".join(c.name for c in ctx.commands)
        return Reply(f"pong {ctx.clock():%Y-%m-%d %H:%M} {names} {ctx.args}")

    at = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), None)
    repository = Repository(session_factory(engine))
    table = CommandTable([Command("ping", "answers", ping)])
    core = Core(repository, service, commands=table, clock=lambda: at)
    try:
        assert (await core.handle(msg("/ping now"))).text == "pong 2026-02-03 04:05 ping now"
        unknown = (await core.handle(msg("/help"))).text  # not in this table
        assert unknown.startswith("I don't know the command /help")
        (ctx,) = seen
        assert ctx.repository is repository and ctx.commands is table and ctx.user is None
        assert not hasattr(ctx, "core")
    finally:
        service.close()
        await engine.dispose()
