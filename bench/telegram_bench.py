"""Telegram adapter bench: the real PTB stack and core against the fake Bot API server.

Run ``python -m bench.telegram_bench [--users 20] [--seconds 8] [--rate 30] [--photo-seconds 8]``.
The bot runs as deployed: the trained text model (``--lexicon`` swaps in the VADER baseline),
the face reader for selfies, SQLite on disk. The fake server runs in the same process and
shares the two cores, so every figure here includes its cost too.

Phases (20 simulated users each):
  limits   Telegram's limits enforced by the adapter *and* modelled by the fake server (429
           when a chat gets more than about 1 message/s, or the bot more than 30/s). Each user
           sends, waits for the reply, sends again; users start at random moments within the
           first second, as real people do, instead of all in the same millisecond. Shows that
           attune causes no 429s; throughput is capped by Telegram's per-chat rule
           (20 private chats x ~1/s = ~20 replies/s), and the handler figures leave out the
           waits those limits impose on purpose.
  rate     Open loop: the users together send ``--rate`` messages/s (Poisson arrivals, each
           user ``rate/users`` per second, whatever the replies do), with both limits lifted
           (Telegram's 1/s per chat cannot carry 1.5/s per user). The issue's target load.
  capacity Closed loop with the limits lifted: every user always has a message waiting, so
           this is the most the adapter + core can process; latency then is queueing (Little's
           law: 20 waiting / throughput).
  photos   Selfies (matplotlib's grace_hopper.jpg) with Telegram's limits on, read by the real
           face reader.

The last line is JSON with every figure. Targets: >= 30 msg/s with handler p95 <= 200 ms,
zero 429s caused by us, >= 5 photo msgs/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram_limits import Limits
from bot.app import build_app
from bot.config import load_settings
from bot.inference import EmotionService, load_photo_reader, load_text_estimator
from bot.storage import migrate
from emotion.text.lexicon import LexiconEstimator
from tests.bot.adapters.telegram.fake_api import FakeTelegram, FakeUser, FloodModel

TOKEN = "123456789:AAbench-token-0123456789abcdef"
LINES = (
    "I had a great day at work today!",
    "I'm so tired of everything",
    "my sister is visiting, can't wait",
    "why does this always happen to me",
    "just a normal day, nothing special",
    "I'm nervous about the interview tomorrow",
)
NO_LIMITS = Limits(
    overall_per_s=1e6, overall_burst=1e6, private_per_s=1e6, private_burst=1e6, group_per_min=1e6
)


@dataclass(frozen=True, slots=True)
class Figures:
    phase: str
    messages: int
    seconds: float
    per_s: float
    handler_p50_ms: float
    handler_p95_ms: float
    handler_with_waits_p95_ms: float
    core_p95_ms: float
    latency_p95_ms: float
    our_429s: int
    injected_faults: int


def _pct(values: Iterable[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@dataclass(frozen=True, slots=True)
class Load:
    """How the simulated users send: closed loop (wait for each reply) or at a fixed rate."""

    seconds: float
    rate: float | None = None  # messages/s from all users together; None: closed loop
    stagger_s: float = 1.0  # closed loop: each user starts at a random moment in this window


async def _phase(
    name: str,
    db: Path,
    users: int,
    load: Load,
    *,
    limits: Limits | None,
    emotions: EmotionService,
    photo: bytes | None = None,
    core_concurrency: int = 4,
    seed: int = 7,
) -> Figures:
    fake = FakeTelegram(TOKEN, flood=FloodModel(enabled=limits is not NO_LIMITS))
    await fake.start()
    url = f"sqlite+aiosqlite:///{db}"  # a fresh database: the same ids would be duplicates
    await asyncio.to_thread(migrate.upgrade, url)
    settings = load_settings(
        _env_file=None, telegram_token=TOKEN, telegram_api_url=fake.url, database_url=url
    )
    app = build_app(settings, emotions)
    adapter = TelegramAdapter(
        app.core, settings, poll_timeout_s=5, limits=limits, core_concurrency=core_concurrency
    )
    await adapter.start()
    people = [FakeUser(10_000 + i, f"user{i}") for i in range(users)]
    rng = random.Random(seed)
    started = time.monotonic()
    deadline = started + load.seconds

    async def send(index: int, user: FakeUser, sent: int) -> None:
        text = f"{LINES[(index + sent) % len(LINES)]} ({name} {sent})"
        if photo is None:
            await fake.push_text(user, text)
        else:
            await fake.push_photo(user, photo, text, size=(512, 512))

    async def converse(index: int, user: FakeUser) -> int:
        """Closed loop: send, wait for the answer, send the next."""
        await asyncio.sleep(rng.uniform(0, load.stagger_s))
        sent = 0
        while time.monotonic() < deadline:
            await send(index, user, sent)
            sent += 1
            await fake.wait_count(user.id, sent, within=60)
        return sent

    async def stream(index: int, user: FakeUser) -> int:
        """Open loop: Poisson arrivals at this user's share of the rate, replies or not."""
        assert load.rate is not None
        own = random.Random(seed * 1000 + index)
        at = started + own.expovariate(load.rate / users)
        sent = 0
        while at < deadline:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            await send(index, user, sent)
            sent += 1
            at += own.expovariate(load.rate / users)
        await fake.wait_count(user.id, sent, within=120)
        return sent

    counts = await asyncio.gather(
        *((converse if load.rate is None else stream)(i, u) for i, u in enumerate(people))
    )
    elapsed = time.monotonic() - started
    await adapter.stop()
    await app.engine.dispose()  # the emotion service is shared between phases
    await fake.stop()
    stats = adapter.stats
    # The handler's own time: without the waits Telegram's limits impose on purpose.
    own = [t - w for t, w in zip(stats.handler_times, stats.limit_waits, strict=True)]
    return Figures(
        phase=name,
        messages=sum(counts),
        seconds=round(elapsed, 2),
        per_s=round(sum(counts) / elapsed, 1),
        handler_p50_ms=round(_pct(own, 0.5), 1),
        handler_p95_ms=round(_pct(own, 0.95), 1),
        handler_with_waits_p95_ms=round(_pct(stats.handler_times, 0.95), 1),
        core_p95_ms=round(_pct(stats.core_times, 0.95), 1),
        latency_p95_ms=round(_pct(stats.latencies, 0.95), 1),
        our_429s=fake.flood_429s,
        injected_faults=fake.injected,
    )


def _selfie() -> bytes:
    import matplotlib.cbook

    return Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).read_bytes()


async def main(args: argparse.Namespace) -> list[Figures]:
    logging.basicConfig(level=logging.DEBUG if os.environ.get("BENCH_DEBUG") else logging.WARNING)
    logging.getLogger("bot.adapters").setLevel(logging.ERROR)  # expected 429 warnings aside
    results = []
    text = LexiconEstimator() if args.lexicon else load_text_estimator(None)
    reader = load_photo_reader(None) if args.photo_seconds > 0 else None
    emotions = EmotionService(text, reader)
    phases: list[tuple[str, Load, Limits | None]] = [
        ("limits", Load(args.seconds), None),
        ("rate", Load(args.seconds, rate=args.rate), NO_LIMITS),
        ("capacity", Load(args.seconds), NO_LIMITS),
    ]
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder)
        await _phase("warm-up", db / "warm.db", 2, Load(1.0), limits=NO_LIMITS, emotions=emotions)
        for phase, load, limits in phases:
            results.append(
                await _phase(
                    phase,
                    db / f"{phase}.db",
                    args.users,
                    load,
                    limits=limits,
                    emotions=emotions,
                    core_concurrency=args.core_concurrency,
                )
            )
        if args.photo_seconds > 0:
            name = "photos" if reader is not None else "photos-nofacereader"
            results.append(
                await _phase(
                    name,
                    db / "photos.db",
                    args.users,
                    Load(args.photo_seconds),
                    limits=None,
                    emotions=emotions,
                    photo=_selfie(),
                    core_concurrency=args.core_concurrency,
                )
            )
    emotions.close()
    return results


def _print(results: list[Figures]) -> None:
    print("handler = update taken -> last reply sent, without deliberate rate-limit waits;")
    print("+waits = the same with them; core = Core.handle (DB + models); ms")
    print(f"{'phase':<10} {'msgs':>5} {'msg/s':>6} {'handler p50':>11} {'p95':>7} "
          f"{'+waits p95':>10} {'core p95':>8} {'our 429s':>8}")  # fmt: skip
    for r in results:
        print(
            f"{r.phase[:10]:<10} {r.messages:>5} {r.per_s:>6} {r.handler_p50_ms:>11} "
            f"{r.handler_p95_ms:>7} {r.handler_with_waits_p95_ms:>10} {r.core_p95_ms:>8} "
            f"{r.our_429s:>8}"
        )
    print(json.dumps([_as_dict(r) for r in results]))


def _as_dict(figures: Figures) -> dict[str, object]:
    return {name: getattr(figures, name) for name in Figures.__slots__}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--photo-seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=30.0, help="open-loop phase, msgs/s")
    parser.add_argument("--core-concurrency", type=int, default=4)
    parser.add_argument("--lexicon", action="store_true", help="VADER instead of the text model")
    _print(asyncio.run(main(parser.parse_args())))
