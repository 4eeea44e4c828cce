"""The console process against real disks: erasure leaves no byte, and a read-only or full
output folder or database costs one clear line, never a traceback or a lost message.

"Full" and "read-only" are real: a small tmpfs mounted for the test (we run as root in CI;
where mounting is not permitted the test skips and says so).

The processes start ``without_models`` (``tests/bot/test_console.py`` says why), except the
one whose warning lines are counted: it starts as ``python -m bot chat`` runs by default.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.phrases import INTERNAL_ERROR
from tests.bot.test_console import _env, chat, replies, stored_texts, without_models
from tests.conftest import REPO_ROOT

READY_TIMEOUT_S = 180


class Console:
    """A running ``python -m bot chat`` fed line by line, its output read as it comes."""

    def __init__(self, db: Path, user: str, **env: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--user", user],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO_ROOT,
            env=_env(db, **env),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))

    def ask(self, line: str, until: Callable[[str], bool]) -> list[str]:
        """Send one line; return the output lines up to the one ``until`` accepts."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        seen: list[str] = []
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                seen.append(self.lines.get(timeout=1))
            except queue.Empty:
                assert self.proc.poll() is None, f"the chat exited: {seen}"
                continue
            if until(seen[-1]):
                return seen
        raise AssertionError(f"no answer to {line!r}: {seen}")

    def reply(self, line: str) -> str:
        return self.ask(line, lambda out: out.startswith("attune> "))[-1]

    def close(self) -> tuple[int, str]:
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        err = self.proc.stderr.read()
        return self.proc.returncode, err.decode("utf-8", "replace")


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.decode().strip()}): no real full disk"
        )


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount tmpfs folders of a given size under tmp_path; unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        where = tmp_path / f"disk{len(mounted)}"
        _mount_tmpfs(where, size)
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill ``disk`` until the file system refuses, then give back ``leave`` bytes."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as out:
        while True:
            out.write(b"\0" * 4096)
    if leave:
        size = filler.stat().st_size
        with filler.open("r+b") as out:
            out.truncate(max(0, size - leave))
    return filler


def every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_erasure_canary_leaves_no_byte_while_the_bot_runs(tmp_path: Path) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    db, out = tmp_path / "attune.db", tmp_path / "out"
    console = Console(db, "cleo", **without_models(db))
    try:
        for n in range(3):
            console.reply(f"today {canary} made me so sad, part {n}")
        console.ask("/export", lambda line: "attune-settings.csv" in line)
        console.ask("/mood", lambda line: "chart.png" in line)
        console.reply("/timezone Europe/Berlin")
        assert canary.encode() in every_byte(out)  # the exports hold it
        assert canary.encode() in every_byte(tmp_path)  # and the database files

        erased = console.reply("/forget confirm")
        assert "erased everything" in erased
        console.reply("/privacy")  # a later command, while the same process keeps running

        assert console.proc.poll() is None
        database_files = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("attune"))
        assert "attune.db" in database_files
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert canary.encode() not in path.read_bytes(), path
        assert not (out / "cleo").exists()
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
    finally:
        code, err = console.close()
    assert code == 0 and "Traceback" not in err, err


def test_a_read_only_output_folder_costs_one_line(small_disk: Callable[[str], Path]) -> None:
    disk = small_disk("4m")
    db = disk.parent / "ro.db"
    (disk / "out").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", "rita"],
        input=b"a lovely happy day\n/mood\n/export\nstill here\n",
        capture_output=True,
        cwd=REPO_ROOT,
        env=_env(db, ATTUNE_OUTPUT_DIR=str(disk / "out"), **without_models(db)),
        timeout=READY_TIMEOUT_S,
        check=False,
    )
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0 and "Traceback" not in stderr, stderr
    assert len(replies(result.stdout)) == 4
    problems = [line for line in stdout.splitlines() if "not saved" in line]
    assert len(problems) == 2  # one line for the chart, one for the four export files
    assert all("Read-only file system" in line for line in problems)
    assert list((disk / "out").rglob("*")) == []
    assert stored_texts(db, "rita") == ["a lovely happy day", "still here"]


def test_a_full_output_folder_leaves_no_partial_file(small_disk: Callable[[str], Path]) -> None:
    disk = small_disk("1m")
    db = disk.parent / "full.db"
    out = disk / "out"
    out.mkdir()
    fill(disk, leave=12 * 1024)  # room for the start of a chart, not the whole of it
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", "fay"],
        input=b"a lovely happy day\n/mood\n/export\nstill here\n",
        capture_output=True,
        cwd=REPO_ROOT,
        env=_env(db, ATTUNE_OUTPUT_DIR=str(out), **without_models(db)),
        timeout=READY_TIMEOUT_S,
        check=False,
    )
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0 and "Traceback" not in stderr, stderr
    assert "No space left on device" in stdout
    written = [p for p in out.rglob("*") if p.is_file()]
    assert not any(p.name.startswith(".partial") for p in written)
    for path in written:  # whatever did fit is whole: a PNG ends with its IEND chunk
        if path.suffix == ".png":
            assert path.read_bytes().endswith(b"IEND\xaeB`\x82")
    assert any("chart.png" in p.name for p in written) is False  # a chart did not fit
    assert stored_texts(db, "fay") == ["a lovely happy day", "still here"]


def test_a_full_disk_at_start_is_one_line(small_disk: Callable[[str], Path]) -> None:
    disk = small_disk("256k")
    fill(disk)
    result = chat(disk / "attune.db", "sam", b"hello\n", timeout=READY_TIMEOUT_S)
    lines = [line for line in result.stderr.decode().splitlines() if line.strip()]
    assert result.returncode != 0
    assert len(lines) == 1 and lines[0].startswith("attune: cannot use the database"), lines
    assert replies(result.stdout) == []


def test_a_disk_filling_while_running_loses_nothing_acknowledged(
    small_disk: Callable[[str], Path],
) -> None:
    """A full disk delays storing, not answering: every message is answered (no apology),
    the entries are kept in memory and stored, in order, once the disk has room again."""
    disk = small_disk("2m")
    db = disk / "attune.db"
    console = Console(db, "dee", **without_models(db))
    texts = [f"while full {n}: " + "a long and heartfelt message " * 120 for n in range(6)]
    try:
        first = console.reply("the first message, before the disk fills")
        assert first != f"attune> {INTERNAL_ERROR}"
        filler = fill(disk)
        answers = [console.reply(text) for text in texts]
        assert all(a and a != f"attune> {INTERNAL_ERROR}" for a in answers), answers
        history = console.ask("/history", lambda line: "before the disk fills" in line)
        assert any("Your last" in line for line in history)
        filler.unlink()
        after = console.reply("the disk has room again")
        assert after != f"attune> {INTERNAL_ERROR}"
    finally:
        code, err = console.close()
    assert code == 0 and "Traceback" not in err, err
    assert stored_texts(db, "dee") == [
        "the first message, before the disk fills",
        *(text.strip() for text in texts),
        "the disk has room again",
    ]


def test_forget_says_which_files_it_could_not_delete(small_disk: Callable[[str], Path]) -> None:
    disk = small_disk("4m")
    db, out = disk.parent / "ro-forget.db", disk / "out"
    exported = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", "fay"],
        input=b"a quiet evening\n/export\n",
        capture_output=True,
        cwd=REPO_ROOT,
        env=_env(db, ATTUNE_OUTPUT_DIR=str(out), **without_models(db)),
        timeout=READY_TIMEOUT_S,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr.decode()
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", "fay"],
        input=b"/forget confirm\n",
        capture_output=True,
        cwd=REPO_ROOT,
        env=_env(db, ATTUNE_OUTPUT_DIR=str(out)),
        timeout=READY_TIMEOUT_S,
        check=False,
    )
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0 and "Traceback" not in stderr, stderr
    assert f"couldn't delete {len(files)} of your saved files in {out / 'fay'}" in stdout
    assert "Done." not in stdout
    warnings = [line for line in stderr.splitlines() if " WARNING bot." in line]
    assert len(warnings) == 1 and f" {len(files)} " in warnings[0], stderr
    assert "fay" not in stderr
    assert stored_texts(db, "fay") == []
