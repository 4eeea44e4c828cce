"""The platform-free heart of attune: ``handle(Message) -> Reply``.

For every message: screen for crisis language first (rules only, so it works without any
model), route commands, estimate the words and the face off the event loop, fuse them with
the user's fading history, choose a tone and a reply that was not used lately, and store the
entry together with the platform message id — in one transaction, before answering, so that a
message that was answered is stored and a redelivered one is answered once. A locked or failing
database delays storing, not answering: after ``storage_wait_s`` the reply goes out and the
write is kept and retried (``bot.storage.writebehind``); a crisis message gets the crisis reply
whatever fails.
"""

from __future__ import annotations

import logging
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from bot import risk_turn
from bot.commands.catalog import default_commands
from bot.commands.mood import correct
from bot.commands.table import CommandContext, CommandTable, ForgetHook, parse_command
from bot.config import Settings
from bot.domain import (
    Answer,
    Choice,
    Message,
    MoodEntry,
    NewEntry,
    Reply,
    TurnReport,
    UserRecord,
)
from bot.inference import EmotionService
from bot.llm import WriterRequest
from bot.media import hear
from bot.phrases import (
    EMPTY_MESSAGE,
    INTERNAL_ERROR,
    LONG_MESSAGE,
    PICK_A_CHOICE,
    UNKNOWN_COMMAND,
    photo_note,
)
from bot.risk import RiskScreen, Screened
from bot.storage.repository import DuplicateMessage, Repository, TurnContext
from bot.storage.writebehind import DEFERRED, STORAGE_ERRORS, WriteBehind
from bot.textclean import clean_text, screen_readings
from bot.unread import unread_for
from emotion.fusion import FusionResult, HistoryPoint, fuse
from emotion.labels import LABELS, Emotion, EmotionEstimate, Source
from emotion.photo import PhotoReading
from responses import bank, corrections, risk_state, safety, tone
from responses.compose import Composed, ComposeInput, Turn, compose
from responses.risk_state import RiskState
from responses.safety_rules import context_signals

log = logging.getLogger(__name__)

HISTORY_WINDOW = timedelta(days=14)
TREND_WINDOW = timedelta(days=3)
#: Earlier messages count as the same conversation (for acts and reading in context) when
#: they are at most this old.
CONVERSATION_GAP = timedelta(hours=6)
#: How much of a message the crisis screen reads (characters). Above every chat platform's
#: limit (Telegram 4,096, Discord 4,000 with Nitro), far above ``max_text_chars`` (what the
#: emotion models read and what is stored); the rules read it window by window, off the event
#: loop (~3 s for 100,000 characters here). The console and the web demo take longer pastes: a
#: review's 22,500 characters ending "i am going to kill myself tonight" were past 20,000.
SCREEN_MAX_CHARS = 100_000
#: How long a reply's choices (/forget's "Are you sure?") stay the question a typed "yes" or
#: "no" is about.
CHOICE_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class CoreOptions:
    half_life: timedelta = timedelta(hours=72)
    max_text_chars: int = 4000
    helpline_country: str = ""
    max_image_bytes: int = 20 * 1024 * 1024
    #: Longest a reply waits for the database before it goes out (the write is kept).
    storage_wait_s: float = 3.0

    @classmethod
    def from_settings(cls, settings: Settings) -> CoreOptions:
        return cls(
            half_life=timedelta(hours=settings.history_half_life_hours),
            max_text_chars=settings.max_text_chars,
            helpline_country=settings.helpline_country,
            max_image_bytes=settings.max_image_bytes,
            storage_wait_s=settings.storage_wait_s,
        )


def history_point(entry: MoodEntry) -> HistoryPoint:
    """An entry as the history prior sees it: the user's own correction wins."""
    if entry.correction is not None:
        probs = tuple(1.0 if label == entry.correction else 0.0 for label in LABELS)
    else:
        probs = tuple(entry.fused_probs.get(label.value, 0.0) for label in LABELS)
    return HistoryPoint(at=entry.created_at, probabilities=probs)


@dataclass(slots=True)
class _Notes:
    """What one turn read and kept, gathered as the turn goes (frozen into a TurnReport)."""

    entry: MoodEntry | None = None
    fusion: FusionResult | None = None
    photo: PhotoReading | None = None
    risk_state: RiskState | None = None
    at: datetime | None = None

    def report(self) -> TurnReport:
        return TurnReport(self.entry, self.fusion, self.photo, self.risk_state, self.at)


class ReplyWriter(Protocol):
    """Writes a reply for a composed moment, or None to let the bank's reply stand."""

    async def write(self, request: WriterRequest) -> str | None: ...


class Core:
    def __init__(
        self,
        repository: Repository,
        emotions: EmotionService,
        options: CoreOptions | None = None,
        *,
        rng: random.Random | None = None,
        writer: ReplyWriter | None = None,
        risk: RiskScreen | None = None,
        commands: CommandTable | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.repository = repository
        self.emotions = emotions
        self.options = options or CoreOptions()
        #: The commands served (built by the composition root; the default table otherwise).
        self.commands: CommandTable = commands if commands is not None else default_commands()
        #: The current instant (zone-aware UTC) as commands see it.
        self.clock = clock or _utc_now
        #: Run after /forget erased an account's rows (adapters erase their own files).
        self.on_forget: list[ForgetHook] = []
        self._rng = rng or random.Random()
        #: The optional LLM writer (bot.llm); None means the reply bank alone answers.
        self.writer = writer
        #: Storage writes wait at most ``storage_wait_s``; late ones are kept and retried.
        self.writes = WriteBehind(self.options.storage_wait_s, serialize=repository.single_writer)
        #: The crisis screen: rules, plus the learned classifier when one loaded.
        self.risk = risk or RiskScreen(None)
        #: The choices the last reply in a chat offered, and when (kept in memory only: after a
        #: restart a typed "yes" is an ordinary message, and the risk state no longer takes it
        #: for an answer either, ``risk_state.end_answer_window``).
        self._offered: dict[tuple[str, str, str], tuple[tuple[Choice, ...], datetime]] = {}

    async def handle(self, message: Message, *, replay: bool = False) -> Reply:
        """Answer one message (``handle_turn``'s reply, for adapters that show only that)."""
        return (await self.handle_turn(message, replay=replay)).reply

    async def handle_turn(self, message: Message, *, replay: bool = False) -> Answer:
        """Answer one message, and report what was read and kept for it. Never raises: a fault
        becomes a kind apology, logged once — except for crisis language, which always gets the
        crisis reply (help never waits on storage or models). The report is empty then.

        ``replay``: the message may have been handled before a crash that came before its
        answer was recorded as sent (a recovered inbox row); it is answered even if it was
        seen, and stored at most once.
        """
        notes = _Notes()
        try:
            return Answer(await self._handle(message, replay, notes), notes.report())
        except Exception as error:
            log.error(
                "could not handle a %s message (%s)",
                message.user.platform.value,
                type(error).__name__,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            check = safety.screen(screen_readings(message.text, SCREEN_MAX_CHARS))
            if check.flagged:
                log.warning("crisis language detected; helpline reply sent despite the fault")
                return Answer(Reply(self._crisis_text([], check)))
            return Answer(Reply(INTERNAL_ERROR))

    async def _turn(self, message: Message, since: datetime | None) -> TurnContext:
        """The turn's context; with an unreadable database, an empty one (answer anyway)."""
        try:
            return await self.repository.turn_context(
                message.user, message.chat_id, message.message_id, since=since
            )
        except STORAGE_ERRORS as error:
            log.warning("storage: could not read the history (%s)", type(error).__name__)
            return TurnContext(user=None, seen=False, recent=[])

    async def _user(self, message: Message, known: UserRecord | None) -> UserRecord:
        """The writer's record; provisional (id 0) while the database does not take writes."""
        found = await self.writes.run(
            "user", lambda: self.repository.get_or_create_user(message.user, known=known)
        )
        if found is not DEFERRED:
            return found
        ref = message.user
        return known or UserRecord(
            0, ref.platform, ref.user_id, ref.display_name, datetime.now(UTC)
        )

    async def _handle(self, message: Message, replay: bool, kept: _Notes) -> Reply:
        heard = await hear(self.emotions, message)  # voice/video: words -> text, faces -> reading
        if heard.reply is not None:
            return heard.reply
        message = heard.message
        cleaned = clean_text(message.text, self.options.max_text_chars)
        text = cleaned.text
        # The screen reads past the length the models read: Telegram allows 4,096 characters,
        # and "...i have the pills" after 4,000 characters of rambling must still be heard.
        screened_text = screen_readings(message.text, SCREEN_MAX_CHARS)
        has_photo = message.photo is not None or message.photo_problem is not None
        has_photo = has_photo or heard.reading is not None
        parsed = None if has_photo else parse_command(text)
        # Screen first, before any storage: help must never wait on the database.
        screened = (
            Screened(safety.SAFE) if parsed is not None else await self.risk.screen(screened_text)
        )
        check = screened.check
        if message.edited:
            return await self._edited(message, screened)
        turn = await self._turn(message, None if parsed else datetime.now(UTC) - HISTORY_WINDOW)
        if turn.seen and not replay:
            return Reply("", duplicate=True)
        # Choices answer the next message at most: whatever comes now, they are withdrawn.
        offered = self._offered.pop(_chat_key(message), None)
        # No user row for a command or an empty message: only something to be read creates
        # one, so /help after /forget keeps nothing.
        if parsed is not None:
            return await self._command(
                turn.user, message, *parsed, replay=replay, risk_json=turn.risk_state
            )
        if not has_photo and not text:
            return Reply(EMPTY_MESSAGE)
        if (
            offered is not None
            and not has_photo
            and not check.flagged
            and datetime.now(UTC) - offered[1] <= CHOICE_WINDOW
            and _picks_a_choice(text)
        ):
            # "yes" typed at "Are you sure? [1] Yes, delete everything [2] Cancel": nothing
            # irreversible happens on a typed word, and it is not a yes to anything the bot
            # asked before (a review saw it read as a yes to the question about suicide).
            self._offered[_chat_key(message)] = offered
            return Reply(PICK_A_CHOICE, choices=offered[0])

        # A correction in words is about the person's private entries: in a group it is read
        # as an ordinary message (``/feel`` answers privately there).
        if not check.flagged and message.photo is None and message.is_private_chat:
            label = corrections.parse_correction(text)
            if label is not None:
                return await self._correct(turn.user, message, label)
        user = await self._user(message, turn.user)

        # Help never waits on a model: a flagged message is read by the lexicon (microseconds)
        # and its photo is not read at all.
        text_estimate: EmotionEstimate | None
        if check.flagged:
            text_estimate = self.emotions.quick_estimate(text)
        else:
            text_estimate = await self.emotions.estimate_text(text) if text else None
        reading: PhotoReading | None = heard.reading
        if message.photo is not None and not check.flagged:
            reading = await self.emotions.read_photo(message.photo)
        elif message.photo_problem is not None:
            reading = PhotoReading(problem=message.photo_problem)

        now = datetime.now(UTC)
        # Private stays private: in a group or server channel the reading and the reply use
        # only what was written there, never the person's history (trend, last feeling).
        recent = turn.recent if message.is_private_chat else []
        result = fuse(
            text_estimate,
            reading,
            [history_point(e) for e in recent],
            now=now,
            half_life=self.options.half_life,
        )

        opening = risk_turn.open_turn(
            RiskState.from_json(turn.risk_state),
            screened,
            text=text,
            distress=risk_turn.distressed(text_estimate),
            now=now,
            private=message.is_private_chat,
        )
        recent_ids = [e.reply_id for e in turn.recent[-bank.NO_REPEAT_WINDOW :] if e.reply_id]
        decision, result = await self._decide(
            message, user, opening, result, reading, recent, recent_ids, text
        )
        check, state = decision.check, decision.state
        tone_name, reply_id, reply_text = decision.tone, decision.reply_id, decision.text
        if state != opening.before:
            await self._save_risk_state(user, message, state, now)
        kept.fusion, kept.photo, kept.risk_state, kept.at = result, reading, state, now

        notes = []
        if reading is not None and reading.problem is not None and text:
            notes.append(photo_note(reading.problem, self.options.max_image_bytes))
        if heard.note:
            notes.append(heard.note)
        if cleaned.truncated:
            notes.append(LONG_MESSAGE.format(limit=f"{self.options.max_text_chars:,}"))
        entry = NewEntry.read(
            result,
            chat_id=message.chat_id,
            text=text,
            crisis=check.flagged,
            face_count=len(reading.faces) if reading else 0,
            tone=tone_name,
            reply_id=reply_id,
            media_kind=heard.kind,
            heard_from=_heard_from(message.text, heard.transcript, text),
            media_summary=heard.summary,
            media_timeline=heard.timeline,
        )
        stored = await self._store(user, message, entry)
        if stored is False and not replay:
            return Reply("", duplicate=True)
        kept.entry = stored or None
        parts = [*notes, reply_text] if not check.flagged else [reply_text, *notes]
        return Reply("\n\n".join(p for p in parts if p), private=decision.private)

    async def _decide(
        self,
        message: Message,
        user: UserRecord,
        opening: risk_turn.Opening,
        result: FusionResult,
        reading: PhotoReading | None,
        recent: list[MoodEntry],
        recent_ids: list[str],
        text: str,
    ) -> tuple[risk_turn.Decision, FusionResult]:
        """The turn's answer as its risk decides it (``bot.risk_turn``), and the reading to
        store: a flagged message gets the crisis reply and nothing is composed; otherwise the
        everyday reply is composed (careful while the risk is raised or the classifier unsure),
        and the risk keeps it, adds to it or replaces it. The reading in context is what gets
        stored."""
        kind = risk_turn.answer_kind(opening)
        if kind == "crisis":
            log.warning(
                "crisis screen flagged a message (user %s; %s; %s); crisis reply sent",
                user.id,
                ",".join(sorted(opening.check.categories)),
                ",".join(sorted(opening.check.sources)),
            )
            decision = risk_turn.crisis_answer(
                opening, country=self._country, recent_ids=recent_ids, rng=self._rng
            )
        else:
            composed = await self._compose(
                message,
                user,
                result,
                reading,
                recent,
                recent_ids,
                opening.now,
                text,
                risk_elevated=opening.careful,
            )
            result = composed.fusion  # the reading in context is what gets stored
            if kind == "helper":
                log.info("a message about someone else's risk (user %s); helper reply", user.id)
            elif kind == "check_in":
                log.info("risk classifier unsure (user %s); check-in asked", user.id)
            elif kind == "helper_waiting":
                log.info(
                    "someone else's emergency under way (user %s); steps while waiting", user.id
                )
            decision = risk_turn.composed_answer(
                opening,
                text=text,
                reply_text=composed.text,
                tone=composed.tone,
                reply_id=composed.reply_id,
                country=self._country,
            )
        return decision, result

    async def _edited(self, message: Message, screened: Screened) -> Reply:
        """An edited message: silent, unless the edit newly says something the screen flags
        (the crisis reply) or the classifier's unsure band saw (the check-in, as for a new
        message: an edit into "pills in my hand" must not go unanswered).

        The answer to an edit goes out once per message (a second edit that is still flagged
        stays silent); the edit is not read as a new mood entry.
        """
        check = screened.check
        if not (check.flagged or screened.watch) or message.message_id is None:
            return Reply("", duplicate=True)
        repository, key = self.repository, f"{message.message_id}:edit-crisis"

        async def claim() -> bool:
            user = await repository.get_or_create_user(message.user)
            try:
                await repository.mark_processed(
                    user.id, message.user.platform, message.chat_id, key
                )
            except DuplicateMessage:
                return False
            return True

        # A database that does not answer in time delays the claim, never the crisis reply.
        if await self.writes.run("edit", claim) is False:
            return Reply("", duplicate=True)
        if not check.flagged:
            log.info("risk classifier unsure about an edited message; check-in asked")
            text = safety.check_in(screened.watch, self._country, check.language, means=check.means)
            # Remember the question, so that a "yes" to it is heard as an answer. Read without
            # the message id: the edited message was processed, and a processed message's
            # context carries no risk state (saving over it would wipe a raised one).
            turn = await self._turn(replace(message, message_id=None), None)
            if turn.user is not None:
                now = datetime.now(UTC)
                state = risk_turn.mark_reply_asked(
                    RiskState.from_json(turn.risk_state), text, check, now
                )
                await self._save_risk_state(turn.user, message, state, now)
            return Reply(text)
        log.warning("crisis screen flagged an edited %s message", message.user.platform.value)
        return Reply(self._crisis_text([], check))

    async def _save_risk_state(
        self, user: UserRecord, message: Message, state: RiskState, now: datetime
    ) -> None:
        """Store the risk state within the storage bound (kept and retried when late)."""
        repository, value = self.repository, state.to_json()

        async def write() -> None:
            owner = user if user.id else await repository.get_or_create_user(message.user)
            await repository.save_risk_state(owner.id, value, now)

        await self.writes.run("risk state", write)

    async def _store(
        self, user: UserRecord, message: Message, entry: NewEntry
    ) -> MoodEntry | Literal[False] | None:
        """Store the entry with its message id: the stored entry, False for a message stored
        before, or None when the database did not take it in time (it is stored once it
        does)."""
        repository = self.repository

        async def write() -> MoodEntry | Literal[False]:
            owner = user if user.id else await repository.get_or_create_user(message.user)
            try:
                return await repository.add_entry(
                    owner.id, entry, platform=message.user.platform, message_id=message.message_id
                )
            except DuplicateMessage:
                return False

        stored = await self.writes.run("entry", write)
        return None if stored is DEFERRED else stored

    @property
    def _country(self) -> str | None:
        """The helpline country (ISO code), None when unset: the international default."""
        return self.options.helpline_country or None

    def _crisis_text(
        self, recent_ids: list[str], check: safety.SafetyCheck, *, ask: bool = True
    ) -> str:
        return risk_turn.crisis_text(
            check, self._country, recent_ids=recent_ids, rng=self._rng, ask=ask
        )

    async def _compose(
        self,
        message: Message,
        user: UserRecord,
        result: FusionResult,
        reading: PhotoReading | None,
        recent: list[MoodEntry],
        recent_ids: list[str],
        now: datetime,
        text: str,
        *,
        risk_elevated: bool = False,
    ) -> Composed:
        """Build the compose input from what this chat may use, and let ``responses`` reply.

        In a group chat nothing from the person's history is used (no earlier turns, no trend,
        no previous feeling): the reply reflects only what they wrote there.
        """
        private = message.is_private_chat
        current = [e for e in recent if now - e.created_at <= CONVERSATION_GAP]
        turns = current if private else []
        previous = tuple(
            Turn(e.text, _estimate_of(e)) for e in turns[-3:] if e.text and not e.crisis
        )
        trend = _trend(recent, now, result.estimate.valence) if private else tone.Trend.UNKNOWN
        data = ComposeInput(
            text=text,
            fusion=result,
            name=user.display_name,
            previous=previous,
            trend=trend,
            previous_label=recent[-1].label if recent and private else None,
            recent_reply_ids=tuple(recent_ids),
            photo=reading,
            # Gentler while the risk state is raised (the caller: private chats only) or after
            # a recent crisis message of this private conversation (``turns``: none in a group,
            # where a gentle greeting's "since we last talked" would tell what was said).
            risk_elevated=risk_elevated or any(e.crisis for e in turns),
        )
        composed = compose(data, self._rng)
        if self.writer is None or not text or data.risk_elevated:
            # An at-risk conversation keeps to the reviewed bank replies.
            return composed
        request = WriterRequest(
            turns=[*(t.text for t in previous), text],
            reading=f"{composed.fusion.estimate.top.value} "
            f"(confidence {round(100 * composed.fusion.estimate.confidence)}%)",
            tone=composed.tone,
            act=composed.act.value,
            draft=composed.text,
        )
        written = await self.writer.write(request)
        if written is None:
            return composed
        return replace(composed, text=written, reply_id=f"llm-{composed.tone}"[:64])

    async def _command(
        self,
        user: UserRecord | None,
        message: Message,
        name: str,
        args: str,
        *,
        replay: bool = False,
        risk_json: str | None = None,
    ) -> Reply:
        """Run a command; when its reply offers choices, remember them for the next message and
        end the answer window of the bot's question about suicide (``risk_json``: the stored
        risk state): the last question asked is now the command's."""
        command = self.commands.get(name)
        if command is None:
            return Reply(UNKNOWN_COMMAND.format(command=f"/{name}"))
        if message.message_id is not None and user is not None and user.id:
            repository, message_id = self.repository, message.message_id
            try:
                await self.writes.run(
                    "processed",
                    lambda: repository.mark_processed(
                        user.id, message.user.platform, message.chat_id, message_id
                    ),
                )
            except DuplicateMessage:
                if not replay:
                    return Reply("", duplicate=True)
        reply = await command.handler(self._context(user, message, args))
        if reply.choices:
            now = datetime.now(UTC)
            # Offers nobody answered go once their window has passed (memory stays bounded).
            self._offered = {
                key: offer
                for key, offer in self._offered.items()
                if now - offer[1] <= CHOICE_WINDOW
            }
            self._offered[_chat_key(message)] = (reply.choices, now)
            state = RiskState.from_json(risk_json)
            ended = risk_state.end_answer_window(state)
            if user is not None and user.id and ended != state:
                await self._save_risk_state(user, message, ended, now)
        if command.private and not reply.private:
            reply = replace(reply, private=True)
        return reply

    def _context(self, user: UserRecord | None, message: Message, args: str) -> CommandContext:
        """What a command (or a correction) gets: the repository, the table, the clock, the
        caller and the adapters' erasure hooks — not the core."""
        return CommandContext(
            repository=self.repository,
            commands=self.commands,
            clock=self.clock,
            user=user,
            message=message,
            args=args,
            on_forget=self.on_forget,
            unread=unread_for(self.emotions),
        )

    async def _correct(self, user: UserRecord | None, message: Message, label: Emotion) -> Reply:
        """A correction in words goes the way of /feel: the same handler, the same context."""
        return await correct(self._context(user, message, ""), label)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _chat_key(message: Message) -> tuple[str, str, str]:
    """One person in one chat (the choices a reply offered are theirs, there)."""
    return (message.user.platform.value, message.user.user_id, message.chat_id)


#: Typed words that answer a yes/no choice ("yes", "ok", "no", "cancel", in the five languages).
_CHOICE_WORD = re.compile(
    r"\W*(?:yes|yeah|yep|yup|y|ok|okay|k|sure|confirm|delete(?: it| everything)?|do it|"
    r"yes please|no|nope|nah|n|no thanks|cancel|stop|ja|jo|klar|nein|oui|ouais|d.?accord|non|"
    r"si|sí|vale|claro|nee|oke|prima)\W*",
    re.IGNORECASE,
)


def _picks_a_choice(text: str) -> bool:
    """Whether ``text`` is a short typed yes or no (meant for the choices just offered)."""
    if len(text.split()) > 3:
        return False
    return bool(_CHOICE_WORD.fullmatch(text.strip())) or "affirmative" in context_signals(text)


def _heard_from(raw: str, transcript: str | None, stored: str) -> int | None:
    """Where the heard words begin in the ``stored`` text: ``raw`` ("caption\ntranscript") as
    cleaned and perhaps shortened. None when nothing was heard or shortening cut all of it."""
    if not transcript:
        return None
    heard = clean_text(transcript, sys.maxsize).text
    whole = clean_text(raw, sys.maxsize).text  # cleaning before shortening: same prefix
    if not heard or not whole.endswith(heard):
        return None
    start = len(whole) - len(heard)
    return start if start < len(stored) else None


def _estimate_of(entry: MoodEntry) -> EmotionEstimate:
    """An entry's reading as the reply sees it: the user's own correction wins."""
    point = history_point(entry)
    return EmotionEstimate(point.probabilities, Source.FUSED, entry.fused_confidence or 0.5)


def _trend(recent: list[MoodEntry], now: datetime, current: float) -> tone.Trend:
    """This message's mood against the user's last days (entries older than today)."""
    before = [e.valence for e in recent if timedelta(days=1) <= now - e.created_at < TREND_WINDOW]
    return tone.trend_of(current, before)
