"""The live queue of handoffs, for the skills of the staff member's role."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.clock import local_time
from bot.kb.knowledge import KnowledgeBase, load_cached
from bot.privacy import mask_text
from bot.store import handoff, tracker_events
from bot.store.database import in_store
from bot.store.models import CRISIS_PRIORITY
from bot.store.roles import ROLE_SKILLS, StaffMember
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import page

blueprint = Blueprint("console_queue", url_prefix="/console")
# Channel names as staff say them (the handoff's channel is the Rasa input channel's name).
CHANNELS = {"socketio": "网页", "wechat": "微信", "telegram": "Telegram"}
OTHER_CHANNEL = "其他"
LAST_MESSAGE_CHARS = 60


@blueprint.get("/")
@staff_only()
async def queue_page(request: Request) -> HTTPResponse:
    """The live queue (filled by queue.js from the event stream, console/live.py)."""
    skills = {code: handoff.SKILLS[code] for code in ROLE_SKILLS[current_staff(request).role]}
    return page("queue.html", request, role_skills=skills, statuses=handoff.STATUSES)


@blueprint.get("/api/queue")
@staff_only(api=True)
async def queue_api(request: Request) -> HTTPResponse:
    """Open handoffs in the skills of this staff member's role (the page's fallback when streams fail)."""
    return json(await queue_snapshot(request.app, current_staff(request)))


async def queue_snapshot(app: Sanic, staff: StaffMember) -> dict[str, Any]:
    """The queue as the page shows it, with the server's clock so waiting times count from the same now."""
    rows = await in_store(lambda session: handoff.board(session, staff=staff), read_only=True)
    conversations = [row.item.conversation_id for row in rows]
    said = await tracker_events.read(app.ctx.settings.tracker.read_only_url,
                                     lambda session: tracker_events.last_worker_messages(session, conversations), {})
    kb = load_cached(str(app.ctx.settings.knowledge_dir))
    return {"items": [{**row_json(row, kb, said.get(row.item.conversation_id)),
                       "mine": row.item.staff_id == staff.id, "offered_to_me": row.item.offered_to == staff.id}
                      for row in rows],
            "now": time.time() * 1000}


def row_json(row: handoff.BoardRow, kb: KnowledgeBase, said: tuple[str, float] | None) -> dict[str, Any]:
    """A queue row: the handoff, its place, who has it, its topic and the worker's last words, masked."""
    topic = kb.topics.get(row.topic or "")
    text, at = said or ("", 0.0)
    masked = mask_text(text)
    return {**item_json(row.item), "position": row.position, "staff_name": row.staff_name,
            "taken_since": local_time(row.taken_at).timestamp() * 1000 if row.taken_at else None,
            "topic_name": topic.title if topic else "",
            "last_message": masked if len(masked) <= LAST_MESSAGE_CHARS else masked[:LAST_MESSAGE_CHARS] + "…",
            "last_message_at": at * 1000 if at else None}


def item_json(item: handoff.QueueItem) -> dict[str, Any]:
    """A queue row as the console's scripts read it, with Chinese names for its codes."""
    data = asdict(item)
    data.update(created_at=local_time(item.created_at).strftime("%m-%d %H:%M"), skill_name=handoff.SKILLS[item.skill],
                reason_name=handoff.REASONS[item.reason], status_name=handoff.STATUSES[item.status],
                crisis=item.priority >= CRISIS_PRIORITY, distress=0 < item.priority < CRISIS_PRIORITY,
                channel_name=CHANNELS.get(item.channel, OTHER_CHANNEL),
                waiting_since=local_time(item.created_at).timestamp() * 1000)
    return data
