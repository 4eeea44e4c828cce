"""The optional LLM writer: a short reply from any OpenAI-compatible chat-completions server.

Off unless ``ATTUNE_LLM_URL`` is set (a local Ollama, llama.cpp ``llama-server`` or vLLM
server). The reply bank stays the default and the fallback: the core composes the bank reply
first, then asks the writer to say the same thing more naturally, given the last turns, the
reading, the dialogue act and the chosen tone. The writer's text is used only if it arrives
within the timeout (at most 3 s) and passes ``responses.writer_check``; any timeout, HTTP
error, malformed JSON or failed check returns None and the bank reply is sent. Crisis
replies never come here: the core answers a flagged message before composing.

Protocol: ``POST {url}/v1/chat/completions`` with ``model``, ``messages``, ``max_tokens`` and
``temperature`` (OpenAI API reference, "Create chat completion"); the reply is
``choices[0].message.content``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from responses.writer_check import reply_problems

log = logging.getLogger(__name__)

MAX_TIMEOUT_S = 3.0

SYSTEM_PROMPT = (
    "You are attune, a warm, empathetic listening companion in a chat app. Reply in one to "
    "three short sentences, in plain words. Reflect back what the person said (their people, "
    "events and feelings) the way a counsellor does, then ask one gentle open question. "
    "Match the tone you are given. Never diagnose, never name a mental illness, never suggest "
    "medication, doses or supplements, never include links, never claim to be human. If they "
    "ask for advice, help them think it through rather than telling them what to do."
)


@dataclass(frozen=True, slots=True)
class WriterRequest:
    """What the writer is told about this moment.

    ``turns``: the person's recent messages in this conversation, oldest first, ending with
    the current one (none from other chats). ``reading``: e.g. "sad (confidence 72%)".
    ``draft``: the bank reply, given as an example of what to say.
    """

    turns: Sequence[str]
    reading: str
    tone: str
    act: str
    draft: str


def _endpoint(url: str) -> str:
    url = url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if url.endswith("/v1"):
        return f"{url}/chat/completions"
    return f"{url}/v1/chat/completions"


def build_messages(request: WriterRequest) -> list[dict[str, str]]:
    """The chat messages sent to the server (system prompt, then the situation)."""
    history = "\n".join(f"- {turn}" for turn in request.turns[:-1]) or "- (none)"
    current = request.turns[-1] if request.turns else ""
    situation = (
        f"Earlier messages from the person:\n{history}\n\n"
        f"Their message now: {current}\n"
        f"What it does: {request.act}. How they seem to feel: {request.reading}. "
        f"Tone to answer in: {request.tone}.\n"
        f"An acceptable reply, for reference: {request.draft}\n"
        "Write your reply only."
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": situation},
    ]


class LlmWriter:
    """Asks an OpenAI-compatible server for a reply; None whenever it cannot be trusted."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: SecretStr | None = None,
        *,
        timeout_s: float = MAX_TIMEOUT_S,
        max_tokens: int = 120,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._endpoint = _endpoint(url)
        self._model = model
        self._max_tokens = max_tokens
        headers = {}
        if api_key is not None:
            headers["Authorization"] = f"Bearer {api_key.get_secret_value()}"
        timeout = min(timeout_s, MAX_TIMEOUT_S)
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout), headers=headers)
        self._timeout_s = timeout

    async def write(self, request: WriterRequest) -> str | None:
        """The checked reply, or None (timeout, HTTP error, bad JSON, failed check)."""
        payload = {
            "model": self._model,
            "messages": build_messages(request),
            "max_tokens": self._max_tokens,
            "temperature": 0.7,
            "stream": False,
        }
        try:
            response = await self._client.post(
                self._endpoint, json=payload, timeout=self._timeout_s
            )
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except Exception as error:  # any failure: the bank answers
            log.warning("LLM writer unavailable (%s); the reply bank answers", type(error).__name__)
            return None
        if not isinstance(content, str):
            log.warning("LLM writer returned no text; the reply bank answers")
            return None
        text = " ".join(content.split())
        problems = reply_problems(text)
        if problems:
            log.warning("LLM reply refused (%s); the reply bank answers", ", ".join(problems))
            return None
        return text

    async def aclose(self) -> None:
        await self._client.aclose()
