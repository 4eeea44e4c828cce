"""Telegram adapter bench: the real PTB stack and core against the fake Bot API server.

Run ``python bench/telegram_bench.py [--users 20] [--seconds 8] [--photo-seconds 8]``.
Simulated users each send a message, wait for the reply, and send the next, all at once.

Phases:
  limits   Telegram's limits enforced by the adapter *and* modelled by the fake server (429
           when a chat gets more than about 1 message/s, or the bot more than 30/s). Shows
           that attune causes no 429s; throughput is capped by Telegram's per-chat rule
           (20 private chats x ~1/s = ~20 replies/s), and handler times include the waits.
  capacity The same with both limits lifted: what the adapter + core can process.
  photos   Selfies (matplotlib's grace_hopper.jpg) with Telegram's limits on, read by the real
           face reader when it loads (else photos are only fetched and refused kindly).

The last line is JSON with every figure. Targets: >= 30 msg/s, handler p95 <= 200 ms,
zero 429s caused by us, >= 5 photo msgs/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram_delivery import Limits
from bot.app import build_app
from bot.config import load_settings
from bot.inference import EmotionService
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


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _phase(
    name: str,
    db: Path,
    users: int,
    seconds: float,
    *,
    limits: Limits | None,
    emotions: EmotionService,
    photo: bytes | None = None,
    core_concurrency: int = 4,
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
    deadline = time.monotonic() + seconds

    async def converse(index: int, user: FakeUser) -> int:
        sent = 0
        while time.monotonic() < deadline:
            text = f"{LINES[(index + sent) % len(LINES)]} ({name} {sent})"
            if photo is None:
                await fake.push_text(user, text)
            else:
                await fake.push_photo(user, photo, text, size=(512, 512))
            sent += 1
            await fake.wait_count(user.id, sent, within=60)
        return sent

    started = time.monotonic()
    counts = await asyncio.gather(*(converse(i, u) for i, u in enumerate(people)))
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
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder)
        lexicon = EmotionService(LexiconEstimator(), None)
        for phase, limits in (("limits", None), ("capacity", NO_LIMITS)):
            results.append(
                await _phase(
                    phase,
                    db / f"{phase}.db",
                    args.users,
                    args.seconds,
                    limits=limits,
                    emotions=lexicon,
                    core_concurrency=args.core_concurrency,
                )
            )
        if args.photo_seconds > 0:
            from bot.inference import load_photo_reader

            reader = load_photo_reader(None)
            photos = EmotionService(LexiconEstimator(), reader)
            name = "photos" if reader is not None else "photos-nofacereader"
            results.append(
                await _phase(
                    name,
                    db / "photos.db",
                    args.users,
                    args.photo_seconds,
                    limits=None,
                    emotions=photos,
                    photo=_selfie(),
                    core_concurrency=args.core_concurrency,
                )
            )
            photos.close()
        lexicon.close()
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
    parser.add_argument("--core-concurrency", type=int, default=4)
    _print(asyncio.run(main(parser.parse_args())))
