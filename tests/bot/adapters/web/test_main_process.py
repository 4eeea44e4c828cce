"""``python -m bot web`` itself: the real models, the port from settings, a graceful stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client  # type: ignore[import-untyped]

from tests.bot.adapters.web.conftest import free_port
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
START_S = 150  # loading the models on two busy cores


def _get(url: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only
    with opener.open(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def test_python_m_bot_web_serves_the_page_and_stops_gracefully(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTUNE_", "GRADIO_"))}
    env.update(
        ATTUNE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'attune.db'}",
        ATTUNE_WEB_PORT=str(port),
        ATTUNE_LOG_LEVEL="INFO",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONUNBUFFERED="1",
    )
    out, err = (tmp_path / "stdout.txt").open("w+"), (tmp_path / "stderr.txt").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=err,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_S
        while url not in (tmp_path / "stdout.txt").read_text():
            assert process.poll() is None, (tmp_path / "stderr.txt").read_text()[-2000:]
            assert time.monotonic() < deadline, "the demo did not start in time"
            time.sleep(1)
        assert b"attune" in _get(url)
        config = json.loads(_get(url + "config"))
        assert config["analytics_enabled"] is False
        client = Client(url, verbose=False, download_files=False)
        result = client.predict(
            "Ida", "my cat is purring on my lap", None, None, [], api_name="/send"
        )
        assert result[0][-1]["role"] == "assistant" and result[6]["label"]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    log = (tmp_path / "stderr.txt").read_text()
    assert process.returncode == 0, log[-2000:]
    assert "purring" not in log, "message text must not reach the log at INFO"
    assert "gradio.live" not in log and "share=True" not in log
