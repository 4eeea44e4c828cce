"""The repository against a real SQLite file: users, entries, de-duplication, forgetting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.domain import NewEntry, Platform, UserRef, UserSettings, fusion_of
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import DuplicateMessage, Repository
from emotion.fusion import HistoryPoint, fuse
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox, PhotoReading
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)


def _entry(text: str, label: Emotion = Emotion.HAPPY, **changes: object) -> NewEntry:
    probs = {e.value: (1.0 if e == label else 0.0) for e in Emotion}
    fields: dict[str, object] = dict(
        chat_id="c1",
        text=text,
        text_probs=probs,
        face_probs=None,
        fused_probs=probs,
        history_probs=None,
        weights={"text": 1.0},
        fused_label=label,
        valence=0.5,
        dominant=Source.TEXT,
        disagreement=False,
        crisis=False,
        face_count=0,
        tone="celebrate",
        reply_id="celebrate-1",
    )
    fields.update(changes)
    return NewEntry(**fields)  # type: ignore[arg-type]


async def test_instants_in_any_zone_are_stored_and_compared_as_utc(
    repository: Repository,
) -> None:
    """One UTC column type: an instant given in another zone is the same instant when stored,
    read back (aware, UTC) and compared against, on SQLite (which drops offsets) as on
    PostgreSQL."""
    user = await repository.get_or_create_user(UserRef(Platform.CONSOLE, "zones"))
    tokyo = ZoneInfo("Asia/Tokyo")
    at = datetime(2026, 1, 1, 9, tzinfo=tokyo)  # 00:00 UTC
    await repository.add_entry(
        user.id, _entry("new year", created_at=at), platform=Platform.CONSOLE, message_id=None
    )
    (entry,) = await repository.recent_entries(user.id, 1)
    assert entry.created_at == at and entry.created_at.tzinfo is UTC
    just_after = datetime(2026, 1, 1, 1, 31, tzinfo=timezone(timedelta(hours=1, minutes=30)))
    assert [e.text for e in await repository.entries_since(user.id, just_after)] == []
    just_before = datetime(2025, 12, 31, 18, 59, tzinfo=ZoneInfo("America/New_York"))
    assert [e.text for e in await repository.entries_since(user.id, just_before)] == ["new year"]
    east = datetime(2026, 1, 1, 8, 59, tzinfo=tokyo)  # 23:59 UTC: its wall time reads later
    assert [e.text for e in await repository.entries_since(user.id, east)] == ["new year"]
    assert await repository.first_entry_at(user.id) == at


async def test_users_are_unique_per_platform(repository: Repository) -> None:
    a = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "42", "Ann"))
    again = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "42"))
    other_platform = await repository.get_or_create_user(UserRef(Platform.DISCORD, "42"))
    assert a.id == again.id
    assert again.display_name == "Ann"
    assert other_platform.id != a.id


async def test_entries_round_trip_newest_first(repository: Repository) -> None:
    user = await repository.get_or_create_user(UserRef(Platform.CONSOLE, "u"))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(3):
        await repository.add_entry(
            user.id,
            _entry(f"m{i}", created_at=start + timedelta(hours=i)),
            platform=Platform.CONSOLE,
            message_id=None,
        )
    recent = await repository.recent_entries(user.id, 2)
    assert [e.text for e in recent] == ["m2", "m1"]
    assert recent[0].created_at.tzinfo is not None
    assert recent[0].fused_label is Emotion.HAPPY
    since = await repository.entries_since(user.id, start + timedelta(minutes=30))
    assert [e.text for e in since] == ["m1", "m2"]


async def test_turn_context_reads_user_seen_and_newest_entries(repository: Repository) -> None:
    ann = UserRef(Platform.TELEGRAM, "11", "Ann")
    since = datetime(2026, 1, 1, tzinfo=UTC)
    fresh = await repository.turn_context(ann, "c1", "1", since=since)
    assert fresh.user is None and not fresh.seen and fresh.recent == []

    user = await repository.get_or_create_user(ann)
    other = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "12", "Bob"))
    for i in range(5):
        at = since + timedelta(hours=i)
        stored = await repository.add_entry(
            user.id, _entry(f"m{i}", created_at=at), platform=Platform.TELEGRAM, message_id=str(i)
        )
        assert stored.text == f"m{i}" and stored.created_at == at and stored.id > 0
    await repository.add_entry(
        other.id, _entry("not Ann's"), platform=Platform.TELEGRAM, message_id="99"
    )

    turn = await repository.turn_context(ann, "c1", "5", since=since, limit=3)
    assert turn.user == user and not turn.seen
    assert [e.text for e in turn.recent] == ["m2", "m3", "m4"]  # newest three, oldest first
    assert all(e.user_id == user.id for e in turn.recent)
    assert turn.recent[-1] == (await repository.recent_entries(user.id, 1))[0]

    repeat = await repository.turn_context(ann, "c1", "4", since=since)
    assert repeat.seen and repeat.recent == []
    assert not (await repository.turn_context(ann, "c2", "4", since=since)).seen
    command = await repository.turn_context(ann, "c1", "6", since=None)
    assert command.user == user and command.recent == []


async def test_entry_times_with_an_offset_are_stored_as_the_same_instant(
    repository: Repository,
) -> None:
    user = await repository.get_or_create_user(UserRef(Platform.CONSOLE, "tz"))
    local = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    stored = await repository.add_entry(
        user.id, _entry("morning", created_at=local), platform=Platform.CONSOLE, message_id=None
    )
    read_back = (await repository.recent_entries(user.id, 1))[0]
    assert stored.created_at == read_back.created_at == local  # the same instant
    assert read_back.created_at.utcoffset() == timedelta(0)
    assert read_back.created_at.hour == 7


async def test_same_message_is_stored_once(repository: Repository) -> None:
    user = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "7"))
    await repository.add_entry(user.id, _entry("hi"), platform=Platform.TELEGRAM, message_id="5")
    seven = UserRef(Platform.TELEGRAM, "7")
    assert (await repository.turn_context(seven, "c1", "5", since=None)).seen
    with pytest.raises(DuplicateMessage):
        await repository.add_entry(
            user.id, _entry("hi"), platform=Platform.TELEGRAM, message_id="5"
        )
    assert len(await repository.recent_entries(user.id, 10)) == 1


async def test_concurrent_duplicates_store_one(repository: Repository) -> None:
    user = await repository.get_or_create_user(UserRef(Platform.DISCORD, "9"))

    async def deliver() -> bool:
        try:
            await repository.add_entry(
                user.id, _entry("x"), platform=Platform.DISCORD, message_id="77"
            )
        except DuplicateMessage:
            return False
        return True

    outcomes = await asyncio.gather(*(deliver() for _ in range(5)))
    assert outcomes.count(True) == 1


async def test_correction_only_on_own_entries(repository: Repository) -> None:
    owner = await repository.get_or_create_user(UserRef(Platform.CONSOLE, "owner"))
    other = await repository.get_or_create_user(UserRef(Platform.CONSOLE, "other"))
    entry = await repository.add_entry(
        owner.id, _entry("meh"), platform=Platform.CONSOLE, message_id=None
    )
    assert not await repository.set_correction(other.id, entry.id, Emotion.SAD)
    assert await repository.set_correction(owner.id, entry.id, Emotion.FEAR)
    (stored,) = await repository.recent_entries(owner.id, 1)
    assert stored.correction is Emotion.FEAR
    assert stored.label is Emotion.FEAR


async def test_forget_erases_only_that_user(repository: Repository) -> None:
    a = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "a"))
    b = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "b"))
    await repository.add_entry(a.id, _entry("a1"), platform=Platform.TELEGRAM, message_id="1")
    await repository.add_entry(b.id, _entry("b1"), platform=Platform.TELEGRAM, message_id="2")
    result = await repository.forget_user(a.id)
    assert result.entries == 1
    assert result.processed_messages == 1
    assert await repository.find_user(UserRef(Platform.TELEGRAM, "a")) is None
    b_ref = UserRef(Platform.TELEGRAM, "b")
    assert (await repository.turn_context(b_ref, "c1", "2", since=None)).seen
    assert not (await repository.turn_context(b_ref, "c1", "1", since=None)).seen
    assert [e.text for e in await repository.recent_entries(b.id, 10)] == ["b1"]


@pytest.mark.backends("sqlite")  # BEGIN IMMEDIATE is SQLite's; PostgreSQL locks per row
async def test_writes_take_the_lock_up_front_and_reads_do_not(db_url: str) -> None:
    from sqlalchemy import event

    engine = create_engine(db_url)
    begins: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("BEGIN"):
            begins.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    repo = Repository(session_factory(engine))
    try:
        user = await repo.get_or_create_user(UserRef(Platform.CONSOLE, "lock"))
        begins.clear()
        await repo.get_or_create_user(UserRef(Platform.CONSOLE, "lock"))  # known: a read
        await repo.recent_entries(user.id, 5)
    finally:
        await engine.dispose()
    assert begins == ["BEGIN", "BEGIN"]


async def test_risk_state_round_trips_with_the_turn_and_is_forgotten(
    repository: Repository,
) -> None:
    ref = UserRef(Platform.TELEGRAM, "7")
    user = await repository.get_or_create_user(ref)
    since = datetime.now(UTC) - timedelta(days=1)
    assert (await repository.turn_context(ref, "c1", "m1", since=since)).risk_state is None
    now = datetime.now(UTC)
    await repository.save_risk_state(user.id, '{"v": 1}', now)
    await repository.save_risk_state(user.id, '{"v": 2}', now)
    assert (await repository.turn_context(ref, "c1", "m1", since=None)).risk_state == '{"v": 2}'
    await repository.forget_user(user.id)
    await repository.get_or_create_user(ref)
    assert (await repository.turn_context(ref, "c1", "m2", since=since)).risk_state is None


async def test_a_new_users_first_messages_at_once_make_one_user(repository: Repository) -> None:
    # SQLite takes one writer at a time; PostgreSQL runs these transactions side by side, so
    # all but one insert meets the unique constraint and must read the winner's row.
    ref = UserRef(Platform.TELEGRAM, "burst", "Bea")
    users = await asyncio.gather(*(repository.get_or_create_user(ref) for _ in range(8)))
    assert len({user.id for user in users}) == 1


async def test_first_risk_states_and_settings_written_at_once_keep_one_row(
    repository: Repository,
) -> None:
    user = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "both"))
    now = datetime.now(UTC)
    await asyncio.gather(
        *(repository.save_risk_state(user.id, f'{{"v": {n}}}', now) for n in range(8))
    )
    assert (await repository.risk_state(user.id)) in {f'{{"v": {n}}}' for n in range(8)}

    def zone(name: str) -> Callable[[UserSettings], UserSettings]:
        return lambda settings: replace(settings, timezone=name)

    names = ["Europe/Berlin", "Asia/Tokyo", "America/Lima", "Pacific/Chatham"]
    await asyncio.gather(*(repository.update_settings(user.id, zone(name)) for name in names))
    settings = await repository.get_settings(user.id)
    assert settings is not None and settings.timezone in names


async def _server_zone(db_url: str, backend: str, zone: str) -> None:
    """Give a PostgreSQL test database a session time zone far from UTC (+13:45 in
    Chatham's summer), as a server configured for its operator's locale would have."""
    if backend != "postgresql":
        return  # SQLite has no server zone: values are stored as UTC text
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            # The test's own role: its sessions, and no other test's, get the zone.
            await connection.execute(text(f"ALTER ROLE CURRENT_USER SET timezone TO '{zone}'"))
            await connection.commit()
    finally:
        await engine.dispose()


async def test_instants_dates_and_json_read_back_the_same_whatever_the_servers_zone(
    db_url: str, backend: str
) -> None:
    await _server_zone(db_url, backend, "Pacific/Chatham")
    engine = create_engine(db_url)
    repository = Repository(session_factory(engine))
    try:
        if backend == "postgresql":
            async with engine.connect() as connection:
                zone = (await connection.execute(text("SHOW timezone"))).scalar_one()
            assert zone == "Pacific/Chatham"
        user = await repository.get_or_create_user(UserRef(Platform.CONSOLE, "tz-json"))
        # Just before and after midnight UTC, written with offsets on either side of it.
        late = datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5)))
        early = datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=13, minutes=45)))
        awkward = {"happy": 0.1 + 0.2, "sad": 1 / 3, "fear": 1e-300, "zäh ✓": 5e-324}
        weights = {"text": 0.7, "face": 0.2, "history": 0.1}  # order kept, as written
        for moment, name in ((late, "late"), (early, "early")):
            await repository.add_entry(
                user.id,
                _entry(name, created_at=moment, text_probs=awkward, weights=weights),
                platform=Platform.CONSOLE,
                message_id=None,
            )
        newest, oldest = await repository.recent_entries(user.id, 2)
        assert (oldest.text, newest.text) == ("early", "late")  # early is 10:45 UTC on 31 Dec
        assert oldest.created_at == early and newest.created_at == late
        assert newest.created_at.utcoffset() == timedelta(0)
        assert newest.text_probs == awkward and list(newest.weights or {}) == list(weights)
        assert await repository.first_entry_at(user.id) == early
        window = await repository.mood_points(user.id, early, late)  # [start, end)
        assert len(window) == 1

        sent_on = date(2026, 12, 31)
        next_at = datetime(2027, 1, 1, 9, tzinfo=ZoneInfo("Pacific/Chatham"))
        await repository.update_settings(
            user.id,
            lambda s: replace(
                s, reminder_next_at=next_at, reminder_last_sent_on=sent_on, timezone="UTC"
            ),
        )
        settings = await repository.get_settings(user.id)
        assert settings is not None
        assert settings.reminder_next_at == next_at and settings.reminder_last_sent_on == sent_on
        assert settings.reminder_next_at.utcoffset() == timedelta(0)
    finally:
        await engine.dispose()


@pytest.mark.backends("postgresql")
async def test_postgresql_sessions_are_read_committed_named_and_in_their_own_schema(
    db_url: str,
) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            isolation = (await connection.execute(text("SHOW transaction_isolation"))).scalar()
            name = (await connection.execute(text("SHOW application_name"))).scalar()
            schema, user = (await connection.execute(text("SELECT current_schema, user"))).one()
            where = text("SELECT DISTINCT table_schema FROM information_schema.tables")
            schemas = set((await connection.execute(where)).scalars()) - {
                "pg_catalog",
                "information_schema",
            }
    finally:
        await engine.dispose()
    assert (isolation, name) == ("read committed", "attune")
    assert schema == user and schemas == {user}  # the test's own schema, nothing in public


async def test_a_fusion_result_survives_storing_for_why(repository: Repository) -> None:
    """``NewEntry.read`` and ``fusion_of`` are one mapper pair: what the fusion said is what
    /why rebuilds from the stored entry (every source, weight, the verdict and its confidence)."""
    words = EmotionEstimate.from_mapping({Emotion.SAD: 0.7, Emotion.NEUTRAL: 0.3}, Source.TEXT, 1.0)
    face = EmotionEstimate.from_mapping(
        {Emotion.HAPPY: 0.8, Emotion.NEUTRAL: 0.2}, Source.FACE, 1.0
    )
    box = FaceBox(x=10, y=10, width=100, height=100, confidence=0.95)
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    past = [HistoryPoint(now - timedelta(hours=5), tuple(1.0 if i == 4 else 0.0 for i in range(7)))]
    result = fuse(
        words,
        PhotoReading(estimate=face, faces=(box,), image_size=(200, 200)),
        past,
        now=now,
        half_life=timedelta(hours=72),
    )
    user = await repository.get_or_create_user(UserRef(Platform.CONSOLE, "mapper"))
    entry = NewEntry.read(
        result, chat_id="c", text="meh", crisis=False, face_count=1, tone="t", reply_id="r"
    )
    await repository.add_entry(user.id, entry, platform=Platform.CONSOLE, message_id=None)
    (stored,) = await repository.recent_entries(user.id, 1)
    back = fusion_of(stored)
    assert back.estimate.as_dict() == result.estimate.as_dict()
    assert back.estimate.confidence == result.estimate.confidence
    assert dict(back.weights) == dict(result.weights)
    assert (back.dominant, back.disagreement) == (result.dominant, result.disagreement)
    for mine, theirs in ((back.text, words), (back.face, face), (back.history, result.history)):
        assert mine is not None and theirs is not None
        assert mine.as_dict() == theirs.as_dict()
