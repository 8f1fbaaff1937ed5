"""The staff console: sign-in, the live queue, a conversation (take, reply, transfer, close), cases.

Pages are rendered with autoescaping; everything a worker typed reaches the browser as JSON and
is put on the page with textContent, so worker text is never markup.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, json, redirect
from sqlalchemy.orm import Session

from bot import aid, audit, cases, delivery, handoff
from bot.cases import local_time
from bot.database import StoreUnavailable, in_store
from bot.knowledge import KnowledgeBase, load_cached
from bot.rasa_api import RasaUnavailable
from bot.staff_sessions import TooManyAttempts, login, logout, unlock
from bot.web.console_auth import COOKIE, LOGIN_CSRF_COOKIE, client_address, current_staff, login_csrf, staff_only

blueprint = Blueprint("console", url_prefix="/console")
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
ROLE_NAMES = {"counselor": "心理咨询师", "legal": "法律援助", "admin": "管理员"}
AID_QUESTIONS = {"union_member": "工会会员", "serious_illness": "大病", "child_in_school": "子女上学",
                 "lost_job": "失业", "income_below_local_standard": "收入低于标准", "flexible_employment": "灵活就业"}


def page(name: str, request: Request, **values: Any) -> HTTPResponse:
    """Render a console page with the staff member and CSRF token every page needs."""
    staff = getattr(request.ctx, "staff", None)
    body = TEMPLATES.get_template(name).render(staff=staff, role_names=ROLE_NAMES, skills=handoff.SKILLS,
                                               csrf=getattr(request.ctx, "csrf", ""), **values)
    return html(body, headers={"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
                               "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


def knowledge_of(request: Request) -> KnowledgeBase:
    """The checked knowledge base the app was started with (replies, dispute types, streets)."""
    return load_cached(str(request.app.ctx.settings.knowledge_dir))


def labels(kb: KnowledgeBase) -> dict[str, dict[str, str]]:
    """Names for codes on the case pages."""
    return {"disputes": {c: d.label for c, d in kb.legal_aid.dispute_types.items()},
            "streets": {s["id"]: s["name"] for s in kb.local.get("streets") or []}}


def set_cookie(response: HTTPResponse, name: str, value: str, *, path: str, max_age: int | None = None,
               secure: bool = False) -> None:
    """An HttpOnly, SameSite=Strict cookie (max_age=0 removes it)."""
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"], cookie["samesite"], cookie["path"] = True, "Strict", path
    if max_age is not None:
        cookie["max-age"] = max_age
    if secure:
        cookie["secure"] = True


@blueprint.get("/login")
async def login_page(request: Request, error: str = "", status: int = 200) -> HTTPResponse:
    """The sign-in form (double-submit CSRF cookie, since there is no session yet)."""
    token = login_csrf(request)
    response = page("login.html", request, error=error, login_csrf=token)
    response.status = status
    set_cookie(response, LOGIN_CSRF_COOKIE, token, path="/console")
    return response


@blueprint.post("/login")
async def login_submit(request: Request) -> HTTPResponse:
    """Check the form, the rate limit and the password; start a session."""
    form = request.form or {}
    sent, expected = form.get("csrf_token", ""), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(sent, expected):
        return await login_page(request, "页面已过期，请重新登录。", 403)
    username, password, address = form.get("username", "").strip(), form.get("password", ""), client_address(request)
    try:
        current = await in_store(lambda session: login(session, username=username, password=password, address=address))
    except TooManyAttempts:
        return await login_page(request, "尝试次数过多，请过几分钟再试（最多15分钟），或请管理员解锁。", 429)
    except StoreUnavailable:
        return await login_page(request, "数据库暂时不可用，请稍后再试。", 503)
    if current is None:
        return await login_page(request, "用户名或密码不对。", 401)
    response = redirect("/console")
    set_cookie(response, COOKIE, current.token, path="/", max_age=8 * 3600, secure=request.scheme == "https")
    set_cookie(response, LOGIN_CSRF_COOKIE, "", path="/console", max_age=0)
    return response


@blueprint.post("/api/staff/<username>/unlock")
@staff_only("admin", api=True)
async def unlock_staff(request: Request, username: str) -> HTTPResponse:
    """An admin lets a locked-out colleague sign in again at once."""
    admin = current_staff(request)
    await in_store(lambda session: unlock(session, admin=admin, username=username))
    return json({"unlocked": username})


@blueprint.post("/logout")
@staff_only()
async def logout_submit(request: Request) -> HTTPResponse:
    """End the session."""
    token, staff_id = request.cookies.get(COOKIE), current_staff(request).id

    def end(session: Session) -> None:
        logout(session, token=token)
        audit.record(session, staff_id=staff_id, action="logout")

    await in_store(end)
    response = redirect("/console/login")
    set_cookie(response, COOKIE, "", path="/", max_age=0)
    return response


@blueprint.get("/")
@staff_only()
async def queue_page(request: Request) -> HTTPResponse:
    """The live queue (filled by console.js)."""
    return page("queue.html", request)


@blueprint.get("/api/queue")
@staff_only(api=True)
async def queue_api(request: Request) -> HTTPResponse:
    """Open handoffs in the skills of this staff member's role."""
    staff = current_staff(request)
    items = await in_store(lambda session: handoff.queue(session, staff=staff))
    return json({"items": [_item_json(item) for item in items]})


@blueprint.get("/conversations/<handoff_id:int>")
@staff_only()
async def conversation_page(request: Request, handoff_id: int) -> HTTPResponse:
    """One conversation: the transcript and the controls (filled by console.js)."""
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
        return json({"handoff": _item_json(item), "lines": [], "paused": None, "undelivered": undelivered,
                     "error": "暂时读不到对话记录"})
    return json({"handoff": _item_json(item), "lines": [asdict(line) for line in lines], "paused": paused,
                 "undelivered": undelivered})


@blueprint.post("/api/handoffs/<handoff_id:int>/<verb:take|reply|transfer|close>")
@staff_only(api=True)
async def handoff_action(request: Request, handoff_id: int, verb: str) -> HTTPResponse:
    """Take, reply, transfer or close; the worker hears about each on their channel."""
    staff = current_staff(request)
    body = request.json or {}
    text = str(body.get("text", "")).strip()
    if verb == "reply" and not 0 < len(text) <= 2000:
        return json({"error": "回复不能为空，也不能超过2000字"}, status=400)
    if verb == "transfer" and body.get("skill") not in handoff.SKILLS:
        return json({"error": "请选择要转给哪一类工作人员"}, status=400)
    texts = knowledge_of(request).replies

    def change(session: Session) -> tuple[handoff.Snapshot, handoff.QueueItem]:
        before = handoff.snapshot(session, handoff_id=handoff_id)
        if verb == "take":
            item = handoff.take(session, staff=staff, handoff_id=handoff_id)
        elif verb == "transfer":
            item = handoff.transfer(session, staff=staff, handoff_id=handoff_id, skill=body["skill"])
        elif verb == "close":
            item = handoff.close(session, staff=staff, handoff_id=handoff_id)
        else:
            item = handoff.handling(session, staff=staff, handoff_id=handoff_id)
        audit.record(session, staff_id=staff.id, action=f"handoff_{verb}", target=item.conversation_id,
                     detail=body.get("skill", "") if verb == "transfer" else "")
        return before, item

    try:
        before, item = await in_store(change)
    except handoff.HandoffConflict:
        return json({"error": "这条会话已被其他同事接手或已结束"}, status=409)
    except LookupError:
        return json({"error": "没有这条会话，或不在您的服务范围"}, status=404)
    try:
        await _tell_worker(request, item, verb, text, staff.display_name, texts)
    except RasaUnavailable:
        await in_store(lambda session: undo_change(session, staff.id, verb, before, item))
        return json({"error": "消息没能送到职工那里（对话服务暂时不可用），请稍后重试"}, status=502)
    return json({"handoff": _item_json(item)})


def undo_change(session: Session, staff_id: int | None, verb: str, before: handoff.Snapshot,
                item: handoff.QueueItem) -> None:
    """The worker never heard of the change: put the queue back and say so in the audit trail."""
    restored = handoff.undo(session, before=before, after=item)
    audit.record(session, staff_id=staff_id, action=f"handoff_{verb}_undone", target=item.conversation_id,
                 detail="restored" if restored else "changed since")


async def _tell_worker(request: Request, item: handoff.QueueItem, verb: str, text: str, name: str,
                       texts: dict) -> None:
    """After the change is committed (no transaction waits on Rasa); the caller undoes it if this fails.

    Taking pauses the bot; transferring (back to waiting) and closing let it answer again.
    """
    reply, values = {"take": ("staff_joined", {"name": name}), "reply": ("staff_message", {"name": name, "text": text}),
                     "transfer": ("staff_transferred", {"skill": handoff.SKILLS[item.skill]}),
                     "close": ("staff_closed", {})}[verb]
    await request.app.ctx.rasa.say(item.conversation_id, texts[reply].render(**values)["text"], staff=name,
                                   pause=verb == "take", resume=verb in ("transfer", "close"))


@blueprint.get("/cases")
@staff_only("legal")
async def cases_page(request: Request) -> HTTPResponse:
    """Legal-aid cases with filters by status, dispute type and street."""
    filters = {key: request.args.get(key) or None for key in ("status", "dispute_type", "street")}
    staff = current_staff(request)

    def read(session: Session) -> list[cases.CaseView]:
        audit.record(session, staff_id=staff.id, action="cases_list",
                     detail=",".join(f"{k}={v}" for k, v in filters.items() if v))
        return cases.list_cases(session, staff=staff, **filters)

    rows = await in_store(read)
    return page("cases.html", request, cases=rows, filters=filters, statuses=cases.STATUSES,
                local_time=local_time, **labels(knowledge_of(request)))


@blueprint.get("/cases/<number>")
@staff_only("legal")
async def case_page(request: Request, number: str, notice: str = "") -> HTTPResponse:
    """One case, its history, and the status form."""
    staff = current_staff(request)

    def read(session: Session) -> cases.CaseView:
        view = cases.get_case(session, staff=staff, number=number)
        audit.record(session, staff_id=staff.id, action="case_read", target=view.number)
        return view

    view = await in_store(read)
    return page("case.html", request, case=view, statuses=cases.STATUSES, notice=notice, local_time=local_time,
                **labels(knowledge_of(request)))


@blueprint.post("/cases/<number>/status")
@staff_only("legal")
async def case_status(request: Request, number: str) -> HTTPResponse:
    """Move the case; the worker is told on the channel they used (the change stands if that fails)."""
    form = request.form or {}
    status, note = form.get("status", ""), form.get("note", "").strip()[:500]
    if status not in cases.STATUSES:
        return await case_page(request, number, "请选择一个状态。")
    staff = current_staff(request)
    def move(session: Session) -> cases.CaseView:
        changed = cases.change_status(session, staff=staff, number=number, status=status, note=note)
        audit.record(session, staff_id=staff.id, action="case_status", target=changed.number, detail=status)
        return changed

    changed = await in_store(move)
    message = knowledge_of(request).replies["case_status_changed"].render(
        number=changed.number, status=cases.STATUSES[status], note=note)
    try:
        await request.app.ctx.rasa.say(changed.conversation_id, message["text"], staff=staff.display_name)
        notice = "状态已更新，已通知职工。"
    except RasaUnavailable:
        notice = "状态已更新，但没能通知到职工（对话服务暂时不可用），请电话告知。"
    return await case_page(request, number, notice)


def _item_json(item: handoff.QueueItem) -> dict[str, Any]:
    data = asdict(item)
    data.update(created_at=local_time(item.created_at).strftime("%m-%d %H:%M"), skill_name=handoff.SKILLS[item.skill],
                reason_name=handoff.REASONS[item.reason], status_name=handoff.STATUSES[item.status])
    return data


@blueprint.get("/referrals")
@staff_only(*aid.READ_ROLES)
async def referrals_page(request: Request) -> HTTPResponse:
    """Hardship-aid referrals workers asked for, newest first, with the programmes that fit."""
    kb = knowledge_of(request)
    staff = current_staff(request)

    def read(session: Session) -> list[aid.ReferralView]:
        audit.record(session, staff_id=staff.id, action="referrals_list")
        return aid.list_referrals(session, staff=staff)

    rows = await in_store(read)
    return page("referrals.html", request, referrals=rows, local_time=local_time, questions=AID_QUESTIONS,
                answers={aid.YES: "是", aid.NO: "不是", aid.UNKNOWN: "不清楚"},
                programmes={p["id"]: p["name"] for p in kb.local.get("programmes") or []})
