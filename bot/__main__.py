"""``python -m bot`` — run the adapters whose tokens are set (else the console chat),
``chat`` for an interactive/piped console conversation, ``migrate`` to upgrade the schema,
``discord [--shards 0-3 --shard-count 8]`` to serve Discord alone (optionally a share of its
shards, one process per share; docs/deploy.md), ``receive`` and ``worker`` to split Telegram
into receivers that only store updates and any number of workers that answer them (one
database, usually PostgreSQL).

Migrations run before the event loop starts (Alembic's async env runs its own loop).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import sys

from bot.adapters.discord_shards import ShardPlan, ShardSpecError, parse_shards
from bot.config import Settings, SettingsError, load_settings
from bot.logs import configure_logging, redact
from emotion.tflog import quiet_tensorflow

log = logging.getLogger("bot")

NO_TOKENS_LINE = (
    "No ATTUNE_TELEGRAM_TOKEN or ATTUNE_DISCORD_TOKEN is set, so attune chats here in the "
    "console; put a token in .env (see .env.example) to serve Telegram or Discord."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="serve the platforms whose tokens are set (default)")
    chat = commands.add_parser("chat", help="chat in the console (works with piped stdin)")
    chat.add_argument("--user", default=None, help="whose conversation this is")
    commands.add_parser("migrate", help="apply database migrations and exit")
    commands.add_parser("web", help="the local web demo on 127.0.0.1 (needs attune[web])")
    discord = commands.add_parser(
        "discord", help="serve Discord alone; with --shards, only those shards (one process each)"
    )
    discord.add_argument(
        "--shards", default=None, help="this process's shards, e.g. 0-3 or 0,2,5-7 (inclusive)"
    )
    discord.add_argument(
        "--shard-count", type=int, default=None, help="how many shards the bot has in all"
    )
    commands.add_parser(
        "receive",
        help="Telegram: only store incoming updates in the inbox (polling, or the webhook "
        "server when ATTUNE_TELEGRAM_WEBHOOK_URL is set); workers answer them",
    )
    commands.add_parser(
        "worker",
        help="Telegram: answer the stored inbox and send the outbox, one of any number of "
        "workers sharing the database (no receiving)",
    )
    return parser


def _shard_plan(args: argparse.Namespace) -> ShardPlan | None:
    """The ``discord`` command's shards: None (all, one connection) without flags; all of
    ``--shard-count`` without ``--shards``. Raises ``ShardSpecError`` (one line)."""
    spec, count = getattr(args, "shards", None), getattr(args, "shard_count", None)
    if spec is None and count is None:
        return None
    if count is None:
        raise ShardSpecError("--shards needs --shard-count (how many shards the bot has in all)")
    return parse_shards(spec if spec is not None else f"0-{count - 1}", count)


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "you"


async def _chat(settings: Settings, user: str) -> None:
    from bot.adapters.console import ConsoleChat
    from bot.app import build_app
    from bot.domain import Platform
    from bot.notify import ConsoleNotifier
    from bot.reminders import ReminderScheduler

    app = build_app(settings)
    try:
        chat = ConsoleChat(
            app.core,
            user,
            output_dir=settings.output_dir,
            max_photo_bytes=settings.max_image_bytes,
        )
        app.notifiers.register(Platform.CONSOLE, ConsoleNotifier(chat.render))
        async with ReminderScheduler(app.repository, app.notifiers):
            await chat.run()
    finally:
        await app.close()


async def _serve(
    settings: Settings, *, discord_only: bool = False, shards: ShardPlan | None = None
) -> None:
    from bot.adapters.registry import NoAdapterStarted, start_adapters
    from bot.app import build_app, stop_on_signals
    from bot.reminders import ReminderScheduler

    app = build_app(settings)
    stop = stop_on_signals()
    try:
        adapters = await start_adapters(app, discord_only=discord_only, shards=shards)
    except NoAdapterStarted as error:
        await app.close()
        reason = redact(str(error), _secrets(settings))
        raise SystemExit(f"attune: nothing to serve — {reason}") from None

    log.info("serving: %s", ", ".join(a.name for a in adapters))
    try:
        async with ReminderScheduler(app.repository, app.notifiers):
            await stop.wait()
    finally:
        log.info("shutting down")
        for adapter in reversed(adapters):
            with contextlib.suppress(Exception):
                await adapter.stop()
        await app.close()


async def _serve_role(settings: Settings, role: str) -> None:
    """``receive`` or ``worker``: one Telegram role until SIGINT/SIGTERM."""
    from bot.adapters.registry import Adapter
    from bot.adapters.telegram import TelegramAdapter
    from bot.adapters.telegram_worker import TelegramWorker
    from bot.app import build_app, stop_on_signals
    from bot.reminders import ReminderScheduler

    if settings.telegram_token is None:
        raise SystemExit(f"attune: {role} needs ATTUNE_TELEGRAM_TOKEN")
    app = build_app(settings)
    stop = stop_on_signals()
    runner: Adapter
    if role == "receive":
        runner = TelegramAdapter(app.core, settings, role="receive")
    else:
        adapter = TelegramAdapter(app.core, settings, notifiers=app.notifiers, role="work")
        runner = TelegramWorker(
            adapter,
            lease_s=settings.worker_lease_s,
            chats=settings.worker_chats,
            poll_s=settings.worker_poll_s,
        )
    try:
        await runner.start()
    except Exception as error:
        await app.close()
        reason = redact(f"{type(error).__name__}: {error}", _secrets(settings))
        raise SystemExit(f"attune: {role} did not start — {reason}") from None
    try:
        if role == "receive":
            await stop.wait()
        else:  # check-ins go out from the workers (the reminder's claim stops a second send)
            async with ReminderScheduler(app.repository, app.notifiers):
                await stop.wait()
    finally:
        log.info("shutting down")
        with contextlib.suppress(Exception):
            await runner.stop()
        await app.close()


def _database_problem(error: BaseException, url: str) -> str:
    """One line for a database that cannot be opened or written (full disk, read-only,
    missing folder permissions): where it is and what the driver said."""
    from sqlalchemy.engine import make_url

    where = make_url(url).render_as_string(hide_password=True)
    cause = getattr(error, "orig", None) or error
    reason = getattr(cause, "strerror", None) or str(cause).splitlines()[0] or type(cause).__name__
    return f"attune: cannot use the database {where} — {reason}"


def _secrets(settings: Settings) -> list[str]:
    tokens = (settings.telegram_token, settings.discord_token, settings.telegram_webhook_secret)
    return [t.get_secret_value() for t in tokens if t]


def main(argv: list[str] | None = None) -> int:
    quiet_tensorflow()
    args = _parser().parse_args(argv)
    try:
        shards = _shard_plan(args)
        settings = load_settings()
    except (SettingsError, ShardSpecError) as error:
        print(f"attune: {error}", file=sys.stderr)
        return 2
    if args.command == "discord" and settings.discord_token is None:
        print("attune: python -m bot discord needs ATTUNE_DISCORD_TOKEN", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, _secrets(settings))

    from sqlalchemy.exc import OperationalError

    from bot.storage.migrate import upgrade

    try:
        upgrade(settings.database_url)
    except (OSError, OperationalError) as error:
        # A full disk, a read-only or unreachable database: one line, not a traceback.
        print(
            redact(_database_problem(error, settings.database_url), _secrets(settings)),
            file=sys.stderr,
        )
        return 1
    command = args.command or "run"
    if command == "migrate":
        print("attune: database is at the latest schema")
        return 0
    try:
        if command == "chat":
            asyncio.run(_chat(settings, args.user or _default_user()))
        elif command in ("receive", "worker"):
            asyncio.run(_serve_role(settings, command))
        elif command == "web":
            from bot.adapters.web import serve_web

            asyncio.run(serve_web(settings))
        elif command == "discord":
            asyncio.run(_serve(settings, discord_only=True, shards=shards))
        elif settings.has_platform_tokens:
            asyncio.run(_serve(settings))
        else:
            print(NO_TOKENS_LINE, file=sys.stderr)
            asyncio.run(_chat(settings, _default_user()))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
