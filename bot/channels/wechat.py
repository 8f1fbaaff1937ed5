"""WeChat Official Account (公众号) as a Rasa input channel, on wechatpy for the protocol.

Every request is signature-checked (and decrypted in safe mode); a message is handled once even
when WeChat retries it; the answer goes back in the HTTP reply when the bot is quick enough, and
otherwise through the customer-service message API, retried with backoff; what still cannot be
delivered is recorded for staff. Buttons become numbered options, valid for the worker's next message.
The channel runs on Rasa's event loop: every database call (bot.wechat_state) goes through a thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from xml.parsers.expat import ExpatError

import requests
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, text
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential
from wechatpy import WeChatClient, create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatClientException
from wechatpy.utils import check_signature

from bot import delivery, wechat_state
from bot.channels import after_silence, replies
from bot.database import in_store

log = logging.getLogger(__name__)

STALE_AFTER_S = 300  # a signed request older than this is a replay
CHUNK_CHARS = 600  # WeChat text messages take 2048 bytes; 600 Chinese characters stay below
OUT_OF_WINDOW = 45015  # the worker has not written for 48 hours: WeChat refuses service messages
SEND_ATTEMPTS = 4  # a service message is tried this often (waits of 1, 2, 4 s) before it is recorded
API_TIMEOUT_S = 10  # every call to WeChat, the token fetch included


def render(messages: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, str]]]:
    """Bot messages as WeChat texts (buttons numbered, long text split) and the options by number."""
    parts, options = [], []
    for message in messages:
        body = message.get("text") or ""
        for button in message.get("buttons") or []:
            options.append({"title": button["title"], "payload": button["payload"]})
            body += f"\n{len(options)}. {button['title']}"
        if message.get("buttons"):
            body += "\n" + replies()["wechat_menu_hint"].text
        parts.append(body.strip())
    joined = "\n\n".join(p for p in parts if p)
    return [joined[i:i + CHUNK_CHARS] for i in range(0, len(joined), CHUNK_CHARS)], options


async def texts_for(openid: str, messages: list[dict[str, Any]]) -> list[str]:
    """Render, and remember the numbered options (no options: older ones are forgotten)."""
    parts, options = render(messages)
    await asyncio.to_thread(wechat_state.save_menu, openid, options)
    return parts


def from_menu(options: list[dict[str, str]], typed: str) -> str:
    """'2' or a button's title becomes that button's payload; anything else stays as typed."""
    choice = typed.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(options):
        return options[int(choice) - 1]["payload"]
    return next((o["payload"] for o in options if o["title"] == choice), typed)


def _worth_retrying(error: BaseException) -> bool:
    """Network failures and WeChat's own errors, but not a refusal that a retry cannot change."""
    if isinstance(error, WeChatClientException):
        return error.errcode != OUT_OF_WINDOW
    return isinstance(error, OSError | requests.RequestException)


class ServiceClient(WeChatClient):
    """wechatpy's client with a configurable API base and the token shared by every replica."""

    def __init__(self, appid: str, secret: str, api_base: str) -> None:
        """Point the client at WeChat (or a stand-in) and at the shared token store."""
        super().__init__(appid, secret, timeout=API_TIMEOUT_S)
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
        """A new token from WeChat, within API_TIMEOUT_S: the caller holds the shared lock row meanwhile."""
        response = self._http.get(f"{self.API_BASE_URL}token", timeout=API_TIMEOUT_S, params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        result = self._handle_result(response)
        if "access_token" not in result:
            raise WeChatClientException(result.get("errcode"), result.get("errmsg"), client=self)
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
        await self.deliver(recipient_id, await texts_for(recipient_id, [message]))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text."""
        await self.deliver(recipient_id, await texts_for(recipient_id, [{"text": text}]))

    async def deliver(self, openid: str, texts: list[str]) -> None:
        """Each part as a service message, retried with backoff; what fails is recorded, never raised."""
        for number, part in enumerate(texts):
            reason = await self._send(openid, part)
            if reason is not None:
                await self._keep(openid, "\n\n".join(texts[number:]), reason)
                return

    @staticmethod
    async def _keep(openid: str, text: str, reason: str) -> None:
        """What the worker did not get, for staff (the log has the reason only, never the text)."""
        log.warning("wechat service message not delivered (%s); kept for staff", reason)
        await in_store(lambda session: delivery.record(session, conversation_id=openid, channel="wechat",
                                                       text=text, reason=reason))

    async def _send(self, openid: str, part: str) -> str | None:
        """None when WeChat took the message, else why not (after the retries)."""
        if self.client is None:
            return "channel not configured"
        try:
            async for attempt in AsyncRetrying(stop=stop_after_attempt(SEND_ATTEMPTS), reraise=True,
                                               wait=wait_exponential(multiplier=1, max=4),
                                               retry=retry_if_exception(_worth_retrying)):
                with attempt:
                    await asyncio.to_thread(self.client.message.send_text, openid, part)
        except WeChatClientException as error:
            return "outside the 48-hour window" if error.errcode == OUT_OF_WINDOW else f"errcode {error.errcode}"
        except (OSError, requests.RequestException) as error:
            return type(error).__name__
        return None


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
        self._pending: set[asyncio.Future] = set()

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
        if not await asyncio.to_thread(wechat_state.first_delivery, msg_id):
            return None  # a retry of a message already being answered
        options = await asyncio.to_thread(wechat_state.take_menu, message.source)  # this message uses them up
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

