"""Answers to WeChat workers as service messages: numbered menus, split text, retries, kept when undelivered."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import requests
from rasa.core.channels.channel import OutputChannel
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential
from wechatpy.exceptions import WeChatClientException

from bot.channels import replies
from bot.channels.wechat import state
from bot.channels.wechat.client import ServiceClient
from bot.store import delivery
from bot.store.database import in_store

log = logging.getLogger(__name__)

CHUNK_CHARS = 600  # WeChat text messages take 2048 bytes; 600 Chinese characters stay below
OUT_OF_WINDOW = 45015  # the worker has not written for 48 hours: WeChat refuses service messages
SEND_ATTEMPTS = 4  # a service message is tried this often (waits of 1, 2, 4 s) before it is recorded


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
    await asyncio.to_thread(state.save_menu, openid, options)
    return parts


def _worth_retrying(error: BaseException) -> bool:
    """Network failures and WeChat's own errors, but not a refusal that a retry cannot change."""
    if isinstance(error, WeChatClientException):
        return error.errcode != OUT_OF_WINDOW
    return isinstance(error, OSError | requests.RequestException)


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
