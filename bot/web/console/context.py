"""Beside a conversation: what the worker already did, their form answers, the bot's guess, notes, colleagues.

Read once when the page opens and again when the transcript grows (conversation.js), not on every
refresh of the transcript: it costs a tracker read and several queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sqlalchemy.orm import Session

from bot.clock import local_time
from bot.kb.answering import citation_line
from bot.kb.knowledge import Entry, KnowledgeBase
from bot.kb.statutes import article_label
from bot.rasa_api import RasaUnavailable
from bot.staff import canned
from bot.store import activity, audit, cases, handoff, orders
from bot.store.database import in_store
from bot.store.roles import StaffMember
from bot.web.console import tracker_facts
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import knowledge_of, labels

blueprint = Blueprint("console_context", url_prefix="/console")
NOTE_LIMIT = orders.COMMENT_LIMIT
SIGNUP_STATUSES = {"confirmed": "已报名"}


@dataclass(frozen=True)
class Stored:
    """What the context reads from the app database and the canned file, in one unit of work."""

    item: handoff.QueueItem
    done: activity.Activity
    order: orders.OrderView | None
    colleagues: list[StaffMember]
    canned: list[canned.Canned]
    canned_error: str


def canned_path(request: Request) -> Path:
    """knowledge/canned.yml of the knowledge folder the app was started with."""
    return request.app.ctx.settings.knowledge_dir / canned.FILE


@blueprint.get("/api/handoffs/<handoff_id:int>/context")
@staff_only(api=True)
async def context_api(request: Request, handoff_id: int) -> HTTPResponse:
    """The side panels of one conversation, for what this staff member's role may read."""
    staff = current_staff(request)
    kb = knowledge_of(request)
    path = canned_path(request)

    def read(session: Session) -> Stored:
        item = handoff.get(session, staff=staff, handoff_id=handoff_id)
        try:
            responses, problem = canned.load(path), ""
        except canned.CannedError as error:
            responses, problem = [], f"常用回复文件有误，请管理员修改：{error}"
        return Stored(item, activity.of_conversation(session, staff=staff, conversation_id=item.conversation_id),
                      orders.of_request(session, staff=staff, kind=handoff.order_kind(item.reason),
                                        source_id=item.id),
                      handoff.colleagues(session, staff=staff, skill=item.skill), responses, problem)

    try:
        stored = await in_store(read, read_only=True)
    except LookupError:
        return json({"error": "没有这条会话，或不在您的服务范围"}, status=404)
    try:
        tracker, error = await request.app.ctx.rasa.tracker(stored.item.conversation_id), ""
    except RasaUnavailable:
        tracker, error = {}, "暂时读不到对话记录，职工填写的内容和机器人的判断稍后再显示"
    events = tracker.get("events") or []
    street = tracker_facts.last_values(events).get("case_street")
    variables = canned.values(kb.local, street=street if isinstance(street, str) else None,
                              staff_name=staff.display_name)
    return json({
        "done": done_json(stored.done, kb),
        "answers": [{"label": a.label, "value": a.value} for a in
                    tracker_facts.form_answers(events, staff=staff, names=_names(kb))],
        "guess": guess_json(tracker_facts.guess(tracker, kb), kb),
        "notes": None if stored.order is None else [
            {"text": step.detail, "staff": step.staff, "at": _at(step.at)}
            for step in stored.order.timeline if step.kind == "note"],
        "order": None if stored.order is None else stored.order.number,
        "colleagues": [{"id": c.id, "name": c.display_name} for c in stored.colleagues],
        "canned": [{"id": c.id, "title": c.title, "tags": list(c.tags), "text": canned.fill(c, variables)}
                   for c in stored.canned],
        "error": stored.canned_error or error,
    })


@blueprint.post("/api/handoffs/<handoff_id:int>/notes")
@staff_only(api=True)
async def add_note(request: Request, handoff_id: int) -> HTTPResponse:
    """An internal note on the conversation's work order: staff read it on the timeline, the worker never does."""
    staff = current_staff(request)
    text = str((request.json or {}).get("text", "")).strip()
    if not 0 < len(text) <= NOTE_LIMIT:
        return json({"error": f"备注不能为空，也不能超过{NOTE_LIMIT}字"}, status=400)

    def write(session: Session) -> bool:
        item = handoff.get(session, staff=staff, handoff_id=handoff_id)
        order = orders.of_request(session, staff=staff, kind=handoff.order_kind(item.reason), source_id=item.id)
        if order is None:
            return False
        orders.add_note(session, staff=staff, number=order.number, text=text)
        audit.record(session, staff_id=staff.id, action="handoff_note", target=item.conversation_id)
        return True

    try:
        added = await in_store(write)
    except LookupError:
        return json({"error": "没有这条会话，或不在您的服务范围"}, status=404)
    if not added:
        return json({"error": "这条会话是工单上线之前的，没有工单可以记备注"}, status=409)
    return json({"ok": True})


def done_json(done: activity.Activity, kb: KnowledgeBase) -> list[dict[str, str]]:
    """What the worker did, one row each: kind, number, what, status, when and where staff read more."""
    names = labels(kb)
    programmes = {p.id: p.name for p in kb.local.programmes}
    rows = [_done("法律援助案件", c.number, names["disputes"].get(c.dispute_type, c.dispute_type),
                  cases.STATUSES[c.status], c.opened_at, f"/console/cases/{c.number}") for c in done.cases]
    rows += [_done("课程报名", "", f"{s.session.course_name} {s.session.when()}",
                   SIGNUP_STATUSES.get(s.status, f"候补第{s.waiting_position}位"), None, "") for s in done.signups]
    rows += [_done("困难帮扶转介", "", "、".join(programmes.get(p, p) for p in r.programmes) or "（没有符合的项目）",
                   "已转介", r.created_at, "/console/referrals") for r in done.referrals]
    rows += [_done("工单", o.number, orders.KINDS[o.kind], orders.STATUSES[o.status], o.opened_at,
                   f"/console/orders/{o.number}") for o in done.orders]
    return rows


def guess_json(guess: tracker_facts.Guess, kb: KnowledgeBase) -> dict[str, Any]:
    """The guessed topic by its Chinese title, and the answered entry with its answer and citations."""
    topic = kb.topics.get(guess.topic) if guess.topic else None
    entry = kb.entries.get(guess.entry) if guess.entry else None
    return {
        "topic": topic.title if topic else None,
        "confidence": round(guess.confidence * 100) if topic and guess.confidence is not None else None,
        "entry": None if entry is None else entry_json(entry, kb),
    }


def entry_json(entry: Entry, kb: KnowledgeBase) -> dict[str, Any]:
    """An entry as staff read and insert it: the text the bot sends for it, citations included."""
    cited = citation_line(entry, kb)
    reply = kb.replies["kb_answer"].render(answer=entry.answer, citations=cited) if cited else \
        kb.replies["kb_answer_plain"].render(answer=entry.answer)
    return {"id": entry.id, "title": entry.title, "topic": kb.topics[entry.topic].title, "answer": entry.answer,
            "citations": [{"source": f"《{kb.statutes[c.law].title}》{article_label(c.article)}", "quote": c.quote}
                          for c in entry.citations],
            "text": reply["text"]}


def _names(kb: KnowledgeBase) -> dict[str, dict[str, str]]:
    sessions = {s.id: f"{course.name}（{s.start:%m-%d %H:%M}）" for course in kb.local.courses for s in course.sessions}
    names = labels(kb)
    return {"case_dispute": names["disputes"], "case_street": names["streets"], "course_session": sessions}


def _done(kind: str, number: str, what: str, status: str, at: Any, link: str) -> dict[str, str]:  # noqa: ANN401
    return {"kind": kind, "number": number, "what": what, "status": status, "at": _at(at) if at else "",
            "link": link}


def _at(moment: Any) -> str:  # noqa: ANN401 - a naive UTC datetime
    return local_time(moment).strftime("%m-%d %H:%M")
