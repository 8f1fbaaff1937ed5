"""The chat page's socket.io channel, with conversation ids the server signs.

Rasa's socket.io channel takes the conversation id from the browser: anyone who can reach Rasa's
port could send "session_id": <a WeChat OpenID> and speak as that worker, or read their course
sign-ups. Here the server hands out every id with an HMAC tag, and a message whose id the server
did not sign is not run: the page is told (in Chinese) to start again. A turn that fails (the
action server down) is not met with silence either.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from socketio import AsyncRedisManager

from bot.channels import after_silence, replies
from bot.chat_tokens import sign, verified
from bot.settings import load_settings

log = logging.getLogger(__name__)


class WatchedOutput(SocketIOOutput):
    """socket.io output that remembers whether the bot said anything this turn."""

    def __init__(self, sio: Any, bot_message_evt: str) -> None:
        """Nothing sent yet."""
        super().__init__(sio, bot_message_evt)
        self.sent = False

    async def _send_message(self, socket_id: str, response: Any) -> None:
        """Every text, button and image goes out through here."""
        self.sent = True
        await super()._send_message(socket_id, response)


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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        """Rasa's socket.io server, with our handlers for the session request and each message."""
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        if redis_url := load_settings().redis_url:  # several replicas: a room may be on any of them
            sio.manager = AsyncRedisManager(redis_url, channel="zgfw-socketio")
            sio.manager.set_server(sio)
            sio.manager_initialized = False

        async def session_request(sid: str, data: dict | None) -> None:
            """Keep a conversation the page proves it was given; anything else starts a new one."""
            token = (data or {}).get("session_id")
            conversation_id = verified(token, self.secret)
            if conversation_id is None:
                conversation_id = uuid.uuid4().hex
                token = sign(conversation_id, self.secret)
            entered = sio.enter_room(sid, conversation_id)
            if inspect.isawaitable(entered):  # python-socketio >= 5.10 made it a coroutine
                await entered
            await sio.emit("session_confirm", token, room=sid)

        async def handle_message(sid: str, data: Any) -> None:
            """Run a message under its signed conversation id, else tell the page to start again.

            A turn that said nothing gets what bot.channels.after_silence says.
            """
            data = data if isinstance(data, dict) else {}
            output = WatchedOutput(sio, self.bot_message_evt)
            conversation_id = verified(data.get("session_id"), self.secret)
            if conversation_id is None:
                log.warning("chat page message with an unsigned session id refused")
                await output.send_text_message(sid, replies()["chat_session_invalid"].text)
                return
            metadata = data.get(self.metadata_key)
            try:
                await on_new_message(UserMessage(str(data.get("message") or ""), output, conversation_id,
                                                 input_channel=self.name(),
                                                 metadata=metadata if isinstance(metadata, dict) else {}))
            except Exception as error:  # noqa: BLE001 - whatever broke, the worker hears about it
                log.warning("chat page turn failed: %s", type(error).__name__)
            if not output.sent and (text := await after_silence(conversation_id)):
                await output.send_text_message(conversation_id, text)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return webhook
