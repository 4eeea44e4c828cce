"""Media for the core: photos and recordings fetched from Telegram, "typing…" meanwhile.

Downloads keep to the settings' size limits (a photo over ``max_image_bytes`` is never kept);
a download that fails leaves the message with the matching ``*_problem`` for the core to
answer. Logs name the error type only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.adapters.telegram_inbound import Inbound, PhotoRef
from bot.adapters.telegram_limits import PerChatRateLimiter
from bot.domain import Message
from emotion.photo import PhotoProblem
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem

log = logging.getLogger(__name__)

#: Telegram shows a chat action for 5 seconds; refresh it a little sooner.
TYPING_REFRESH_S = 4.5


class Media:
    """Fetches media with ``bot``; the file download itself is retried by ``limiter``."""

    def __init__(self, bot: Bot, limiter: PerChatRateLimiter, max_image_bytes: int) -> None:
        self._bot = bot
        self._limiter = limiter
        self._max_image_bytes = max_image_bytes

    async def with_photo(self, message: Message, refs: list[PhotoRef]) -> Message:
        """Fetch the first photo that downloads; a photo over the limit is never kept."""
        seen: set[str] = set()
        problem = PhotoProblem.UNAVAILABLE
        for ref in refs:
            if ref.file_id in seen:
                continue
            seen.add(ref.file_id)
            try:
                data = await self.download(ref)
            except TelegramError as error:
                log.warning("telegram: photo download failed (%s)", type(error).__name__)
                continue
            if len(data) > self._max_image_bytes:
                problem = PhotoProblem.TOO_LARGE
                continue
            return replace(message, photo=data, photo_problem=None)
        return replace(message, photo=None, photo_problem=problem)

    async def with_recording(self, message: Message, inbound: Inbound) -> Message:
        """Fetch a voice message, audio file or video; a failed download is UNAVAILABLE."""
        ref = inbound.video or inbound.voice
        assert ref is not None
        try:
            data = await self.download(ref)
        except TelegramError as error:
            log.warning("telegram: media download failed (%s)", type(error).__name__)
            if inbound.video is not None:
                return replace(message, video_problem=VideoProblem.UNAVAILABLE)
            return replace(message, voice_problem=VoiceProblem.UNAVAILABLE)
        if inbound.video is not None:
            return replace(message, video=data)
        return replace(message, voice=data)

    async def download(self, ref: PhotoRef) -> bytes:
        """getFile (through the rate limiter), then the file's bytes (retried here: the
        download is no Bot API method, so the rate limiter does not see it)."""
        file = await self._bot.get_file(ref.file_id)

        async def fetch() -> bytes:
            return bytes(await file.download_as_bytearray())

        return await self._limiter.call("download", fetch, limited=False)

    @contextlib.asynccontextmanager
    async def typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" while media is fetched and read (refreshed until done)."""
        bot = self._bot

        async def keep_typing() -> None:
            while True:
                with contextlib.suppress(TelegramError):
                    await bot.send_chat_action(chat_id, ChatAction.TYPING)
                await asyncio.sleep(TYPING_REFRESH_S)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
