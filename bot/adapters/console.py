"""The console chat: one message per line in, one reply per message out.

Works interactively and with piped stdin (reads bytes and decodes with replacement, so
invalid UTF-8 is answered, not fatal). ``/photo PATH [caption]`` attaches an image read into
memory; pictures and files in replies are written under the output folder and their paths
printed. Choices (confirm/cancel) are answered by typing their number.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.core import Core
from bot.domain import Choice, Message, Platform, Reply, UserRef

PROMPT = "you> "
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(name: str) -> str:
    return _SAFE_NAME.sub("_", name).strip("._") or "file"


class ConsoleChat:
    def __init__(
        self,
        core: Core,
        user: str,
        *,
        output_dir: Path,
        max_photo_bytes: int,
        out: TextIO | None = None,
    ) -> None:
        self._core = core
        self._user = UserRef(Platform.CONSOLE, user, display_name=user)
        self._output_dir = output_dir
        self._max_photo_bytes = max_photo_bytes
        self._out = out or sys.stdout
        self._pending: tuple[Choice, ...] = ()
        self._interactive = sys.stdin.isatty()

    def to_message(self, line: str) -> Message | str:
        """Turn a typed line into a core message, or a local answer (a console-only problem)."""
        text = line.strip()
        if self._pending and text.isdigit() and 1 <= int(text) <= len(self._pending):
            text = self._pending[int(text) - 1].payload
        if text == "/photo" or text.startswith("/photo "):
            return self._photo_message(text[len("/photo") :].strip())
        return Message(user=self._user, chat_id=f"console:{self._user.user_id}", text=text)

    def _photo_message(self, args: str) -> Message | str:
        try:
            parts = shlex.split(args)
        except ValueError:
            parts = args.split()
        if not parts:
            return "Tell me which picture: /photo PATH [caption]"
        path, caption = Path(parts[0]).expanduser(), " ".join(parts[1:])
        try:
            with path.open("rb") as handle:
                data = handle.read(self._max_photo_bytes + 1)
        except OSError:
            return f"I couldn't open {path.name!r} — is the path right? Nothing was stored."
        return Message(
            user=self._user, chat_id=f"console:{self._user.user_id}", text=caption, photo=data
        )

    def render(self, reply: Reply) -> None:
        if reply.duplicate:
            return
        lines = [f"attune> {reply.text}"]
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        if reply.image_png is not None:
            lines.append(f"        picture: {self._save(f'{stamp}-chart.png', reply.image_png)}")
        for attachment in reply.files:
            lines.append(
                f"        file: {self._save(f'{stamp}-{attachment.filename}', attachment.data)}"
            )
        self._pending = reply.choices
        for number, choice in enumerate(reply.choices, start=1):
            lines.append(f"        [{number}] {choice.label}")
        print("\n".join(lines), file=self._out, flush=True)

    def _save(self, name: str, data: bytes) -> Path:
        folder = self._output_dir / _safe(self._user.user_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / _safe(name)
        path.write_bytes(data)
        return path.resolve()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        stdin = sys.stdin.buffer
        while True:
            if self._interactive:
                print(PROMPT, end="", file=self._out, flush=True)
            raw = await loop.run_in_executor(None, stdin.readline)
            if not raw:
                break
            line = raw.decode("utf-8", errors="replace")
            message = self.to_message(line)
            if isinstance(message, str):
                self.render(Reply(message))
                continue
            self.render(await self._core.handle(message))
