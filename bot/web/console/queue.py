"""The live queue of handoffs, for the skills of the staff member's role."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.clock import local_time
from bot.store import handoff
from bot.store.database import in_store
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import page

blueprint = Blueprint("console_queue", url_prefix="/console")


@blueprint.get("/")
@staff_only()
async def queue_page(request: Request) -> HTTPResponse:
    """The live queue (filled by queue.js)."""
    return page("queue.html", request)


@blueprint.get("/api/queue")
@staff_only(api=True)
async def queue_api(request: Request) -> HTTPResponse:
    """Open handoffs in the skills of this staff member's role."""
    staff = current_staff(request)
    items = await in_store(lambda session: handoff.queue(session, staff=staff), read_only=True)
    return json({"items": [{**item_json(item), "mine": item.staff_id == staff.id} for item in items]})


def item_json(item: handoff.QueueItem) -> dict[str, Any]:
    """A queue row as the console's scripts read it, with Chinese names for its codes."""
    data = asdict(item)
    data.update(created_at=local_time(item.created_at).strftime("%m-%d %H:%M"), skill_name=handoff.SKILLS[item.skill],
                reason_name=handoff.REASONS[item.reason], status_name=handoff.STATUSES[item.status])
    return data
