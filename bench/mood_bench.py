"""Bench for /mood and /export on a long history: 10,000 entries over two years.

Builds a temp SQLite file through the real migrations, bulk-loads one user's history (plus
other users, so the index has something to skip), then times the command functions the
handlers call — query, summary, chart (in its worker thread) and export — and prints the
query plans. Targets: /mood month ≤ 500 ms p50, /export ≤ 2 s. Exit status 1 if missed.

    .venv/bin/python -m bench.mood_bench [--entries 10000] [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bot.commands.mood import export_reply, mood_reply
from bot.domain import Platform, Reply, UserRecord, UserRef
from bot.storage import migrate
from bot.storage.engine import create_engine, session_factory
from bot.storage.models import EntryRow
from bot.storage.queries import (
    due_reminders_query,
    explain_sql,
    first_entry_query,
    mood_points_query,
)
from bot.storage.repository import Repository
from emotion.labels import LABELS, VALENCE

MOOD_TARGET_S = 0.5
EXPORT_TARGET_S = 2.0
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _rows(user_id: int, count: int, days: int, rng: random.Random) -> list[dict[str, Any]]:
    start = NOW - timedelta(days=days)
    rows = []
    for i in range(count):
        label = rng.choices(LABELS, weights=(1, 0.3, 0.8, 3, 2, 0.7, 3))[0]
        probs = {e.value: rng.random() * 0.2 for e in LABELS}
        probs[label.value] = 0.6 + rng.random() * 0.3
        total = sum(probs.values())
        probs = {k: round(v / total, 4) for k, v in probs.items()}
        rows.append(
            dict(
                user_id=user_id,
                chat_id=f"chat-{user_id}",
                created_at=start + timedelta(seconds=rng.uniform(0, days * 86400)),
                text=f"entry {i}: today felt {label.value}, " + "and some more words " * 3,
                text_probs=probs,
                face_probs=probs if i % 10 == 0 else None,
                fused_probs=probs,
                history_probs=None,
                weights={"text": 0.8, "history": 0.2},
                fused_label=label.value,
                valence=VALENCE[label] * 0.8,
                dominant="text",
                disagreement=False,
                crisis=False,
                face_count=1 if i % 10 == 0 else 0,
                correction=rng.choice(LABELS).value if i % 25 == 0 else None,
                tone="warm",
                reply_id=f"warm-{i % 40}",
            )
        )
    return rows


async def _load(repository: Repository, sessions: Any, entries: int) -> UserRecord:
    rng = random.Random(7)
    user = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "bench", "Bench"))
    others = [
        await repository.get_or_create_user(UserRef(Platform.DISCORD, f"other-{i}"))
        for i in range(20)
    ]
    async with sessions.begin() as session:
        await session.execute(insert(EntryRow), _rows(user.id, entries, 730, rng))
        for other in others:
            await session.execute(insert(EntryRow), _rows(other.id, 250, 730, rng))
    await repository.update_settings(
        user.id, lambda s: type(s)(user_id=s.user_id, timezone="Europe/Berlin")
    )
    return user


async def _time(label: str, runs: int, call: Callable[[], Awaitable[Reply]]) -> tuple[float, Reply]:
    start = time.perf_counter()
    reply = await call()
    cold = time.perf_counter() - start
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        reply = await call()
        samples.append(time.perf_counter() - start)
    p50 = statistics.median(samples)
    p90 = sorted(samples)[max(0, int(len(samples) * 0.9) - 1)]
    print(
        f"  {label:<14} p50 {p50 * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms   "
        f"min {min(samples) * 1000:7.1f} ms   first call {cold * 1000:7.1f} ms   ({runs} runs)"
    )
    return p50, reply


def _plans(path: Path, user_id: int) -> None:
    month_start = NOW - timedelta(days=60)
    statements: dict[str, Any] = {
        "/mood month points": mood_points_query(user_id, month_start, NOW),
        "/mood first entry": first_entry_query(user_id),
        "/export entries": select(EntryRow)
        .where(EntryRow.user_id == user_id, EntryRow.created_at >= datetime(1970, 1, 1))
        .order_by(EntryRow.created_at, EntryRow.id),
        "due reminders": due_reminders_query(NOW, ["console", "discord", "telegram"], 100),
    }
    print("\nquery plans (EXPLAIN QUERY PLAN):")
    with sqlite3.connect(path) as conn:
        for name, statement in statements.items():
            sql = explain_sql(statement)
            plan = [str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
            print(f"  {name}:")
            for line in plan:
                print(f"    {line}")


async def main(entries: int, runs: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(migrate.upgrade, url)
        engine = create_engine(url)
        try:
            sessions = session_factory(engine)
            repository = Repository(sessions)
            start = time.perf_counter()
            user = await _load(repository, sessions, entries)
            print(
                f"loaded {entries:,} entries over 730 days for one user (+ 20 x 250 for others) "
                f"in {time.perf_counter() - start:.1f} s; SQLite {sqlite3.sqlite_version}; "
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (shared machine)"
            )
            with sqlite3.connect(path) as conn:
                conn.execute("ANALYZE")
            print("\ntimings (the functions behind the commands, chart rendered in a thread):")
            month, reply = await _time(
                "/mood month", runs, lambda: mood_reply(repository, user, "month", NOW)
            )
            assert reply.image_png is not None
            print(f"  (chart {len(reply.image_png) / 1024:.0f} KiB)")
            await _time("/mood week", runs, lambda: mood_reply(repository, user, "week", NOW))
            await _time(
                "/mood all", max(3, runs // 3), lambda: mood_reply(repository, user, "all", NOW)
            )
            export, reply = await _time(
                "/export", max(3, runs // 3), lambda: export_reply(repository, user, NOW)
            )
            sizes = ", ".join(f"{a.filename} {len(a.data) / 1e6:.1f} MB" for a in reply.files)
            print(f"  (files: {sizes})")
            _plans(path, user.id)
        finally:
            await engine.dispose()
    ok = month <= MOOD_TARGET_S and export <= EXPORT_TARGET_S
    print(
        f"\n/mood month p50 {month * 1000:.0f} ms (target ≤ {MOOD_TARGET_S * 1000:.0f}), "
        f"/export p50 {export:.2f} s (target ≤ {EXPORT_TARGET_S:.0f}): "
        + ("PASS" if ok else "FAIL")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.entries, args.runs)))
