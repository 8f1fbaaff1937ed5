"""The chat page's socket.io channel, with conversation ids the server signs.

Rasa's socket.io channel takes the conversation id from the browser: anyone who can reach Rasa's
port could send "session_id": <a WeChat OpenID> and speak as that worker, or read their course
sign-ups. Here the server hands out every id with an HMAC tag, and a message whose id the server
did not sign is not run: the page is told (in Chinese) to start again. A turn that fails (the
action server down) is not met with silence either.

The page resends a message it has no acknowledgement for after a reconnect; the message's id makes
the resend run once. What the bot or a staff member said while the page was away (the reply to a
message whose connection dropped mid-turn, a staff reply sent while the phone had no signal) went to
an empty room: each message carries its tracker timestamp and part, the page says the last moment it
has, and the server sends again what Rasa stored after it; the page skips what it already shows.
A staff member's words reach the page with their name, so it can show who speaks.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.shared.core.events import BotUttered
from socketio import AsyncRedisManager

from bot.channels import after_silence, replies
from bot.chat_tokens import sign, verified
from bot.settings import load_settings
from bot.store import tracker_events

log = logging.getLogger(__name__)

MESSAGE_ID_CHARS = 64


def stamp(value: Any) -> float | None:
    """A tracker timestamp (epoch seconds) from the page or the store, if it is a usable one."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class ChatPageOutput(SocketIOOutput):
    """socket.io output whose messages carry their tracker timestamp and part, and a staff member's name.

    Rasa hands a `bot` event's metadata and timestamp to send_response with the text, and Rasa's own
    output drops them; the console's replies name their author there (bot.rasa_api.RasaClient.say),
    and the page shows the name above the bubble. Rasa splits one message into several (paragraphs,
    buttons, images): (`at`, `part`) names each, so a page told it again knows it has it.
    """

    staff: str | None = None
    at: float | None = None
    part = 0

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Every part of one bot message is sent with its stamp and the name of the staff member, if any."""
        staff = message.get("staff")
        self.staff = staff if isinstance(staff, str) and staff else None
        self.at, self.part = stamp(message.get("timestamp")), 0
        try:
            await super().send_response(recipient_id, message)
        finally:  # a text sent outside a stored message (after_silence) has no stamp
            self.staff = self.at = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        """Every text, button and image goes out through here."""
        extra: dict[str, Any] = {"staff": self.staff} if self.staff else {}
        if self.at is not None:
            extra.update(at=self.at, part=self.part)
            self.part += 1
        await super()._send_message(socket_id, {**response, **extra} if extra else response)


class WatchedOutput(ChatPageOutput):
    """socket.io output that remembers whether the bot said anything this turn."""

    def __init__(self, sio: Any, bot_message_evt: str) -> None:
        """Nothing sent yet."""
        super().__init__(sio, bot_message_evt)
        self.sent = False

    async def _send_message(self, socket_id: str, response: Any) -> None:
        """Note that something was said."""
        self.sent = True
        await super()._send_message(socket_id, response)


class SeenMessages:
    """The ids of the last messages pages sent, so a message resent after a reconnect runs once.

    Each id keeps an event set when its turn ends: a resend waits for it before the page is told what
    that turn said. Kept in the Rasa process: a page's socket.io stays with one server (nginx's ip_hash
    when scaled).
    """

    def __init__(self, size: int = 10_000) -> None:
        """Remember at most `size` ids; the oldest go first."""
        self.size = size
        self._ids: OrderedDict[tuple[str, str], asyncio.Event] = OrderedDict()

    def turn_of(self, conversation_id: str, message_id: Any) -> tuple[asyncio.Event, bool]:
        """The event set when this message's turn ends, and whether this is its first arrival.

        A message without a usable id always arrives for the first time.
        """
        if not isinstance(message_id, str) or not 0 < len(message_id) <= MESSAGE_ID_CHARS:
            return asyncio.Event(), True
        key = (conversation_id, message_id)
        if key in self._ids:
            return self._ids[key], False
        ended = self._ids[key] = asyncio.Event()
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return ended, True


class ChatPageInput(SocketIOInput):
    """socket.io with signed session ids (always persistent: a reload keeps the conversation)."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ChatPageInput:
        """credentials.yml: the usual socket.io keys; the secret comes from bot.settings."""
        credentials = credentials or {}
        return cls(load_settings().chat_secret, credentials.get("user_message_evt", "user_uttered"),
                   credentials.get("bot_message_evt", "bot_uttered"), credentials.get("namespace"))

    def __init__(self, secret: str, user_message_evt: str, bot_message_evt: str, namespace: str | None) -> None:
        """The secret signs ids; without persistence a reload would start a new conversation."""
        super().__init__(user_message_evt, bot_message_evt, namespace, session_persistence=True)
        self.secret = secret
        self.seen = SeenMessages()

    def get_output_channel(self) -> OutputChannel | None:
        """Where staff replies and other messages outside a turn go (`output_channel=latest`)."""
        return ChatPageOutput(self.sio, self.bot_message_evt) if self.sio else super().get_output_channel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        """Rasa's socket.io server, with our handlers for the session request and each message."""
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        tracker_url = load_settings().tracker.read_only_url
        if redis_url := load_settings().redis_url:  # several replicas: a room may be on any of them
            sio.manager = AsyncRedisManager(redis_url, channel="zgfw-socketio")
            sio.manager.set_server(sio)
            sio.manager_initialized = False

        async def catch_up(sid: str, conversation_id: str, since: float | None) -> None:
            """Send this page again what the conversation was told after `since` (the page skips what it has)."""
            if since is None:
                return
            stored = await tracker_events.read(
                tracker_url, lambda session: tracker_events.bot_said_after(session, conversation_id, since), [])
            output = ChatPageOutput(sio, self.bot_message_evt)
            for data in stored:
                await output.send_response(sid, BotUttered(data.get("text"), data.get("data"), data.get("metadata"),
                                                           data.get("timestamp")).message())

        async def session_request(sid: str, data: dict | None) -> None:
            """Keep a conversation the page proves it was given, with what it missed; anything else starts anew."""
            data = data if isinstance(data, dict) else {}
            token = data.get("session_id")
            conversation_id = verified(token, self.secret)
            if conversation_id is None:
                conversation_id = uuid.uuid4().hex
                token = sign(conversation_id, self.secret)
            entered = sio.enter_room(sid, conversation_id)
            if inspect.isawaitable(entered):  # python-socketio >= 5.10 made it a coroutine
                await entered
            await catch_up(sid, conversation_id, stamp(data.get("since")))  # after entering: nothing falls between
            await sio.emit("session_confirm", token, room=sid)

        async def handle_message(sid: str, data: Any) -> None:
            """Run a message under its signed conversation id, else tell the page to start again.

            A message whose id already arrived is not run again: once its turn has ended, the page gets
            what it missed since the moment it sent along. Returning acknowledges the message to the
            page (after the turn). A turn that said nothing gets what bot.channels.after_silence says.
            """
            data = data if isinstance(data, dict) else {}
            output = WatchedOutput(sio, self.bot_message_evt)
            conversation_id = verified(data.get("session_id"), self.secret)
            if conversation_id is None:
                log.warning("chat page message with an unsigned session id refused")
                await output.send_text_message(sid, replies()["chat_session_invalid"].text)
                return
            metadata = data.get(self.metadata_key)
            metadata = metadata if isinstance(metadata, dict) else {}
            ended, first = self.seen.turn_of(conversation_id, metadata.get("message_id"))
            if not first:
                await ended.wait()
                await catch_up(sid, conversation_id, stamp(data.get("since")))
                return
            try:
                await on_new_message(UserMessage(str(data.get("message") or ""), output, conversation_id,
                                                 input_channel=self.name(), metadata=metadata))
            except Exception as error:  # noqa: BLE001 - whatever broke, the worker hears about it
                log.warning("chat page turn failed: %s", type(error).__name__)
            finally:
                ended.set()
            if not output.sent and (text := await after_silence(conversation_id)):
                await output.send_text_message(conversation_id, text)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return webhook
