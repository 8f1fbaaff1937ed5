"""Work orders for every team: the list by time left, one order's timeline, and the daily overdue summary.

Staff see the orders of the skills their role answers (bot.store.roles); admins also see what is
overdue or due within a day, and the ratings of 不满意 waiting for a call back.
"""

from __future__ import annotations

import datetime as dt

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy.orm import Session

from bot import clock
from bot.clock import local_time
from bot.staff.accounts import active_staff
from bot.store import audit, cases, orders
from bot.store.database import in_store
from bot.store.handoff import SKILLS
from bot.store.roles import PermissionDenied
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import csv_download, knowledge_of, page

blueprint = Blueprint("console_orders", url_prefix="/console")
VERBS = ("note", "tier", "owner", "close", "follow-up")


def _labels(request: Request) -> dict:
    """Names for codes on the order pages."""
    kb = knowledge_of(request)
    return {"kinds": orders.KINDS, "statuses": orders.STATUSES, "ratings": orders.RATINGS, "events": orders.EVENTS,
            "teams": SKILLS, "tiers": {code: tier.name for code, tier in kb.local.work_orders.tiers.items()},
            "topics": {topic_id: topic.title for topic_id, topic in kb.topics.items()}, "local_time": local_time}


@blueprint.get("/orders")
@staff_only()
async def orders_page(request: Request) -> HTTPResponse:
    """Open orders by time left (overdue first); admins see what needs attention and follow-ups on top."""
    staff = current_staff(request)
    status = request.args.get("status", "open")
    kind = request.args.get("kind") if request.args.get("kind") in orders.KINDS else None
    today = clock.today()

    def read(session: Session) -> tuple[list, list, list]:
        audit.record(session, staff_id=staff.id, action="orders_list", detail=f"{status},{kind or ''}")
        rows = orders.list_orders(session, staff=staff, status=status if status in orders.STATUSES else None,
                                  kind=kind)
        if staff.role != "admin":
            return rows, [], []
        due = orders.list_orders(session, staff=staff, due_by=today + dt.timedelta(days=1))
        return rows, due, orders.follow_ups(session, staff=staff)

    rows, attention, follow_ups = await in_store(read)
    return page("orders.html", request, orders=rows, attention=attention, follow_ups=follow_ups, today=today,
                filters={"status": status, "kind": kind}, **_labels(request))


@blueprint.get("/orders/overdue")
@staff_only("admin")
async def overdue_page(request: Request) -> HTTPResponse:
    """The daily summary of overdue orders (today by default, or ?day=YYYY-MM-DD)."""
    day, rows = await _overdue(request)
    return page("overdue.html", request, day=day, orders=rows, **_labels(request))


@blueprint.get("/orders/overdue.csv")
@staff_only("admin")
async def overdue_csv(request: Request) -> HTTPResponse:
    """The same summary as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    day, rows = await _overdue(request)
    tiers = _labels(request)["tiers"]
    return csv_download(f"overdue-{day.isoformat()}.csv",
                        ("工单号", "类型", "级别", "受理时间", "办结期限", "超期天数", "负责人", "状态"),
                        [(row.number, orders.KINDS[row.kind], tiers.get(row.tier, row.tier),
                          local_time(row.opened_at).strftime("%Y-%m-%d %H:%M"), row.due_on.isoformat(),
                          (day - row.due_on).days, row.owner or "", orders.STATUSES[row.status]) for row in rows])


async def _overdue(request: Request) -> tuple[dt.date, list[orders.OrderRow]]:
    staff = current_staff(request)
    try:
        day = dt.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = clock.today()

    def read(session: Session) -> list[orders.OrderRow]:
        audit.record(session, staff_id=staff.id, action="orders_overdue", detail=day.isoformat())
        return orders.overdue_on(session, staff=staff, day=day)

    return day, await in_store(read)


@blueprint.get("/orders/<number>")
@staff_only()
async def order_page(request: Request, number: str, notice: str = "") -> HTTPResponse:
    """One order: what it is for, its deadline, timeline and rating, and what staff can do with it."""
    staff = current_staff(request)

    def read(session: Session) -> tuple[orders.OrderView, list, str]:
        view = orders.get_order(session, staff=staff, number=number)
        audit.record(session, staff_id=staff.id, action="order_read", target=view.number)
        return (view, active_staff(session) if staff.role == "admin" else [],
                _request_link(session, view))

    view, colleagues, link = await in_store(read)
    return page("order.html", request, order=view, notice=notice, colleagues=colleagues, today=clock.today(),
                closes_here=view.kind in orders.CLOSED_HERE, request_link=link, **_labels(request))


def _request_link(session: Session, order: orders.OrderRow) -> str:
    """Where the request itself is read: the case, the conversation, or the referral list."""
    if order.kind == "case":
        return f"/console/cases/{cases.number_of(session, case_id=order.source_id)}"
    if order.kind == "referral":
        return "/console/referrals"
    return f"/console/conversations/{order.source_id}"


@blueprint.post("/orders/<number>/<verb:note|tier|owner|close|follow-up>")
@staff_only()
async def order_action(request: Request, number: str, verb: str) -> HTTPResponse:
    """Add a note, change the tier (with a reason), set the owner, close a referral, record a call back."""
    staff = current_staff(request)
    form = request.form or {}
    text = form.get("text", "").strip()
    terms = orders.Terms.of(knowledge_of(request).local)

    def act(session: Session) -> orders.OrderRow | None:
        if verb == "note":
            orders.add_note(session, staff=staff, number=number, text=text)
        elif verb == "tier":
            orders.change_tier(session, staff=staff, number=number, tier=form.get("tier", ""), reason=text,
                               terms=terms)
        elif verb == "owner":
            orders.set_owner(session, staff=staff, number=number, owner_id=int(form.get("owner_id") or staff.id))
        elif verb == "follow-up":
            orders.follow_up_done(session, staff=staff, number=number, note=text)
        audit.record(session, staff_id=staff.id, action=f"order_{verb}", target=number.upper())
        return orders.close(session, staff=staff, number=number, note=text) if verb == "close" else None

    try:
        closed = await in_store(act)
    except (ValueError, orders.ClosedElsewhere, PermissionDenied) as error:
        return await order_page(request, number, NOT_DONE[type(error)])
    if closed is not None:
        request.app.ctx.notify.ask_rating_soon(closed.kind, closed.source_id)
    return redirect(f"/console/orders/{number.upper()}")


NOT_DONE = {ValueError: "没有办成：备注不能为空，改级要写明原因。",
            orders.ClosedElsewhere: "这张工单随它的案件或会话一起办结，请到对应页面操作。",
            PermissionDenied: "只有管理员可以把工单交给别的同事。"}
