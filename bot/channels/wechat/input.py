"""The Official Account's webhook: signed requests only, one turn per message, a quick reply or a service message."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from xml.parsers.expat import ExpatError

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, text
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from bot.channels import after_silence, replies
from bot.channels.wechat import state
from bot.channels.wechat.client import ServiceClient
from bot.channels.wechat.output import WeChatOutput, texts_for
from bot.settings import WeChatSettings, load_settings

log = logging.getLogger(__name__)

STALE_AFTER_S = 300  # a signed request older than this is a replay


def from_menu(options: list[dict[str, str]], typed: str) -> str:
    """'2' or a button's title becomes that button's payload; anything else stays as typed."""
    choice = typed.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(options):
        return options[int(choice) - 1]["payload"]
    return next((o["payload"] for o in options if o["title"] == choice), typed)


class WeChatInput(InputChannel):
    """The Official Account's server URL: /webhooks/wechat/webhook."""

    @classmethod
    def name(cls) -> str:
        """URL prefix and input_channel name."""
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Settings from ZGFW_WECHAT_* (bot.settings); credentials.yml only names the channel."""
        return cls(load_settings().wechat)

    def __init__(self, settings: WeChatSettings) -> None:
        """An empty token means the channel is not configured and refuses every request."""
        self.token, self.appid, self.mode = settings.token, settings.appid, settings.mode
        self.reply_within = settings.reply_within
        self.crypto = WeChatCrypto(settings.token, settings.aes_key, settings.appid) \
            if self.mode in ("compatible", "safe") else None
        self.client = ServiceClient(settings.appid, settings.secret, settings.api_base) if settings.token else None
        self._pending: set[asyncio.Future] = set()

    def get_output_channel(self) -> WeChatOutput:
        """For Rasa's HTTP API (staff replies, notifications) and for slow answers."""
        return WeChatOutput(self.client)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """GET for WeChat's handshake, POST for messages and events."""
        hook = Blueprint("wechat_webhook", url_prefix=f"/webhooks/{self.name()}")

        @hook.get("/webhook")
        async def handshake(request: Request) -> HTTPResponse:
            if not self._signed(request):
                return text("forbidden", status=403)
            return text(request.args.get("echostr", ""))

        @hook.post("/webhook")
        async def receive(request: Request) -> HTTPResponse:
            if not self._signed(request):
                return text("forbidden", status=403)
            try:
                xml = self._decrypt(request)
            except (InvalidSignatureException, InvalidAppIdException, ExpatError, KeyError, ValueError, UnicodeError):
                log.warning("wechat message refused: bad msg_signature or encryption not matching mode %s", self.mode)
                return text("forbidden", status=403)
            try:
                message = parse_message(xml)
            except (ExpatError, KeyError, TypeError, ValueError, AttributeError):  # not WeChat's XML (or entities)
                message = None
            if message is None or not getattr(message, "source", None):
                log.warning("wechat message refused: body is not a WeChat message")
                return text("bad request", status=400)
            reply = await self._handle(message, on_new_message)
            return self._reply(reply, message, request)

        return hook

    def _signed(self, request: Request) -> bool:
        """Token configured, signature right, timestamp fresh; refusals are logged without the body."""
        args = request.args
        if not self.token:
            return False
        try:
            check_signature(self.token, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
            fresh = abs(time.time() - int(args.get("timestamp", "0"))) <= STALE_AFTER_S
        except (InvalidSignatureException, ValueError):
            fresh = False
        if not fresh:
            log.warning("wechat request refused: bad or stale signature (from %s)", request.ip)
        return fresh

    def _decrypt(self, request: Request) -> str:
        """The message XML; encryption must match the mode (a mismatch is treated as forged)."""
        body = request.body.decode("utf-8")
        encrypted = request.args.get("encrypt_type") == "aes"
        if not {"plain": not encrypted, "safe": encrypted, "compatible": True}.get(self.mode, False):
            raise InvalidSignatureException()
        if not encrypted:
            return body
        args = request.args
        return self.crypto.decrypt_message(body, args.get("msg_signature", ""), args.get("timestamp", ""),
                                           args.get("nonce", ""))

    async def _handle(self, message: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str | None:
        """What to say in the HTTP reply (None: nothing, the answer follows as a service message)."""
        said = self._user_text(message)
        if said is None:
            if message.type == "event":
                return None  # unsubscribe, menu views and the like need no answer
            return replies().get(f"wechat_{message.type}", replies()["wechat_unsupported"]).text
        msg_id = str(getattr(message, "id", "") or f"{message.source}:{message.create_time}:{said}")
        if not await asyncio.to_thread(state.first_delivery, msg_id):
            return None  # a retry of a message already being answered
        options = await asyncio.to_thread(state.take_menu, message.source)  # this message uses them up
        if message.type == "text":
            said = from_menu(options, said)
        collector = CollectingOutputChannel()
        turn = asyncio.ensure_future(on_new_message(UserMessage(
            said, collector, message.source, input_channel=self.name(), metadata={"msg_id": msg_id})))
        done, _ = await asyncio.wait({turn}, timeout=self.reply_within)
        if not done:
            self._later(self._deliver_when_done(turn, collector, message.source))
            return replies()["wechat_wait"].text
        parts = await self._answer(collector, message.source)
        if len(parts) > 1:  # the first part in the reply, the rest as service messages
            self._later(self.get_output_channel().deliver(message.source, parts[1:]))
        return parts[0] if parts else None

    def _later(self, work: Awaitable[None]) -> None:
        """Run after the HTTP reply, keeping a reference until done (the loop holds tasks weakly)."""
        task = asyncio.ensure_future(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _deliver_when_done(self, turn: asyncio.Future, collector: CollectingOutputChannel, openid: str) -> None:
        """A slow answer: wait for the turn (even if it failed), then send what it said or an apology."""
        await asyncio.wait({turn})
        if not turn.cancelled() and turn.exception() is not None:
            log.warning("wechat turn failed: %s", type(turn.exception()).__name__)
        await self.get_output_channel().deliver(openid, await self._answer(collector, openid))

    @staticmethod
    async def _answer(collector: CollectingOutputChannel, openid: str) -> list[str]:
        """What the bot said; when it said nothing, what the worker should hear (bot.channels)."""
        said = await texts_for(openid, collector.messages)
        return said or [text for text in [await after_silence(openid)] if text]

    def _user_text(self, message: Any) -> str | None:
        """Text for Rasa: typed text (menu numbers resolved), recognised speech, a follow = greeting."""
        if message.type == "text":
            return (message.content or "")[:2000]  # WeChat sends an empty text as no Content
        if message.type == "voice" and getattr(message, "recognition", None):
            return message.recognition
        if message.type == "event" and getattr(message, "event", "") == "subscribe":
            return "/greet"
        return None

    def _reply(self, answer: str | None, message: Any, request: Request) -> HTTPResponse:
        """A passive reply (encrypted in safe mode), or WeChat's 'success' for nothing to say."""
        if not answer:
            return text("success")
        xml = create_reply(answer, message).render()
        if request.args.get("encrypt_type") == "aes":
            xml = self.crypto.encrypt_message(xml, request.args.get("nonce", ""), request.args.get("timestamp"))
        return HTTPResponse(xml, content_type="application/xml")
