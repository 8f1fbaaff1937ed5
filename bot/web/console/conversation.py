"""One conversation handed to a person: read the transcript, take, reply, transfer, close."""

from __future__ import annotations

from dataclasses import asdict

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sqlalchemy.orm import Session

from bot.clock import local_time
from bot.rasa_api import RasaUnavailable
from bot.store import audit, delivery, handoff
from bot.store.database import in_store
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import page
from bot.web.console.queue import item_json

blueprint = Blueprint("console_conversation", url_prefix="/console")


@blueprint.get("/conversations/<handoff_id:int>")
@staff_only()
async def conversation_page(request: Request, handoff_id: int) -> HTTPResponse:
    """One conversation: the transcript and the controls (filled by conversation.js)."""
    return page("conversation.html", request, handoff_id=handoff_id)


@blueprint.get("/api/handoffs/<handoff_id:int>")
@staff_only(api=True)
async def conversation_api(request: Request, handoff_id: int) -> HTTPResponse:
    """The handoff and the whole transcript from the tracker store (the bot's answers included)."""
    staff = current_staff(request)

    def read(session: Session) -> tuple[handoff.QueueItem, list[delivery.UndeliveredView]]:
        item = handoff.get(session, staff=staff, handoff_id=handoff_id)
        return item, delivery.of_conversation(session, conversation_id=item.conversation_id)

    try:
        item, missed = await in_store(read)
    except LookupError:
        return json({"error": "没有这条会话，或不在您的服务范围"}, status=404)
    undelivered = [{"text": m.text, "reason": m.reason, "at": local_time(m.created_at).strftime("%m-%d %H:%M")}
                   for m in missed]
    try:
        lines, paused = await request.app.ctx.rasa.transcript(item.conversation_id)
    except RasaUnavailable:
        return json({"handoff": item_json(item), "lines": [], "paused": None, "undelivered": undelivered,
                     "error": "暂时读不到对话记录"})
    return json({"handoff": item_json(item), "lines": [asdict(line) for line in lines], "paused": paused,
                 "undelivered": undelivered})


@blueprint.post("/api/handoffs/<handoff_id:int>/<verb:take|reply|transfer|close>")
@staff_only(api=True)
async def handoff_action(request: Request, handoff_id: int, verb: str) -> HTTPResponse:
    """Take, reply, transfer or close; the worker hears about each on their channel (bot.notify)."""
    staff = current_staff(request)
    body = request.json or {}
    text = str(body.get("text", "")).strip()
    if verb == "reply" and not 0 < len(text) <= 2000:
        return json({"error": "回复不能为空，也不能超过2000字"}, status=400)
    colleague = body.get("colleague") if verb == "transfer" else None  # a named colleague instead of a skill
    if verb == "transfer" and not isinstance(colleague, int) and body.get("skill") not in handoff.SKILLS:
        return json({"error": "请选择要转给哪一类工作人员或哪位同事"}, status=400)

    def change(session: Session) -> tuple[handoff.Snapshot, handoff.QueueItem]:
        before = handoff.snapshot(session, handoff_id=handoff_id)
        if verb == "take":
            item = handoff.take(session, staff=staff, handoff_id=handoff_id)
        elif verb == "transfer" and colleague is not None:
            item = handoff.hand_to(session, staff=staff, handoff_id=handoff_id, colleague_id=colleague)
        elif verb == "transfer":
            item = handoff.transfer(session, staff=staff, handoff_id=handoff_id, skill=body["skill"])
        elif verb == "close":
            item = handoff.close(session, staff=staff, handoff_id=handoff_id)
        else:
            item = handoff.handling(session, staff=staff, handoff_id=handoff_id)
        audit.record(session, staff_id=staff.id, action=f"handoff_{verb}", target=item.conversation_id,
                     detail=_transfer_detail(body, colleague) if verb == "transfer" else "")
        return before, item

    try:
        before, item = await in_store(change)
    except handoff.HandoffConflict:
        return json({"error": "这条会话已被其他同事接手或已结束"}, status=409)
    except ValueError:
        return json({"error": "这位同事现在不能接这类会话（可能已停用或岗位不符），请另选"}, status=400)
    except LookupError:
        return json({"error": "没有这条会话，或不在您的服务范围"}, status=404)
    if not await request.app.ctx.notify.handoff_changed(before, item, verb, staff_id=staff.id,
                                                        staff_name=staff.display_name, text=text):
        return json({"error": "消息没能送到职工那里（对话服务暂时不可用），请稍后重试"}, status=502)
    return json({"handoff": item_json(item)})


def _transfer_detail(body: dict, colleague: int | None) -> str:
    """What the audit log says a transfer went to: a skill, or a colleague by staff id."""
    return f"staff:{colleague}" if colleague is not None else str(body.get("skill", ""))
