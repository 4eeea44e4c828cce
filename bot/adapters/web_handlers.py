"""The web demo's page events: what each button does with the values the page sends.

Each handler gets the page's values (the name box, the chat history, the chosen files...) and
returns the new values of its outputs, in the order ``web_page`` wires them; every answer
comes from the core through ``WebCore`` (on the core's loop). Gradio is imported inside the
handlers (for ``gr.update``), so importing this module does not need it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.adapters.web_render import (
    chart_html,
    clean_name,
    downloads_html,
    label_value,
    photo_html,
    summary_markdown,
)
from bot.adapters.web_turns import PhotoInput, WebCore, read_upload
from bot.domain import Choice

NEED_NAME = "Please type your name in the box at the top first, so I know whose mood this is."
NEED_SOMETHING = "Write a message or add a photo first."
BLANK_CHOICE = "—"


def choice_updates(choices: tuple[Choice, ...]) -> list[dict[str, Any]]:
    """Updates for the two choice buttons: a choice's label, shown, or blank and hidden."""
    import gradio as gr

    updates: list[dict[str, Any]] = []
    for index in range(2):
        if index < len(choices):
            updates.append(gr.update(value=choices[index].label, visible=True))
        else:
            updates.append(gr.update(value=BLANK_CHOICE, visible=False))
    return updates


class PageHandlers:
    """The chat tab's and the mood tab's events (the live tab has its own: ``web_live``).

    A handler's outputs are said in a comment, not a docstring: Gradio publishes a handler's
    docstring as its endpoint's description, and the page's API stays as it was.
    """

    def __init__(self, core: WebCore, *, max_bytes: int, upload_dir: str | None) -> None:
        """``max_bytes``: the largest photo read; ``upload_dir``: Gradio's cache folder, whose
        per-upload folders go with the upload (``read_upload``)."""
        self._core = core
        self._max_bytes = max_bytes
        self._upload_dir = upload_dir

    @staticmethod
    def pick_name(raw: str) -> str:
        return clean_name(raw)

    # ---- chat tab ---------------------------------------------------------------------------

    async def on_send(
        self,
        raw_name: str,
        current: str,
        text: str,
        upload_path: str | None,
        webcam_path: str | None,
        history: list[dict[str, Any]] | None,
    ) -> tuple[Any, ...]:
        # (chat, message box, upload, webcam, words, face, overall, verdict, photo, name,
        # choice a, choice b, choice payloads).
        import gradio as gr

        name = clean_name(raw_name) or current
        history = list(history or [])
        keep = tuple(gr.update() for _ in range(8))  # inputs and panels as they are
        if not name or not (text.strip() or upload_path or webcam_path):
            notice = NEED_NAME if not name else NEED_SOMETHING
            history.append({"role": "assistant", "content": notice})
            return (history, *keep, name, *choice_updates(()), [])
        # Both are read (and so deleted); an uploaded file wins over a snapshot.
        photos = [
            await asyncio.to_thread(read_upload, p, self._max_bytes, self._upload_dir)
            for p in (upload_path, webcam_path)
            if p
        ]
        chosen = photos[0] if photos else PhotoInput(None, None)
        result = await self._core.on_core(self._core.chat(name, text, chosen))
        shown = text.strip() or ""
        if chosen.data is not None or chosen.problem is not None:
            shown = (shown + "\n\n" if shown else "") + "*(photo attached)*"
        history.append({"role": "user", "content": shown})
        if not result.reply.duplicate and result.reply.text:
            history.append({"role": "assistant", "content": result.reply.text})
        entry = result.entry
        payloads = [c.payload for c in result.reply.choices]
        if entry is None:
            panels: tuple[Any, ...] = (None, None, None, summary_markdown(None, ""), "")
        else:
            panels = (
                label_value(entry.text_probs),
                label_value(entry.face_probs),
                label_value(entry.fused_probs),
                summary_markdown(entry, result.explanation),
                await asyncio.to_thread(photo_html, chosen.data, result.reading),
            )
        return (
            history,
            "",
            None,
            None,
            *panels,
            name,
            *choice_updates(result.reply.choices),
            payloads,
        )

    async def _on_choice(
        self, index: int, current: str, payloads: list[str], history: list[dict[str, Any]] | None
    ) -> tuple[Any, ...]:
        history = list(history or [])
        if not current or index >= len(payloads):
            return (history, *choice_updates(()), [])
        reply = await self._core.on_core(self._core.command(current, payloads[index]))
        history.append({"role": "assistant", "content": reply.text})
        return (history, *choice_updates(reply.choices), [c.payload for c in reply.choices])

    async def on_choice_a(
        self, current: str, payloads: list[str], history: list[dict[str, Any]] | None
    ) -> tuple[Any, ...]:
        # (chat, choice a, choice b, choice payloads) after the first choice's answer.
        return await self._on_choice(0, current, payloads, history)

    async def on_choice_b(
        self, current: str, payloads: list[str], history: list[dict[str, Any]] | None
    ) -> tuple[Any, ...]:
        # (chat, choice a, choice b, choice payloads) after the second choice's answer.
        return await self._on_choice(1, current, payloads, history)

    # ---- mood tab ---------------------------------------------------------------------------

    async def on_mood(self, current: str, chosen_period: str) -> tuple[Any, ...]:
        # (the /mood text, its chart, the entries table).
        if not current:
            return NEED_NAME, "", []
        reply = await self._core.on_core(self._core.command(current, f"/mood {chosen_period}"))
        rows = await self._core.on_core(self._core.history(current))
        return reply.text, chart_html(reply), rows

    async def on_export(self, current: str) -> tuple[str, str]:
        # (the /export text, its files as download links inside the page).
        if not current:
            return NEED_NAME, ""
        reply = await self._core.on_core(self._core.command(current, "/export"))
        return reply.text, downloads_html(reply.files)

    async def on_forget(self, current: str) -> tuple[Any, ...]:
        # (the /forget question, downloads cleared, confirm, cancel, their payloads).
        if not current:
            return (NEED_NAME, "", *choice_updates(()), [])
        reply = await self._core.on_core(self._core.command(current, "/forget"))
        payloads = [c.payload for c in reply.choices]
        return (reply.text, "", *choice_updates(reply.choices), payloads)

    async def _on_forget_answer(
        self, index: int, current: str, payloads: list[str]
    ) -> tuple[Any, ...]:
        import gradio as gr

        if not current or index >= len(payloads):
            return (gr.update(), *choice_updates(()), [], gr.update(), gr.update(), [])
        reply = await self._core.on_core(self._core.command(current, payloads[index]))
        rows = await self._core.on_core(self._core.history(current))
        return (reply.text, *choice_updates(()), [], "", "", rows)

    async def on_confirm(self, current: str, payloads: list[str]) -> tuple[Any, ...]:
        # (answer, confirm, cancel, payloads, mood text, chart, table) after confirming.
        return await self._on_forget_answer(0, current, payloads)

    async def on_cancel(self, current: str, payloads: list[str]) -> tuple[Any, ...]:
        # (answer, confirm, cancel, payloads, mood text, chart, table) after cancelling.
        return await self._on_forget_answer(1, current, payloads)
