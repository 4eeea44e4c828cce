"""Who may talk to the web demo: its own local address only (DNS rebinding, cross-site calls).

A page on another site can point its own host name at 127.0.0.1 (DNS rebinding) and then
read the demo as if it were same-origin: the browser still sends that foreign name in the
``Host`` header, so Starlette's ``TrustedHostMiddleware`` answering only the configured local
names stops it (Gradio answers any Host unless told). A foreign page can also *send* a
simple POST without reading the answer (cross-site request forgery, e.g. a forged erase):
browsers put the page's ``Origin`` on every POST, so ``OriginGuard`` refuses state-changing
calls whose Origin is not the demo's own. Requests without an Origin come from programs
on this computer (``gradio_client``, curl), which could read the database anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

#: Methods that only read (RFC 9110 section 9.2.1, "safe methods").
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


class OriginGuard:
    """ASGI middleware: a state-changing HTTP request with a foreign ``Origin`` gets 403."""

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(o.rstrip("/").lower() for o in allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            origin = Headers(scope=scope).get("origin")
            if origin is not None and origin.rstrip("/").lower() not in self.allowed:
                response = PlainTextResponse("Cross-origin request refused", status_code=403)
                await response(scope, receive, send)
                return
        if scope["type"] == "websocket":
            origin = Headers(scope=scope).get("origin")
            if origin is not None and origin.rstrip("/").lower() not in self.allowed:
                await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)


def local_names(host: str) -> list[str]:
    """The Host names the demo answers to: its bind address, and ``localhost`` for loopback."""
    return [*LOOPBACK_NAMES] if host in LOOPBACK_NAMES else [host]


def guard_middleware(host: str, port: int) -> list[Middleware]:
    """Starlette middleware for the demo's app: trusted Host names, then the Origin check."""
    names = local_names(host)
    return [
        Middleware(TrustedHostMiddleware, allowed_hosts=names, www_redirect=False),
        Middleware(OriginGuard, allowed_origins=[f"http://{name}:{port}" for name in names]),
    ]
