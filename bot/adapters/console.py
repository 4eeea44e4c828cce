"""The console chat: one message per line in, one reply per message out.

Works interactively and with piped stdin (reads bytes and decodes with replacement, so
invalid UTF-8 is answered, not fatal). ``/photo PATH [caption]`` attaches an image read into
memory; pictures and files in replies are written under the output folder (one folder per
user) and their paths printed. A file is written whole or not at all (a temporary file
renamed into place), and a read-only or full folder costs one line, not the chat; /forget
deletes the user's folder. Choices (confirm/cancel) are answered by typing their number.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import sys
import tempfile
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
        core.on_forget.append(self._forget_files)

    def to_message(self, line: str) -> Message | str:
        """Turn a typed line into a core message, or a local answer (a console-only problem)."""
        text = line.strip()
        if (
            self._pending
            and text.isascii()
            and text.isdigit()
            and 1 <= int(text) <= len(self._pending)
        ):
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
        outputs = [(a.filename, a.data, "file") for a in reply.files]
        if reply.image_png is not None:
            outputs.insert(0, ("chart.png", reply.image_png, "picture"))
        problem = None
        for filename, data, kind in outputs:
            saved = self._save(f"{stamp}-{filename}", data)
            if isinstance(saved, Path):
                lines.append(f"        {kind}: {saved}")
            else:
                problem = saved
        if problem is not None:
            lines.append(f"        (not saved: {problem}; no partial file was left)")
        self._pending = reply.choices
        for number, choice in enumerate(reply.choices, start=1):
            lines.append(f"        [{number}] {choice.label}")
        print("\n".join(lines), file=self._out, flush=True)

    @property
    def _folder(self) -> Path:
        return self._output_dir / _safe(self._user.user_id)

    def _save(self, name: str, data: bytes) -> Path | str:
        """Write ``data`` whole under the user's folder: its path, or the reason it is not.

        Written to a temporary file in the same folder, flushed to disk, then renamed: a full
        or failing disk leaves no truncated file behind, only the line.
        """
        path = self._folder / _safe(name)
        temporary: str | None = None
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._folder, prefix=".partial-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
            return path.resolve()
        except OSError as error:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            reason = error.strerror or type(error).__name__
            return f"{self._output_dir} can't be written to ({reason})"

    async def _forget_files(self, ref: UserRef) -> None:
        """/forget: the user's exports and charts go with their rows."""
        if (ref.platform, ref.user_id) == (self._user.platform, self._user.user_id):
            await asyncio.to_thread(shutil.rmtree, self._folder, True)

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
