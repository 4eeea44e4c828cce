"""A minimal Discord REST API and gateway on 127.0.0.1 for discord.py's real connection code.

simcord replaces discord.py's gateway with an in-memory one, so it cannot show what a process
sends Discord when it connects. This fake serves just enough for ``Client.start`` to log in
and connect every shard over a real WebSocket: ``GET /users/@me``,
``GET /oauth2/applications/@me``, ``GET /gateway/bot``, ``PUT .../commands`` (recorded),
and a gateway that answers HELLO, records each IDENTIFY payload and sends READY for the shard
it names. Point discord.py at it with ``discord.http.Route.BASE = fake.api_base``.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from aiohttp import WSMsgType, web

BOT_ID = "111111111111111111"
APPLICATION_ID = "222222222222222222"
_BOT_USER = {
    "id": BOT_ID,
    "username": "attune",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
}


def _json(data: object) -> web.Response:
    # discord.py reads a body as JSON only when Content-Type is exactly application/json
    # (aiohttp's json_response appends a charset).
    return web.Response(
        body=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
    )


class FakeDiscordGateway:
    """REST + gateway fake; ``identified`` holds the IDENTIFY payloads in arrival order."""

    def __init__(self, recommended_shards: int = 1) -> None:
        self.recommended_shards = recommended_shards
        self.identified: list[dict[str, Any]] = []
        self.command_syncs: list[str] = []
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self.port = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/api/v10/users/@me", self._me)
        app.router.add_get("/api/v10/oauth2/applications/@me", self._application)
        app.router.add_get("/api/v10/gateway/bot", self._gateway_bot)
        app.router.add_put("/api/v10/applications/{app}/commands", self._commands)
        app.router.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", self._commands)
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _me(self, request: web.Request) -> web.Response:
        return _json(_BOT_USER)

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": APPLICATION_ID,
                "name": "attune",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": {**_BOT_USER, "id": "333333333333333333", "bot": False},
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": f"ws://127.0.0.1:{self.port}/gateway",
                "shards": self.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _commands(self, request: web.Request) -> web.Response:
        self.command_syncs.append(request.match_info.get("guild", "global"))
        return _json([])

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.add(socket)
        sequence = 0
        try:
            await socket.send_json({"op": 10, "d": {"heartbeat_interval": 45000}})
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                frame = message.json()
                if frame.get("op") == 1:  # heartbeat
                    await socket.send_json({"op": 11})
                elif frame.get("op") == 2:  # identify
                    data = dict(frame["d"])
                    data.pop("token", None)  # never kept, not even in a test
                    self.identified.append(data)
                    sequence += 1
                    await socket.send_json(
                        {
                            "op": 0,
                            "t": "READY",
                            "s": sequence,
                            "d": {
                                "v": 10,
                                "user": _BOT_USER,
                                "guilds": [],
                                "session_id": f"session-{len(self.identified)}",
                                "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
                                "shard": data.get("shard", [0, 1]),
                                "application": {"id": APPLICATION_ID, "flags": 0},
                            },
                        }
                    )
        finally:
            self._sockets.discard(socket)
        return socket
