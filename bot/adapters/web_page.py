"""The web demo's page: its Gradio layout (chat, live and mood tabs) and which event runs what.

Gradio objects stop here and in ``web_live``: the handlers (``web_handlers``) get and return
plain values. Pictures and downloads travel inside the page as ``data:`` URIs, so nothing of
the person's is written to disk; ``delete_cache`` removes an upload that is never sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.adapters.web_handlers import BLANK_CHOICE, PageHandlers
from bot.adapters.web_live import LiveReader, build_live_tab
from bot.adapters.web_render import HISTORY_HEADERS, clean_name
from bot.adapters.web_turns import HISTORY_ROWS

if TYPE_CHECKING:
    import gradio as gr

IMAGE_TYPES = [".jpg", ".jpeg", ".png", ".webp"]

INTRO = (
    "## attune — how do you feel today?\n"
    "Write a message and, if you like, add a photo of your face: attune reads the emotion in "
    "your words and your expression, shows what it read as bars, and answers. "
    "**Everything runs on this computer; nothing is sent to the internet.** "
    "It keeps your messages and the emotions it read, under the name you choose, in a local "
    "database — photos are read in memory and never stored. The *Your mood* tab shows your "
    "history, downloads it, or erases it."
)
NAME_NOTE = (
    "Your name is how attune finds your history on this computer (it is not an account: "
    "anyone here who types the same name sees the same history)."
)
CSS = """
#intro { margin-bottom: 0.25rem; }
#name-note { font-size: 0.9em; opacity: 0.8; align-self: center; }
.attune-photo { margin: 0; }
.attune-photo img { max-height: 360px; width: auto; }
.attune-photo figcaption { font-size: 0.9em; opacity: 0.8; }
"""


def build_page(
    handlers: PageHandlers, send_moment: Callable[[str, str, bytes], Awaitable[str]]
) -> tuple[gr.Blocks, LiveReader]:
    """The page, its events wired to ``handlers``; and the live tab's frame reader.

    ``send_moment(name, text, jpeg_bytes)``: the live tab's "send this moment" (a photo
    message; returns the reply's text). Blocking (builds Gradio components): call it off the
    event loop.
    """
    import gradio as gr

    # delete_cache: an upload that is never sent is still gone within the hour.
    blocks = gr.Blocks(title="attune — web demo", analytics_enabled=False, delete_cache=(600, 3600))
    with blocks:
        gr.Markdown(INTRO, elem_id="intro")
        name_state = gr.State("")
        with gr.Row():
            name_box = gr.Textbox(
                label="Your name",
                placeholder="e.g. Ada",
                max_lines=1,
                scale=1,
                elem_id="name",
            )
            gr.Markdown(NAME_NOTE, elem_id="name-note")
        with gr.Tab("Chat", id="chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=5):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        height=300,
                        elem_id="conversation",
                        feedback_options=None,
                        buttons=["copy"],
                    )
                    text_box = gr.Textbox(
                        label="Your message",
                        placeholder="How was your day?",
                        lines=2,
                        elem_id="message",
                    )
                    with gr.Row():
                        upload = gr.File(
                            label="Photo (optional: JPEG, PNG or WebP)",
                            file_types=IMAGE_TYPES,
                            type="filepath",
                            height=170,
                            elem_id="photo",
                        )
                        webcam = gr.Image(
                            label="…or a webcam snapshot",
                            sources=["webcam"],
                            type="filepath",
                            image_mode=None,
                            height=170,
                            elem_id="webcam",
                        )
                    send = gr.Button("Send", variant="primary", elem_id="send")
                    with gr.Row():
                        choice_a = gr.Button(BLANK_CHOICE, visible=False, size="sm")
                        choice_b = gr.Button(BLANK_CHOICE, visible=False, size="sm")
                    choices_state = gr.State([])
                with gr.Column(scale=4):
                    gr.Markdown("### What attune read from your last message")
                    fused = gr.Label(
                        label="Overall (words + face + your recent mood)",
                        num_top_classes=7,
                        elem_id="fused",
                    )
                    with gr.Row():
                        words = gr.Label(label="Words", num_top_classes=7, elem_id="words")
                        face = gr.Label(label="Face", num_top_classes=7, elem_id="face")
            with gr.Row(equal_height=False):
                with gr.Column(scale=2):
                    photo = gr.HTML(elem_id="photo-boxes")
                with gr.Column(scale=3):
                    verdict = gr.Markdown(elem_id="verdict", line_breaks=True)
        with gr.Tab("Live", id="live"):
            live = build_live_tab(gr, name_box, send_moment, clean_name)
        with gr.Tab("Your mood", id="mood"):
            gr.Markdown(
                "Your mood over time, as /mood shows it; every entry attune keeps about you; "
                "a download of all of it; and a button that erases all of it."
            )
            with gr.Row():
                period = gr.Radio(["week", "month", "all"], value="week", label="Period", scale=2)
                show = gr.Button("Show my mood", variant="primary", scale=1)
            mood_text = gr.Markdown(elem_id="mood-text", line_breaks=True)
            chart = gr.HTML(elem_id="mood-chart")
            table = gr.Dataframe(
                headers=HISTORY_HEADERS,
                label=(
                    f"Your entries (newest first, up to {HISTORY_ROWS}; times in UTC "
                    "unless you set yours with /timezone in the chat)"
                ),
                interactive=False,
                wrap=True,
                elem_id="history",
            )
            with gr.Row():
                export = gr.Button("Download my data (JSON and CSV)")
                forget = gr.Button("Erase everything…", variant="stop")
            data_text = gr.Markdown(elem_id="data-text", line_breaks=True)
            downloads = gr.HTML(elem_id="downloads")
            with gr.Row():
                confirm = gr.Button(BLANK_CHOICE, visible=False, variant="stop")
                cancel = gr.Button(BLANK_CHOICE, visible=False)
            forget_state = gr.State([])

        name_box.change(handlers.pick_name, [name_box], [name_state], api_visibility="private")

        send_outputs = [
            chatbot,
            text_box,
            upload,
            webcam,
            words,
            face,
            fused,
            verdict,
            photo,
            name_state,
            choice_a,
            choice_b,
            choices_state,
        ]
        send_inputs = [name_box, name_state, text_box, upload, webcam, chatbot]
        on_send = handlers.on_send
        send.click(on_send, send_inputs, send_outputs, api_name="send")
        text_box.submit(on_send, send_inputs, send_outputs, api_visibility="private")

        choice_inputs = [name_state, choices_state, chatbot]
        choice_outputs = [chatbot, choice_a, choice_b, choices_state]
        for button, pick in ((choice_a, handlers.on_choice_a), (choice_b, handlers.on_choice_b)):
            button.click(pick, choice_inputs, choice_outputs, api_visibility="private")

        # ---- mood tab -----------------------------------------------------------------------
        show.click(
            handlers.on_mood, [name_state, period], [mood_text, chart, table], api_name="mood"
        )
        export.click(handlers.on_export, [name_state], [data_text, downloads], api_name="export")
        forget.click(
            handlers.on_forget,
            [name_state],
            [data_text, downloads, confirm, cancel, forget_state],
            api_name="forget",
        )
        answer_inputs = [name_state, forget_state]
        answer_outputs = [data_text, confirm, cancel, forget_state, mood_text, chart, table]
        confirm.click(handlers.on_confirm, answer_inputs, answer_outputs, api_name="forget_confirm")
        cancel.click(handlers.on_cancel, answer_inputs, answer_outputs, api_name="forget_cancel")
    return blocks, live
