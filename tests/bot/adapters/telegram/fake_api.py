"""A fake Telegram Bot API server on 127.0.0.1 (aiohttp), for driving the real PTB stack.

It implements what the adapter uses — getMe, getUpdates (long poll), sendMessage, sendPhoto,
sendDocument, sendChatAction, getFile and file download, setMyCommands, deleteWebhook,
setWebhook, answerCallbackQuery, editMessageText — records every call, models Telegram's
flood limits (answering 429 with ``retry_after`` when a bot sends too fast) and injects
faults on demand: 429, 502, a slow answer, a dropped connection.

Tests build updates with ``FakeUser`` / ``FakeChat`` and ``push_*``; then wait for what the
bot sent with ``wait_sent``. Webhook mode: ``post_webhook`` delivers an update the way
Telegram does (with or without the secret header).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web

JSON = dict[str, Any]

BOT_ID = 7_000_000_001
BOT_USERNAME = "attune_test_bot"


@dataclass(frozen=True, slots=True)
class FakeUser:
    id: int
    first_name: str = "Ada"

    def as_json(self) -> JSON:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name}


@dataclass(frozen=True, slots=True)
class FakeChat:
    id: int
    type: str = "private"
    title: str | None = None

    def as_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        else:
            data["first_name"] = "Ada"
        return data

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        return cls(user.id)

    @classmethod
    def group(cls, chat_id: int = -100_123, title: str = "Friends") -> FakeChat:
        return cls(chat_id, "supergroup", title)


@dataclass(frozen=True, slots=True)
class Sent:
    """One call the bot made that sends something to a chat."""

    method: str
    chat_id: int
    params: JSON
    message_id: int
    at: float

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[JSON]:
        markup = self.params.get("reply_markup")
        if not markup:
            return []
        rows = json.loads(markup) if isinstance(markup, str) else markup
        return [button for row in rows["inline_keyboard"] for button in row]


@dataclass(slots=True)
class Fault:
    """Inject into the next ``count`` calls of ``method`` ("*" = any method)."""

    kind: str  # "429" | "502" | "slow" | "drop" | "garbage" (200 with a body that is not JSON)
    method: str = "*"
    count: int = 1
    retry_after: int = 1
    delay_s: float = 1.0


@dataclass(slots=True)
class FloodModel:
    """Telegram's flood control as we model it: per chat a token bucket (1/s in private chats,
    20/min in groups) tolerating a short burst, and 30 messages/s overall."""

    private_per_s: float = 1.0
    group_per_min: float = 20.0
    burst: float = 5.0
    overall_per_s: float = 30.0
    enabled: bool = True
    _buckets: dict[int, tuple[float, float]] = field(default_factory=dict)
    _overall: tuple[float, float] = (30.0, 0.0)

    def _take(
        self, state: tuple[float, float], rate: float, cap: float
    ) -> tuple[bool, float, float]:
        tokens, at = state
        now = time.monotonic()
        tokens = min(cap, tokens + (now - at) * rate)
        if tokens < 1:
            return False, tokens, now
        return True, tokens - 1, now

    def allow(self, chat_id: int) -> bool:
        if not self.enabled:
            return True
        rate = self.private_per_s if chat_id > 0 else self.group_per_min / 60
        state = self._buckets.get(chat_id, (self.burst, time.monotonic()))
        ok_chat, tokens, now = self._take(state, rate, self.burst)
        ok_all, all_tokens, all_now = self._take(
            self._overall, self.overall_per_s, self.overall_per_s
        )
        if ok_chat and ok_all:
            self._buckets[chat_id] = (tokens, now)
            self._overall = (all_tokens, all_now)
            return True
        return False


SENDING = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}


class FakeTelegram:
    def __init__(self, token: str, *, flood: FloodModel | None = None) -> None:
        self.token = token
        self.flood = flood or FloodModel()
        self.calls: list[tuple[str, JSON]] = []
        self.sent: list[Sent] = []
        self.sent_counts: dict[int, int] = defaultdict(int)
        self.actions: list[tuple[int, str]] = []
        self.commands: list[JSON] = []
        self.callback_answers: list[str] = []
        self.webhook: JSON | None = None
        self.faults: list[Fault] = []
        #: 429s the flood model gave (the bot sent too fast), and injected ones.
        self.flood_429s = 0
        self.injected = 0
        #: (method, fault kind, when, chat id or 0) for every injected fault.
        self.fault_log: list[tuple[str, str, float, int]] = []
        self.blocked_users: set[int] = set()
        #: method -> (monotonic deadline, fault kind): every call fails until the deadline.
        self.outages: dict[str, tuple[float, str]] = {}
        self.files: dict[str, bytes] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1000)
        )
        self._new = asyncio.Condition()
        self._sent_changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            # aiohttp's shutdown waits for every request still open, and a long poll stays
            # open for its whole timeout after its bot went away (killed, or stopped while it
            # polled): 30 s for ``python -m bot``, paid at the end of every test that ran one.
            # Answer those now (with what is queued, as on any wake-up): nobody is listening.
            async with self._new:
                self._new.notify_all()
            await self._runner.cleanup()

    def _fault_for(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in ("*", method) and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def inject(self, kind: str, method: str = "*", count: int = 1, **options: Any) -> None:
        self.faults.append(Fault(kind, method, count, **options))

    def outage(self, method: str, seconds: float, kind: str = "502") -> None:
        """Every ``method`` call fails with ``kind`` for the next ``seconds``, then heals."""
        self.outages[method] = (time.monotonic() + seconds, kind)

    def _outage_for(self, method: str) -> Fault | None:
        until, kind = self.outages.get(method, (0.0, ""))
        return Fault(kind, method) if time.monotonic() < until else None

    async def _api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        fault = self._outage_for(method) or self._fault_for(method)
        if fault is not None:
            self.injected += 1
            chat = int(params.get("chat_id", 0) or 0)
            self.fault_log.append((method, fault.kind, time.monotonic(), chat))
            if fault.kind == "429":
                return _error(429, "Too Many Requests", retry_after=fault.retry_after)
            if fault.kind == "502":
                return web.Response(status=502, text="<html>Bad Gateway</html>")
            if fault.kind == "garbage":  # a proxy's page instead of the API's JSON
                return web.Response(status=200, text="<html>Service Unavailable</html>")
            if fault.kind == "drop":  # close before answering: nothing was done
                assert request.transport is not None
                request.transport.close()
                raise asyncio.CancelledError
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay_s)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} not in the fake")
        self.calls.append((method, params))
        if method in SENDING and not self.flood.allow(int(params["chat_id"])):
            self.flood_429s += 1
            return _error(429, "Too Many Requests: retry after 1", retry_after=1)
        result = await handler(params)
        if isinstance(result, web.StreamResponse):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        fault = self._fault_for("download")
        if fault is not None and fault.kind == "502":
            self.injected += 1
            return web.Response(status=502)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        data = self.files.get(file_id)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    # -- methods ---------------------------------------------------------------------------

    async def _m_getMe(self, _params: JSON) -> JSON:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "attune",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deleteWebhook(self, _params: JSON) -> bool:
        self.webhook = None
        return True

    async def _m_setWebhook(self, params: JSON) -> bool:
        self.webhook = params
        return True

    async def _m_setMyCommands(self, params: JSON) -> bool:
        self.commands = json.loads(params["commands"])
        return True

    async def _m_getUpdates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset", 0) or 0)
        timeout = float(params.get("timeout", 0) or 0)
        async with self._new:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new.wait(), timeout)
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            return list(self._updates[: int(params.get("limit", 100) or 100)])

    async def _record(self, method: str, params: JSON, extra: JSON | None = None) -> JSON:
        chat_id = int(params["chat_id"])
        message_id = next(self._message_ids[chat_id])
        sent = Sent(method, chat_id, params, message_id, time.monotonic())
        async with self._sent_changed:
            self.sent.append(sent)
            self.sent_counts[chat_id] += 1
            self._sent_changed.notify_all()
        message: JSON = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "attune"},
        }
        if "text" in params:
            message["text"] = params["text"]
        message.update(extra or {})
        return message

    def _refuse_blocked(self, params: JSON) -> web.Response | None:
        if int(params["chat_id"]) in self.blocked_users:
            return _error(403, "Forbidden: bot can't initiate conversation with a user")
        return None

    async def _m_sendMessage(self, params: JSON) -> JSON | web.Response:
        if not params.get("text"):
            return _error(400, "Bad Request: message text is empty")
        if len(str(params["text"])) > 4096:
            return _error(400, "Bad Request: message is too long")
        return self._refuse_blocked(params) or await self._record("sendMessage", params)

    async def _m_sendPhoto(self, params: JSON) -> JSON | web.Response:
        photo = params.get("photo")
        size = len(photo) if isinstance(photo, bytes) else 0
        extra = {
            "photo": [
                {
                    "file_id": "sent",
                    "file_unique_id": "s",
                    "width": 1,
                    "height": 1,
                    "file_size": size,
                }
            ]
        }
        return self._refuse_blocked(params) or await self._record("sendPhoto", params, extra)

    async def _m_sendDocument(self, params: JSON) -> JSON | web.Response:
        return self._refuse_blocked(params) or await self._record("sendDocument", params)

    async def _m_sendChatAction(self, params: JSON) -> bool:
        self.actions.append((int(params["chat_id"]), str(params["action"])))
        return True

    async def _m_answerCallbackQuery(self, params: JSON) -> bool:
        self.callback_answers.append(str(params["callback_query_id"]))
        return True

    async def _m_editMessageText(self, params: JSON) -> JSON:
        return await self._record("editMessageText", params)

    async def _m_getFile(self, params: JSON) -> JSON | web.Response:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"photos/{file_id}",
        }

    # -- building updates ------------------------------------------------------------------

    def _message(self, user: FakeUser, chat: FakeChat, **fields: Any) -> JSON:
        return {
            "message_id": next(self._message_ids[chat.id]),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": user.as_json(),
            **fields,
        }

    async def push(self, update: JSON) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **update}
        async with self._new:
            self._updates.append(update)
            self._new.notify_all()
        return update_id

    async def redeliver(self, update: JSON) -> int:
        """The same message again under a new update id, as Telegram does when a bot did not
        confirm an update (it crashed, or the confirming getUpdates was lost)."""
        body = {k: v for k, v in update.items() if k != "update_id"}
        return await self.push(body)

    async def push_text(
        self, user: FakeUser, text: str, chat: FakeChat | None = None, **fields: Any
    ) -> JSON:
        chat = chat or FakeChat.private(user)
        message = self._message(user, chat, text=text, **fields)
        entities = _entities(text)
        if entities:
            message["entities"] = entities
        update: JSON = {"message": message}
        update["update_id"] = await self.push(update)
        return update

    def add_file(self, file_id: str, data: bytes) -> None:
        self.files[file_id] = data

    async def push_photo(
        self,
        user: FakeUser,
        data: bytes,
        caption: str | None = None,
        chat: FakeChat | None = None,
        *,
        file_id: str | None = None,
        size: tuple[int, int] = (640, 480),
        reported_size: int | None = None,
        **fields: Any,
    ) -> JSON:
        """A photo as Telegram sends it: a thumbnail and the full size (the one to fetch)."""
        chat = chat or FakeChat.private(user)
        file_id = file_id or f"photo{next(self._update_ids)}"
        self.add_file(file_id, data)
        self.add_file(file_id + "_thumb", data[:100])
        sizes = [
            {
                "file_id": file_id + "_thumb",
                "file_unique_id": "t" + file_id,
                "width": 90,
                "height": 67,
                "file_size": 100,
            },
            {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "width": size[0],
                "height": size[1],
                "file_size": reported_size or len(data),
            },
        ]
        message = self._message(user, chat, photo=sizes, **fields)
        if caption:
            message["caption"] = caption
            entities = _entities(caption)
            if entities:
                message["caption_entities"] = entities
        update: JSON = {"message": message}
        update["update_id"] = await self.push(update)
        return update

    async def push_document(
        self, user: FakeUser, data: bytes, mime_type: str, caption: str | None = None
    ) -> JSON:
        """A file sent "as a file" (uncompressed), e.g. a PNG selfie or a PDF."""
        file_id = f"doc{next(self._update_ids)}"
        self.add_file(file_id, data)
        document = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_name": "selfie.png" if mime_type.startswith("image/") else "notes.pdf",
            "mime_type": mime_type,
            "file_size": len(data),
        }
        fields: JSON = {"document": document}
        if caption:
            fields["caption"] = caption
        update: JSON = {"message": self._message(user, FakeChat.private(user), **fields)}
        update["update_id"] = await self.push(update)
        return update

    async def push_voice(
        self, user: FakeUser, data: bytes, *, duration: int = 3, reported_size: int | None = None
    ) -> JSON:
        """A voice message as Telegram sends it (OGG/Opus; the bytes fetched via getFile)."""
        file_id = f"voice{next(self._update_ids)}"
        self.add_file(file_id, data)
        voice = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": reported_size or len(data),
        }
        update: JSON = {"message": self._message(user, FakeChat.private(user), voice=voice)}
        update["update_id"] = await self.push(update)
        return update

    async def push_video_note(
        self,
        user: FakeUser,
        data: bytes,
        *,
        kind: str = "video_note",
        caption: str | None = None,
        reported_size: int | None = None,
    ) -> JSON:
        """A round video note (or, with ``kind="video"``, a video) as Telegram sends it."""
        file_id = f"{kind}{next(self._update_ids)}"
        self.add_file(file_id, data)
        clip: JSON = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "duration": 4,
            "file_size": reported_size or len(data),
        }
        if kind == "video_note":
            clip["length"] = 320
        else:
            clip.update(width=320, height=320, mime_type="video/mp4")
        fields: JSON = {kind: clip}
        if caption:
            fields["caption"] = caption
        update: JSON = {"message": self._message(user, FakeChat.private(user), **fields)}
        update["update_id"] = await self.push(update)
        return update

    async def push_sticker(self, user: FakeUser, chat: FakeChat | None = None) -> JSON:
        chat = chat or FakeChat.private(user)
        sticker = {
            "file_id": "stk",
            "file_unique_id": "stk",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        update: JSON = {"message": self._message(user, chat, sticker=sticker)}
        update["update_id"] = await self.push(update)
        return update

    async def push_callback(self, user: FakeUser, prompt: Sent, data: str) -> JSON:
        message = {
            "message_id": prompt.message_id,
            "date": int(time.time()),
            "chat": FakeChat(prompt.chat_id).as_json()
            if prompt.chat_id > 0
            else FakeChat.group(prompt.chat_id).as_json(),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "attune"},
            "text": prompt.text,
        }
        query = {
            "id": f"cq{next(self._update_ids)}",
            "from": user.as_json(),
            "chat_instance": "ci",
            "message": message,
            "data": data,
        }
        update: JSON = {"callback_query": query}
        update["update_id"] = await self.push(update)
        return update

    # -- observing -------------------------------------------------------------------------

    def sent_to(self, chat_id: int, method: str | None = None) -> list[Sent]:
        return [
            s for s in self.sent if s.chat_id == chat_id and (method is None or s.method == method)
        ]

    async def wait_sent(
        self, predicate: Callable[[list[Sent]], bool], within: float = 5.0
    ) -> list[Sent]:
        """Wait until ``predicate(self.sent)`` holds; the list on success, AssertionError else."""

        async def until() -> None:
            async with self._sent_changed:
                await self._sent_changed.wait_for(lambda: predicate(self.sent))

        try:
            await asyncio.wait_for(until(), within)
        except TimeoutError:
            so_far = [(s.method, s.chat_id, s.text[:40]) for s in self.sent]
            raise AssertionError(f"timed out waiting; sent so far: {so_far}") from None
        return self.sent

    async def wait_count(self, chat_id: int, count: int, within: float = 5.0) -> list[Sent]:
        await self.wait_sent(lambda _: self.sent_counts[chat_id] >= count, within)
        return self.sent_to(chat_id)

    async def post_webhook(self, update: JSON, secret: str | None) -> int:
        """POST an update to the registered webhook as Telegram would; the HTTP status."""
        assert self.webhook is not None, "no webhook set"
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with (
            ClientSession() as session,
            session.post(self.webhook["url"], data=json.dumps(update), headers=headers) as response,
        ):
            return response.status

    def build_text_update(self, user: FakeUser, text: str, chat: FakeChat | None = None) -> JSON:
        chat = chat or FakeChat.private(user)
        return {
            "update_id": next(self._update_ids),
            "message": self._message(user, chat, text=text),
        }


def _entities(text: str) -> list[JSON]:
    """Mention and command entities as Telegram computes them (UTF-16 offsets)."""
    entities: list[JSON] = []
    position = 0
    for word in text.split(" "):
        offset = len(text[:position].encode("utf-16-le")) // 2
        length = len(word.encode("utf-16-le")) // 2
        if word.startswith("@") and len(word) > 1:
            entities.append({"type": "mention", "offset": offset, "length": length})
        elif word.startswith("/") and position == 0 and len(word) > 1:
            entities.append({"type": "bot_command", "offset": offset, "length": length})
        position += len(word) + 1
    return entities


def _error(status: int, description: str, **parameters: Any) -> web.Response:
    body: JSON = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _params(request: web.Request) -> JSON:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    form = await request.post()
    params: JSON = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = value.file.read()
        else:
            params[key] = value
    # PTB sends files as attach://name references in multipart bodies
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value.removeprefix("attach://"), b"")
    return params
