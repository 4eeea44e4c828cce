"""A reply as the outbox stores it: the platform-free ``Reply`` plus where it goes, as JSON.

Pictures and files travel base64-encoded; ``destination`` is the adapter's own small dict
(chat, user, whether the chat is private, what it answers), kept opaque here.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from bot.domain import Attachment, Choice, Reply


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encode(reply: Reply, destination: dict[str, Any]) -> str:
    """``reply`` and its ``destination`` as one JSON document (str)."""
    return json.dumps(
        {
            "to": destination,
            "text": reply.text,
            "image_png": _b64(reply.image_png) if reply.image_png is not None else None,
            "files": [[f.filename, _b64(f.data), f.mime_type] for f in reply.files],
            "choices": [[c.label, c.payload] for c in reply.choices],
            "private": reply.private,
        },
        ensure_ascii=False,
    )


def decode(payload: str) -> tuple[Reply, dict[str, Any]]:
    """The inverse of ``encode``; raises ``ValueError``/``KeyError`` on a damaged payload."""
    data = json.loads(payload)
    image = data.get("image_png")
    reply = Reply(
        text=str(data["text"]),
        image_png=base64.b64decode(image) if image else None,
        files=tuple(
            Attachment(name, base64.b64decode(blob), mime) for name, blob, mime in data["files"]
        ),
        choices=tuple(Choice(label, value) for label, value in data["choices"]),
        private=bool(data["private"]),
    )
    return reply, dict(data["to"])
