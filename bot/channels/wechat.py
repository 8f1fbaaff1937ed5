"""WeChat Official Account (公众号) as a Rasa input channel, on wechatpy for the protocol.

Every request is signature-checked (and decrypted in safe mode); a message is handled once even
when WeChat retries it; the answer goes back in the HTTP reply when the bot is quick enough, and
otherwise through the customer-service message API. Buttons become numbered options.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, text
from wechatpy import WeChatClient, create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException, WeChatClientException
from wechatpy.utils import check_signature

from bot import wechat_state
from bot.knowledge import load_cached
from bot.replies import Reply
from bot.settings import load_settings

log = logging.getLogger(__name__)

STALE_AFTER_S = 300  # a signed request older than this is a replay
CHUNK_CHARS = 600  # WeChat text messages take 2048 bytes; 600 Chinese characters stay below
OUT_OF_WINDOW = 45015  # the worker has not written for 48 hours: WeChat refuses service messages


def replies() -> dict[str, Reply]:
    """What the channel says itself (knowledge/replies.yml)."""
    return load_cached(str(load_settings().knowledge_dir)).replies


def render(messages: list[dict[str, Any]], openid: str) -> list[str]:
    """Bot messages as WeChat texts: buttons numbered (and remembered), long text split."""
    parts, options = [], []
    for message in messages:
        body = message.get("text") or ""
        for button in message.get("buttons") or []:
            options.append({"title": button["title"], "payload": button["payload"]})
            body += f"\n{len(options)}. {button['title']}"
        if message.get("buttons"):
            body += "\n" + replies()["wechat_menu_hint"].text
        parts.append(body.strip())
    if options:
        wechat_state.save_menu(openid, options)
    joined = "\n\n".join(p for p in parts if p)
    return [joined[i:i + CHUNK_CHARS] for i in range(0, len(joined), CHUNK_CHARS)] or []


def from_menu(openid: str, typed: str) -> str:
    """'2' or a button's title becomes that button's payload; anything else stays as typed."""
    options = wechat_state.menu(openid)
    choice = typed.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(options):
        return options[int(choice) - 1]["payload"]
    return next((o["payload"] for o in options if o["title"] == choice), typed)


class ServiceClient(WeChatClient):
    """wechatpy's client with a configurable API base and the token shared by every replica."""

    def __init__(self, appid: str, secret: str, api_base: str) -> None:
        """Point the client at WeChat (or a stand-in) and at the shared token store."""
        super().__init__(appid, secret, timeout=10)
        self.API_BASE_URL = f"{api_base.rstrip('/')}/cgi-bin/"
        self.tokens = wechat_state.TokenStore(appid)

    @property
    def access_token(self) -> str:
        """The shared token, refreshed (by one replica) when it is about to expire."""
        return self.tokens.current() or self.tokens.refresh(self._fetch)

    def fetch_access_token(self) -> dict[str, Any]:
        """Called by wechatpy when WeChat rejects the token: replace it, once, for everyone."""
        rejected = self.session.get(self.access_token_key)
        token = self.tokens.refresh(self._fetch, stale=rejected or self.tokens.current())
        self.session.set(self.access_token_key, token)
        return {"access_token": token}

    def _fetch(self) -> tuple[str, int]:
        result = self._fetch_access_token(url=f"{self.API_BASE_URL}token", params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        log.info("wechat access token fetched")
        return result["access_token"], int(result.get("expires_in", 7200))

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """Every call carries the shared token (wechatpy's own retry swaps it after a refresh)."""
        kwargs.setdefault("params", {}).setdefault("access_token", self.access_token)
        return super()._request(method, url_or_endpoint, **kwargs)


class WeChatOutput(OutputChannel):
    """Sends through the customer-service message API (slow answers, staff replies, notifications)."""

    @classmethod
    def name(cls) -> str:
        """Same name as the input channel, so output_channel=latest finds it."""
        return "wechat"

    def __init__(self, client: ServiceClient | None) -> None:
        """`client` is None when the channel is not configured: nothing can be sent then."""
        self.client = client

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Text and buttons of one message, numbered and split."""
        await self.deliver(recipient_id, render([message], recipient_id))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text."""
        await self.deliver(recipient_id, render([{"text": text}], recipient_id))

    async def deliver(self, openid: str, texts: list[str]) -> None:
        """Each part as a service message; WeChat's refusals are logged, never raised at the worker."""
        if self.client is None:
            log.warning("wechat channel not configured; a message for a WeChat worker was not sent")
            return
        for part in texts:
            try:
                await asyncio.to_thread(self.client.message.send_text, openid, part)
            except WeChatClientException as error:
                window = " (outside the 48-hour window)" if error.errcode == OUT_OF_WINDOW else ""
                log.warning("wechat service message refused: errcode %s%s", error.errcode, window)
                return


class WeChatInput(InputChannel):
    """The Official Account's server URL: /webhooks/wechat/webhook."""

    @classmethod
    def name(cls) -> str:
        """URL prefix and input_channel name."""
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Settings from credentials.yml (values there come from the environment)."""
        values = {key: str(value or "") for key, value in (credentials or {}).items()}
        return cls(**values)

    def __init__(self, token: str = "", appid: str = "", secret: str = "", encoding_aes_key: str = "",
                 mode: str = "plain", api_base: str = "https://api.weixin.qq.com", reply_within: str = "4.5") -> None:
        """An empty token means the channel is not configured and answers 503."""
        self.token, self.appid, self.mode = token, appid, mode or "plain"
        self.reply_within = float(reply_within or 4.5)
        # plain: never encrypted; compatible: encrypted when WeChat says so; safe: always encrypted.
        self.crypto = WeChatCrypto(token, encoding_aes_key, appid) if self.mode in ("compatible", "safe") else None
        self.client = ServiceClient(appid, secret, api_base or "https://api.weixin.qq.com") if token else None

    def get_output_channel(self) -> OutputChannel:
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
            except InvalidSignatureException:
                log.warning("wechat message refused: bad msg_signature or encryption not matching mode %s", self.mode)
                return text("forbidden", status=403)
            message = parse_message(xml)
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
        if not wechat_state.first_delivery(msg_id):
            return None  # a retry of a message already being answered
        collector = CollectingOutputChannel()
        turn = asyncio.ensure_future(on_new_message(UserMessage(
            said, collector, message.source, input_channel=self.name(), metadata={"msg_id": msg_id})))
        done, _ = await asyncio.wait({turn}, timeout=self.reply_within)
        if not done:
            turn.add_done_callback(lambda _: asyncio.ensure_future(
                self.get_output_channel().deliver(message.source, self._answer(collector, message.source))))
            return replies()["wechat_wait"].text
        parts = self._answer(collector, message.source)
        if len(parts) > 1:  # the first part in the reply, the rest as service messages
            asyncio.ensure_future(self.get_output_channel().deliver(message.source, parts[1:]))
        return parts[0] if parts else None

    @staticmethod
    def _answer(collector: CollectingOutputChannel, openid: str) -> list[str]:
        """What the bot said, or an apology when it said nothing (an action server down, say)."""
        return render(collector.messages, openid) or [replies()["wechat_no_answer"].text]

    def _user_text(self, message: Any) -> str | None:
        """Text for Rasa: typed text (menu numbers resolved), recognised speech, a follow = greeting."""
        if message.type == "text":
            return from_menu(message.source, message.content)[:2000]
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

