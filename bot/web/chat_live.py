"""The chat page's live status line: the worker's place in line, who joined, and staff typing.

The page proves which conversation it is with the token Rasa's socket.io channel signed for it
(bot/chat_tokens.py); the stream tells nothing else, and the worker's typing signal counts only
while a person is waiting or talking with them.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sqlalchemy.orm import Session

from bot.chat_tokens import verified
from bot.store import handoff, live
from bot.store.database import in_store
from bot.web.live import Event

blueprint = Blueprint("chat_live")
BAD_SESSION = "会话已失效，请刷新页面"


class ChatFeed:
    """One worker's page: their handoff's place whenever it may have moved, and staff typing."""

    def __init__(self, conversation_id: str) -> None:
        """Nothing shown yet."""
        self.conversation_id = conversation_id
        self.place: dict[str, Any] = {}

    async def start(self) -> list[Event]:
        """Where the worker stands now (status "none" outside a handoff)."""
        found = await in_store(lambda session: handoff.place(session, conversation_id=self.conversation_id),
                               read_only=True)
        self.place = asdict(found) if found else {"status": "none"}
        return [("place", self.place)]

    async def on(self, changes: list[live.Change]) -> list[Event]:
        """A new place when the worker's line moved; `typing` while their staff member types."""
        mine = [c for c in changes if c.conversation_id == self.conversation_id]
        events: list[Event] = []
        if any(c.kind in live.HANDOFF_KINDS for c in mine) or (
                self.place.get("status") == "waiting"
                and any(c.kind in live.HANDOFF_KINDS and c.skill == self.place["skill"] for c in changes)):
            before = self.place
            [(_, now)] = await self.start()
            events += [("place", now)] if now != before else []
        if any(c.kind == "staff_typing" for c in mine):
            events.append(("typing", {}))
        return events

    async def alive(self) -> bool:
        """A worker's page needs no sign-in."""
        return True


@blueprint.get("/chat/live")
async def chat_stream(request: Request) -> HTTPResponse | None:
    """The status line's event stream, for the conversation whose token the page holds."""
    conversation_id = verified(request.args.get("session"), request.app.ctx.settings.chat_secret)
    if conversation_id is None:
        return json({"error": BAD_SESSION}, status=403)
    await request.app.ctx.live.serve(request, ChatFeed(conversation_id))
    return None


@blueprint.post("/chat/typing")
async def worker_typing(request: Request) -> HTTPResponse:
    """The worker is typing: staff on the conversation's page see it (only during a handoff)."""
    body = request.json if isinstance(request.json, dict) else {}
    conversation_id = verified(body.get("session"), request.app.ctx.settings.chat_secret)
    if conversation_id is None:
        return json({"error": BAD_SESSION}, status=403)

    def signal(session: Session) -> bool:
        if handoff.place(session, conversation_id=conversation_id) is None:
            return False
        live.note(session, kind="worker_typing", conversation_id=conversation_id)
        return True

    return json({"sent": await in_store(signal)})
