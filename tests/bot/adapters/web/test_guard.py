"""The demo answers only its own address: a rebound foreign Host or a foreign Origin is refused.

A foreign page that points its name at 127.0.0.1 (DNS rebinding) sends its own name as Host;
a cross-site form or fetch sends its own Origin. Both are tried here against the running
demo with plain HTTP, next to the same requests from the demo's own address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from tests.bot.adapters.web.conftest import Demo

pytestmark = [
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def _port(demo: Demo) -> int:
    port = urlsplit(demo.url).port
    assert port is not None
    return port


def _mood_call(client: httpx.Client, name: str, **headers: str) -> httpx.Response:
    """Ask the API for a named user's mood and history (what a foreign page would want)."""
    return client.post("/gradio_api/call/mood", json={"data": [name, "all"]}, headers=headers)


def test_a_foreign_host_is_refused_everywhere(demo: Demo) -> None:
    with httpx.Client(base_url=demo.url, timeout=30) as client:
        for path in ("/", "/config", "/gradio_api/info"):
            refused = client.get(path, headers={"Host": f"rebind.example:{_port(demo)}"})
            assert refused.status_code == 400, path
        assert _mood_call(client, "Ada", Host="rebind.example").status_code == 400
        assert client.get("/", headers={"Host": "attacker.test"}).status_code == 400


def test_the_local_address_is_answered(demo: Demo) -> None:
    port = _port(demo)
    with httpx.Client(base_url=demo.url, timeout=30) as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"Host": f"localhost:{port}"}).status_code == 200
        ok = _mood_call(client, "Ada", Origin=f"http://127.0.0.1:{port}")
        assert ok.status_code == 200 and "event_id" in ok.json()
        assert _mood_call(client, "Ada").status_code == 200  # a local program, no Origin


def test_a_foreign_origin_cannot_change_anything(demo: Demo) -> None:
    port = _port(demo)
    with httpx.Client(base_url=demo.url, timeout=30) as client:
        for origin in ("http://evil.example", f"http://127.0.0.1:{port + 1}", "null"):
            refused = _mood_call(client, "Ada", Origin=origin)
            assert refused.status_code == 403, origin
            forged = client.post(
                "/gradio_api/call/forget_confirm",
                json={"data": ["Ada", ["/forget confirm"]]},
                headers={"Origin": origin},
            )
            assert forged.status_code == 403, origin
        # Reading the page from a foreign origin is the browser's business (no CORS grant).
        assert client.get("/", headers={"Origin": "http://evil.example"}).status_code == 200
