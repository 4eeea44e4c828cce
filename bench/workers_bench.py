"""Many workers bench: real ``python -m bot`` processes against the fake Bot API.

Run ``python -m bench.workers_bench [--users 200] [--messages 3] [--workers 1 2 4]``.

Runs, one after the other, each on a fresh database:
  sqlite       one ``python -m bot`` process (receives and answers), SQLite on disk;
  postgresql   one ``python -m bot receive`` and N ``python -m bot worker`` processes on the
               local PostgreSQL (127.0.0.1:5432), for each N of ``--workers``;
  kill         the same with two workers, one SIGKILLed once a quarter of the replies are out.

Every simulated user writes in a group of their own (so each reply names the message it
answers: order and duplicates are checked on that), ``--messages`` numbered messages each,
all pushed at once: a backlog the processes work through. The text model is the lexicon (as
in a checkout without the trained models), and the fake server runs in this process, on the
same cores. Telegram's flood control is lifted in the fake and each process's overall send
limit raised (``ATTUNE_TELEGRAM_SEND_PER_S``): one bot's 30 messages/s would otherwise be the
figure for every row. The per-chat group limit stays (3 messages fit its burst).

Columns: msgs/s (messages / seconds from the first push to the last reply), handler p50/p95
(ms, from each process's own log at its SIGTERM; the worst process when there are several),
reply p50/p95 (ms from the push to the reply, as the fake saw it; includes the backlog's
queueing), out-of-order chats, lost messages, duplicated replies. A SIGKILLed worker reports
no handler times. The last line is JSON with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.storage import migrate
from tests import backends
from tests.bot.adapters.telegram.fake_api import (
    BOT_USERNAME,
    FakeChat,
    FakeTelegram,
    FakeUser,
    FloodModel,
)
from tests.bot.faults.test_durability import WORDS, BotProcess, bot_env
from tests.bot.workers.test_many_workers import replied_to

TOKEN = "123456789:AAbench-token-0123456789abcdef"
HANDLER = re.compile(r"handler p50 ([\d.]+) ms, p95 ([\d.]+) ms")


@dataclass(frozen=True, slots=True)
class Row:
    backend: str
    workers: int
    messages: int
    seconds: float
    per_s: float
    handler_p50_ms: float | None
    handler_p95_ms: float | None
    reply_p50_ms: float
    reply_p95_ms: float
    out_of_order: int
    lost: int
    duplicated: int
    killed: bool = False


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def _env(fake: FakeTelegram, url: str, folder: Path, lease_s: float) -> dict[str, str]:
    return bot_env(
        fake,
        url,
        folder,
        ATTUNE_TELEGRAM_SEND_PER_S="100000",
        ATTUNE_WORKER_LEASE_S=str(lease_s),
        ATTUNE_WORKER_POLL_S="0.1",
    )


async def _run(
    backend: str, url: str, workers: int, args: argparse.Namespace, *, kill: bool = False
) -> Row:
    fake = FakeTelegram(TOKEN, flood=FloodModel(enabled=False))
    await fake.start()
    folder = Path(tempfile.mkdtemp(prefix="workers-bench-"))
    env = _env(fake, url, folder, args.lease)
    if args.debug:
        env["ATTUNE_LOG_LEVEL"] = "DEBUG"
    if workers == 0:  # one process that receives and answers
        answering = [BotProcess(env)]
        processes = answering
    else:
        answering = [BotProcess(env, ("worker",)) for _ in range(workers)]
        processes = [BotProcess(env, ("receive",)), *answering]
    try:
        await asyncio.gather(*(p.start(within=600) for p in processes))
        users = [FakeUser(50_000 + i, f"U{i}") for i in range(args.users)]
        chats = [FakeChat.group(-300_000 - i, f"G{i}") for i in range(args.users)]
        expected: dict[int, list[int]] = {c.id: [] for c in chats}
        pushed: dict[tuple[int, int], float] = {}
        started = time.monotonic()
        for n in range(1, args.messages + 1):
            for i, (user, chat) in enumerate(zip(users, chats, strict=True)):
                text = f"@{BOT_USERNAME} message {n}: {WORDS[(i + n) % len(WORDS)]}"
                update = await fake.push_text(user, text, chat)
                message_id = int(update["message"]["message_id"])
                expected[chat.id].append(message_id)
                pushed[(chat.id, message_id)] = time.monotonic()
        total = args.users * args.messages

        def answered() -> int:
            return len({(s.chat_id, replied_to(s)) for s in fake.sent})

        if kill:
            await fake.wait_sent(lambda _: answered() >= total // 4, within=600)
            await answering[0].stop(signal.SIGKILL)
        with contextlib.suppress(AssertionError):  # not all answered in time: counted as lost
            await fake.wait_sent(lambda _: answered() >= total, within=args.within)
        last = max((s.at for s in fake.sent), default=time.monotonic())
        await asyncio.sleep(1.0)  # room for a (wrong) late or second send
        replies: dict[int, list[int | None]] = {c.id: [] for c in chats}
        delays: list[float] = []
        for sent in fake.sent:
            if sent.method != "sendMessage" or sent.chat_id not in replies:
                continue
            target = replied_to(sent)
            if target is not None and target not in replies[sent.chat_id]:
                delays.append(sent.at - pushed.get((sent.chat_id, target), sent.at))
            replies[sent.chat_id].append(target)
        out_of_order = lost = duplicated = 0
        for chat_id, order in expected.items():
            got = replies[chat_id]
            collapsed = [a for k, a in enumerate(got) if k == 0 or a != got[k - 1]]
            duplicated += len(got) - len(set(got))
            lost += len(set(order) - set(got))
            answered_in = [a for a in collapsed if a in order]
            out_of_order += answered_in != [m for m in order if m in set(got)]
            if args.debug and (collapsed != order):
                print(f"chat {chat_id}: answered {got}, sent {order}", file=sys.stderr)
    finally:
        for process in processes:
            with contextlib.suppress(Exception):
                await process.stop(signal.SIGTERM, within=120)
        await fake.stop()
    if args.debug:
        logs = {f"process-{i}.log": "".join([*p.history, *p.log]) for i, p in enumerate(processes)}
        await asyncio.to_thread(_write_logs, folder, logs)
    times = [HANDLER.search("".join(p.log)) for p in answering]
    found = [(float(m.group(1)), float(m.group(2))) for m in times if m is not None]
    seconds = last - started
    return Row(
        backend,
        max(workers, 1),
        total,
        round(seconds, 2),
        round(total / seconds, 1) if seconds > 0 else 0.0,
        max(p50 for p50, _ in found) if found else None,
        max(p95 for _, p95 in found) if found else None,
        round(_pct(delays, 0.5) * 1000, 1),
        round(_pct(delays, 0.95) * 1000, 1),
        out_of_order,
        lost,
        duplicated,
        kill,
    )


def _write_logs(folder: Path, logs: dict[str, str]) -> None:
    for name, text in logs.items():
        (folder / name).write_text(text)
    print(f"logs in {folder}", file=sys.stderr)


def _fresh_postgres(server: backends.Server) -> tuple[str, str]:
    name = backends.new_database_name()
    backends.create_database(server, name)
    url = server.database_url(name)
    migrate.upgrade(url)
    return name, url


async def main(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/attune.db"
            await asyncio.to_thread(migrate.upgrade, url)
            rows.append(await _run("sqlite", url, 0, args))
            _print(rows[-1:])
    server = await asyncio.to_thread(backends.find_server)
    if isinstance(server, str):
        print(f"skipping PostgreSQL: {server}")
        return rows
    plans = [(n, False) for n in args.workers] + ([(2, True)] if not args.no_kill else [])
    for workers, kill in plans:
        name, url = await asyncio.to_thread(_fresh_postgres, server)
        try:
            rows.append(await _run("postgresql", url, workers, args, kill=kill))
            _print(rows[-1:])
        finally:
            await asyncio.to_thread(backends.drop_database, server, name)
    return rows


def _print(rows: list[Row]) -> None:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    for row in rows:
        label = f"{row.backend} x{row.workers}" + (" (1 SIGKILLed)" if row.killed else "")
        print(
            f"{label:28} {row.messages:5d} msgs {row.seconds:7.1f} s {row.per_s:6.1f} msg/s  "
            f"handler p50/p95 {ms(row.handler_p50_ms)}/{ms(row.handler_p95_ms)} ms  "
            f"reply p50/p95 {ms(row.reply_p50_ms)}/{ms(row.reply_p95_ms)} ms  "
            f"out-of-order {row.out_of_order}  lost {row.lost}  duplicated {row.duplicated}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=3, help="per user (3 fit the burst)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--lease", type=float, default=10.0, help="ATTUNE_WORKER_LEASE_S")
    parser.add_argument("--within", type=float, default=600.0, help="longest wait for replies")
    parser.add_argument("--no-kill", action="store_true", help="skip the SIGKILL run")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--debug", action="store_true", help="keep DEBUG logs, show bad chats")
    results = asyncio.run(main(parser.parse_args()))
    print(json.dumps([asdict(r) for r in results]))
