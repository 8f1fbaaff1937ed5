"""The console's event streams (the queue, one conversation) and staff typing signals.

Streams are authenticated like the other console APIs and send only what the staff member's role
may see: the queue its skills, a conversation only if the role may open it. They end when the
staff member signs out (the change log says so to every process) or the session expires.
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sqlalchemy.orm import Session

from bot.store import handoff, live
from bot.store.database import in_store
from bot.store.roles import ROLE_SKILLS
from bot.web.console.auth import current_staff, signed_in, staff_only
from bot.web.console.queue import queue_snapshot
from bot.web.live import SAID, Event

blueprint = Blueprint("console_live", url_prefix="/console")
NOT_YOURS = "没有这条会话，或不在您的服务范围"


class StaffFeed:
    """What every console stream shares: it lasts as long as the staff member's session."""

    def __init__(self, request: Request) -> None:
        """The request's signed-in staff member (staff_only checked it)."""
        self.request = request
        self.staff = current_staff(request)

    async def alive(self) -> bool:
        """Whether the session is still live (reading it does not keep it alive)."""
        return await signed_in(self.request, by_person=False) is not None

    async def still_signed_in(self, changes: list[live.Change]) -> bool:
        """False once this staff member signed out somewhere and this session is gone with it."""
        signed_out = any(c.kind == "signout" and c.staff_id == self.staff.id for c in changes)
        return not signed_out or await self.alive()


class QueueFeed(StaffFeed):
    """The queue page: a new snapshot whenever a handoff in the role's skills or a queued conversation changes."""

    shown: frozenset[str] = frozenset()

    async def start(self) -> list[Event]:
        """The whole queue."""
        snapshot = await queue_snapshot(self.request.app, self.staff)
        self.shown = frozenset(item["conversation_id"] for item in snapshot["items"])
        return [("queue", snapshot)]

    async def on(self, changes: list[live.Change]) -> list[Event] | None:
        """Again the whole queue, if anything in it moved or a worker in it said something."""
        if not await self.still_signed_in(changes):
            return None
        skills = ROLE_SKILLS[self.staff.role]
        if any((c.kind in live.HANDOFF_KINDS and c.skill in skills)
               or (c.kind == SAID and c.conversation_id in self.shown) for c in changes):
            return await self.start()
        return []


class ConversationFeed(StaffFeed):
    """One conversation's page: told to read it again, and when the worker is typing."""

    def __init__(self, request: Request, item: handoff.QueueItem) -> None:
        """The handoff the staff member may see."""
        super().__init__(request)
        self.item = item

    async def start(self) -> list[Event]:
        """Read everything once (after a reconnection too)."""
        return [("changed", {})]

    async def on(self, changes: list[live.Change]) -> list[Event] | None:
        """`changed` for the handoff or a new message, `typing` while the worker types."""
        if not await self.still_signed_in(changes):
            return None
        mine = [c for c in changes if c.handoff_id == self.item.id or c.conversation_id == self.item.conversation_id]
        events: list[Event] = []
        if any(c.kind in live.HANDOFF_KINDS or c.kind == SAID for c in mine):
            events.append(("changed", {}))
        if any(c.kind == "worker_typing" for c in mine):
            events.append(("typing", {}))
        return events


@blueprint.get("/api/live/queue")
@staff_only(api=True)
async def queue_stream(request: Request) -> None:
    """The queue page's event stream."""
    await request.app.ctx.live.serve(request, QueueFeed(request))


@blueprint.get("/api/live/handoffs/<handoff_id:int>")
@staff_only(api=True)
async def conversation_stream(request: Request, handoff_id: int) -> HTTPResponse | None:
    """One conversation's event stream."""
    staff = current_staff(request)
    try:
        item = await in_store(lambda session: handoff.get(session, staff=staff, handoff_id=handoff_id), read_only=True)
    except LookupError:
        return json({"error": NOT_YOURS}, status=404)
    await request.app.ctx.live.serve(request, ConversationFeed(request, item))
    return None


@blueprint.post("/api/handoffs/<handoff_id:int>/typing")
@staff_only(api=True)
async def staff_typing(request: Request, handoff_id: int) -> HTTPResponse:
    """The staff member is typing a reply: the worker's chat page says so (only in a taken conversation)."""
    staff = current_staff(request)

    def signal(session: Session) -> bool:
        item = handoff.get(session, staff=staff, handoff_id=handoff_id)
        if item.status != "active":
            return False
        live.note(session, kind="staff_typing", handoff_id=item.id, conversation_id=item.conversation_id,
                  staff_id=staff.id)
        return True

    try:
        return json({"sent": await in_store(signal)})
    except LookupError:
        return json({"error": NOT_YOURS}, status=404)
