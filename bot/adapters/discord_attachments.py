"""Downloading what a Discord message carries: the selfie, a recording or a video.

``plan_attachments`` (``discord_convert``) chose the files by Discord's reported type and size,
so nothing over the limits is downloaded; here they are read into memory (never written to
disk). A download that fails becomes the core's "unavailable" problem, logged with status and
code only; untyped files are sniffed for an image.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord

from bot.adapters.discord_convert import AttachmentPlan, http_error, looks_like_image
from emotion.photo import PhotoProblem
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Downloads:
    """What was read from one message's attachments (bytes) or why not (a problem)."""

    photo: bytes | None
    photo_problem: PhotoProblem | None
    voice: bytes | None
    voice_problem: VoiceProblem | None
    video: bytes | None
    video_problem: VideoProblem | None

    @property
    def nothing_read(self) -> bool:
        """No photo, recording or video, and no problem with one to tell the person about."""
        heard = self.voice is not None or self.voice_problem is not None
        heard = heard or self.video is not None or self.video_problem is not None
        return self.photo is None and self.photo_problem is None and not heard


async def download(plan: AttachmentPlan, skipped: list[str]) -> Downloads:
    """Read the files ``plan`` chose; untyped files that are not images join ``skipped``."""
    photo, photo_problem = await _fetch_photo(plan, skipped)
    voice, voice_problem = await _fetch_voice(plan)
    video, video_problem = await _fetch_video(plan)
    return Downloads(photo, photo_problem, voice, voice_problem, video, video_problem)


async def _fetch_photo(
    plan: AttachmentPlan, skipped: list[str]
) -> tuple[bytes | None, PhotoProblem | None]:
    """Download the selfie (sized by Discord's report first); sniff untyped files."""
    if plan.photo is not None:
        try:
            return await plan.photo.read(), None
        except discord.HTTPException as error:
            log.warning("discord: could not download a photo (%s)", http_error(error))
            return None, PhotoProblem.UNAVAILABLE
    for attachment in plan.sniff:
        try:
            data = await attachment.read()
        except discord.HTTPException as error:
            log.warning("discord: could not download an attachment (%s)", http_error(error))
            skipped.append(attachment.filename)
            continue
        if looks_like_image(data):
            skipped.extend(a.filename for a in plan.sniff if a is not attachment)
            return data, plan.photo_problem
        skipped.append(attachment.filename)
    return None, plan.photo_problem


async def _fetch_voice(plan: AttachmentPlan) -> tuple[bytes | None, VoiceProblem | None]:
    """Download the recording the plan chose (sized by Discord's report first)."""
    if plan.voice is None:
        return None, plan.voice_problem
    try:
        return await plan.voice.read(), None
    except discord.HTTPException as error:
        log.warning("discord: could not download a recording (%s)", http_error(error))
        return None, VoiceProblem.UNAVAILABLE


async def _fetch_video(plan: AttachmentPlan) -> tuple[bytes | None, VideoProblem | None]:
    """Download the video the plan chose (sized by Discord's report first)."""
    if plan.video is None:
        return None, plan.video_problem
    try:
        return await plan.video.read(), None
    except discord.HTTPException as error:
        log.warning("discord: could not download a video (%s)", http_error(error))
        return None, VideoProblem.UNAVAILABLE


def wants_reading(plan: AttachmentPlan) -> bool:
    """Whether the message carries something slow to read (the typing indicator shows)."""
    recording = plan.voice is not None or plan.video is not None
    return plan.photo is not None or bool(plan.sniff) or recording


@contextlib.asynccontextmanager
async def typing(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """The typing indicator while a photo is read; failing to show it never stops the reply."""
    indicator = channel.typing()
    try:
        await indicator.__aenter__()
        shown = True
    except discord.HTTPException:
        shown = False
    try:
        yield
    finally:
        if shown:
            await indicator.__aexit__(None, None, None)
