"""The console chat: one message per line in, one reply per message out.

Works interactively and with piped stdin (reads bytes and decodes with replacement, so
invalid UTF-8 is answered, not fatal). ``/photo PATH [caption]`` attaches an image read into
memory; pictures and files in replies are written under the output folder (one folder per
user, see ``user_folder_name``) and their paths printed. A file is written whole or not at
all (a temporary file renamed into place), and a read-only or full folder costs one line,
not the chat; /forget deletes the user's folder, and says so when a file could not go.
Choices (confirm/cancel) are answered by typing their number.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
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

log = logging.getLogger(__name__)

PROMPT = "you> "
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
#: User names kept as their folder name, as before: letters, digits, ".", "_" and "-", not
#: starting or ending with "." (never "." or ".."; Windows drops a trailing dot), short, no
#: "~". Case is kept, so exports from before stay where /forget looks for them; on a
#: case-insensitive disk (macOS, Windows) "Ann" and "ann" would share one.
_PLAIN_USER = re.compile(r"[A-Za-z0-9_-](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_-])?")
_SLUG_CHARS = 40


def _safe(name: str) -> str:
    return _SAFE_NAME.sub("_", name).strip("._") or "file"


def user_folder_name(user: str) -> str:
    """The output folder name of a console user: distinct users never share one.

    A plain name (``_PLAIN_USER``: "cleo", "demo-2") is used as it is. Any other name gets a
    readable slug, "~" and the first 16 hex digits (64 bits) of the SHA-256 of its exact
    UTF-8 bytes: "a b" -> "a_b~<hash>", "." -> "file~<hash>". "~" never occurs in a plain
    name, so the two kinds cannot meet, and the result is never "." or "..", holds no
    path separator and stays under 60 characters.
    """
    if _PLAIN_USER.fullmatch(user):
        return user
    digest = hashlib.sha256(user.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{_safe(user)[:_SLUG_CHARS]}~{digest}"


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
        return self._output_dir / user_folder_name(self._user.user_id)

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

    async def _forget_files(self, ref: UserRef) -> str | None:
        """/forget: the user's exports and charts go with their rows.

        Returns a line for the user when some files could not be deleted (a read-only disk,
        say), which is also logged once as a WARNING with their count (the path holds the
        user name, so it is not logged).
        """
        if (ref.platform, ref.user_id) != (self._user.platform, self._user.user_id):
            return None
        left = await asyncio.to_thread(_remove_tree, self._folder)
        if not left:
            return None
        log.warning("/forget left %d console export file(s) that could not be deleted", left)
        return (
            f"I couldn't delete {left} of your saved file{'' if left == 1 else 's'} in "
            f"{self._folder.resolve()} — please delete {'it' if left == 1 else 'them'} yourself."
        )

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


def _remove_tree(folder: Path) -> int:
    """Delete ``folder`` and everything in it; the number of files still there afterwards."""
    shutil.rmtree(folder, ignore_errors=True)
    if not folder.exists():
        return 0
    return sum(1 for path in folder.rglob("*") if not path.is_dir()) or 1
