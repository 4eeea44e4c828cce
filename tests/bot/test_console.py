"""The console chat as a user meets it: a subprocess fed through a pipe.

Loading the models is most of a start (measured 2026-11-30 on the 2 test cores: 12 s of CPU
for one message with every model, 6 s without), and these tests start the console 14 times.
The tests of storage, erasure, files and concurrent processes read no mood and screen no
crisis: they start it ``without_models`` (the lexicon, no face reader, the crisis rules alone,
as a checkout without the trained models; a warning line on stderr for each model says so).
The first test reads a mood with every model, as ``python -m bot chat`` runs by default.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.adapters.console import user_folder_name
from tests.conftest import REPO_ROOT


def _env(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTUNE_")}
    env.update(
        ATTUNE_DATABASE_URL=f"sqlite+aiosqlite:///{db}",
        ATTUNE_OUTPUT_DIR=str(db.parent / "out"),
        ATTUNE_LOG_LEVEL="WARNING",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def without_models(db: Path) -> dict[str, str]:
    """``ATTUNE_*`` model folders that do not exist (beside ``db``): the process reads words
    with the lexicon, reads no photos and screens with the crisis rules alone."""
    nowhere = str(db.parent / "no-model")
    return {
        "ATTUNE_TEXT_MODEL_DIR": nowhere,
        "ATTUNE_FACE_MODEL_DIR": nowhere,
        "ATTUNE_RISK_MODEL_DIR": nowhere,
    }


def chat(
    db: Path, user: str, stdin: bytes, timeout: float = 120, *, models: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m bot chat`` on ``stdin`` to its end; ``models=False``: ``without_models``."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", user],
        input=stdin,
        capture_output=True,
        cwd=REPO_ROOT,
        env=_env(db, **({} if models else without_models(db))),
        timeout=timeout,
        check=False,
    )


def replies(output: bytes) -> list[str]:
    return [line for line in output.decode().splitlines() if line.startswith("attune> ")]


def stored_texts(db: Path, user: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT e.text FROM entries e JOIN users u ON u.id = e.user_id "
            "WHERE u.platform_user_id = ? ORDER BY e.id",
            (user,),
        ).fetchall()
    return [text for (text,) in rows]


def test_happy_message_then_history(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = chat(db, "demo", b"I am so happy today\n/history\n")
    assert result.returncode == 0, result.stderr.decode()
    answers = replies(result.stdout)
    assert len(answers) == 2
    history = result.stdout.decode().split("attune> ")[2]
    assert "I am so happy today" in history
    assert "happy" in history
    assert stored_texts(db, "demo") == ["I am so happy today"]


def test_bad_inputs_get_kind_answers_and_chat_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    lines = [
        b"   ",
        b"x" * 100_000,
        b"bell \x07 and \x1b[31m escape",
        b"broken \xff\xfe utf8",
        b"/photo /no/such/file.jpg",
        b"/photo",
        b"/nonsense",
        b"/history abc",
        b"still here?",
    ]
    result = chat(db, "bad", b"\n".join(lines) + b"\n", models=False)
    assert result.returncode == 0, result.stderr.decode()
    answers = replies(result.stdout)
    assert len(answers) == len(lines)
    assert "Traceback" not in result.stderr.decode()
    assert "long" in answers[1].lower()
    assert "couldn't open" in answers[4]
    assert "/nonsense" in answers[6]
    texts = stored_texts(db, "bad")
    assert texts[-1] == "still here?"
    assert all("\x07" not in t and "\x1b" not in t for t in texts)
    assert max(len(t) for t in texts) <= 4000


def test_forget_and_users_never_see_each_other(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    chat(db, "alice", b"Alice is thrilled about her new job\n", models=False)
    bob = chat(db, "bob", b"bob feels lonely tonight\n/history\n", models=False)
    assert "Alice" not in bob.stdout.decode()
    assert "lonely" in bob.stdout.decode()
    forget = chat(db, "bob", b"/forget\n1\n/history\n", models=False)
    out = forget.stdout.decode()
    assert "erased" in out
    assert "no history" in out.lower()
    assert stored_texts(db, "bob") == []
    assert stored_texts(db, "alice") == ["Alice is thrilled about her new job"]


def test_forget_cancel_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    chat(db, "carol", b"a calm day\n", models=False)
    out = chat(db, "carol", b"/forget\n2\n", models=False).stdout.decode()
    assert "nothing was deleted" in out.lower()
    assert stored_texts(db, "carol") == ["a calm day"]


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    chat(db, "warmup", b"hello\n", models=False)  # migrate once
    messages = b"".join(b"message number %d\n" % i for i in range(25))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--user", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO_ROOT,
            env=_env(db, **without_models(db)),
        )
        for name in ("p1", "p2")
    ]
    outputs = [p.communicate(messages, timeout=180) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        assert b"database is locked" not in err
        assert len(replies(out)) == 25
    assert len(stored_texts(db, "p1")) == len(stored_texts(db, "p2")) == 25


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_while_writing_leaves_a_sound_database(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--user", "k"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=REPO_ROOT,
        env=_env(db, **without_models(db)),
    )
    assert proc.stdin is not None and proc.stdout is not None
    answered: list[str] = []
    sent = [f"kill test message {i}" for i in range(200)]
    proc.stdin.write("".join(m + "\n" for m in sent).encode())
    proc.stdin.flush()
    deadline = time.monotonic() + 120
    while len(answered) < 10 and time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if line.startswith("attune> "):
            answered.append(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert len(answered) >= 10
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = stored_texts(db, "k")
    # Every answered message is stored, in order (storage happens before the answer).
    assert stored[: len(answered)] == sent[: len(answered)]


def test_one_users_forget_never_deletes_anothers_files(tmp_path: Path) -> None:
    db, out = tmp_path / "e.db", tmp_path / "out"
    exported = chat(db, "a_b", b"I feel FRANKCANARY ok\n/export\n", models=False)
    assert exported.returncode == 0, exported.stderr.decode()
    kept = sorted(p for p in out.rglob("*") if p.is_file())
    assert kept and all(p.is_relative_to(out / "a_b") for p in kept)
    for other in ("a b", ".."):  # "a b" once mapped to a_b's folder
        forgot = chat(db, other, b"/forget confirm\n", models=False)
        assert forgot.returncode == 0, forgot.stderr.decode()
        assert sorted(p for p in out.rglob("*") if p.is_file()) == kept, other
    assert stored_texts(db, "a_b") == ["I feel FRANKCANARY ok"]


def test_folder_names_are_distinct_and_safe() -> None:
    names = ["a_b", "a b", "a/b", "a\\b", ".", "..", "...", "", "A_B", "a_b~", "é", "e\u0301"]
    names += ["x" * 300, "x" * 301, "cleo", ".hidden", "a_b~" + "0" * 16, "a.b", "a.b.", "_a"]
    folders = [user_folder_name(name) for name in names]
    assert len(set(folders)) == len(names)
    for folder in folders:
        assert folder not in ("", ".", "..") and "/" not in folder and "\\" not in folder
        assert len(folder) <= 64 and not folder.startswith(".") and not folder.endswith(".")
    for plain in ("cleo", "Ann", "a.b", "demo-2"):
        assert user_folder_name(plain) == plain  # plain names keep the folder they had
