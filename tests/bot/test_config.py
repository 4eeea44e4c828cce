"""Start-up settings as a person meets them: one line for a bad one, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.bot.test_console import _env
from tests.conftest import REPO_ROOT


def test_a_postgres_url_without_its_driver_is_one_line_naming_the_extra(tmp_path: Path) -> None:
    # A package named asyncpg that fails to import stands for a machine without the driver,
    # whether or not this one has it.
    shadow = tmp_path / "shadow" / "asyncpg"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError(name='asyncpg')\n")
    env = _env(
        tmp_path / "unused.db",
        ATTUNE_DATABASE_URL="postgresql+asyncpg://attune:s3cret@127.0.0.1/attune",
        PYTHONPATH=str(tmp_path / "shadow"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        capture_output=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    lines = [line for line in result.stderr.decode().splitlines() if line.startswith("attune")]
    assert result.returncode == 2, result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
    assert len(lines) == 1, result.stderr.decode()
    assert lines[0].startswith("attune: bad setting ATTUNE_DATABASE_URL: ")
    assert "asyncpg" in lines[0] and "[postgres]" in lines[0]
    assert "s3cret" not in result.stderr.decode()
