"""Work orders (工单): every request a person must act on, with a tier, a deadline, a timeline and a rating.

A legal-aid case, an aid referral, a callback left out of hours and a handoff each keep their own
table and flow; each also has one order, opened in the same unit of work and kept in step by
`sync`, so the union can say what the national 12351 system says: how many were closed on time,
which are overdue now, and how satisfied workers were. Deadlines count working days
(bot.workdays: public holidays off, make-up days on) from the local day the request came in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TIME, local_time, utcnow
from bot.kb.local import LocalData, WorkOrderSettings
from bot.privacy import mask_text
from bot.store.database import added
from bot.store.models import OrderEvent, Staff, WorkOrder
from bot.store.roles import ROLE_SKILLS, StaffMember, require_role
from bot.workdays import Calendar

KINDS = {"case": "法律援助案件", "referral": "困难帮扶转介", "callback": "留言回电", "handoff": "转人工"}
STATUSES = {"open": "办理中", "closed": "已办结"}
RATINGS = {"very_satisfied": "很满意", "satisfied": "满意", "neutral": "一般", "dissatisfied": "不满意"}
EVENTS = {"opened": "受理", "owner": "负责人", "team": "转给", "tier": "改级", "note": "内部备注",
          "closed": "办结", "reopened": "重新办理", "rated": "职工评价", "comment": "职工补充意见",
          "follow_up": "回访", "escalated": "超时无人接入，已升级给管理员"}
# Kinds whose order staff close on the order page; the others close when their own flow ends
# (a case when it is 已结案, a handoff or callback when staff close the conversation).
CLOSED_HERE = frozenset({"referral"})
COMMENT_LIMIT = 2000  # as long as a case's facts may be (bot.field_values)
KEEP = object()  # `sync`: leave the owner as it is


class OrderNotFound(LookupError):
    """No order with that number that this staff member (or this conversation) may see."""


class ClosedElsewhere(RuntimeError):
    """The order closes when its own request does (a case, a conversation), not on the order page."""


@dataclass(frozen=True)
class Terms:
    """What a new order needs from the deployment: the tier rules and the working calendar."""

    settings: WorkOrderSettings
    calendar: Calendar

    @classmethod
    def of(cls, local: LocalData) -> Terms:
        """The deployment's rules (knowledge/local `work_orders`) and its calendar."""
        return cls(local.work_orders, local.working_calendar())

    def due(self, opened_at: dt.datetime, tier: str) -> dt.date:
        """The last working day of the tier's deadline, counted from the local day it was opened."""
        return self.calendar.after(local_time(opened_at).date(), self.settings.tiers[tier].workdays).day


@dataclass(frozen=True)
class Source:
    """The request an order is for: its kind and row, where the worker is, and who handles it."""

    kind: str
    id: int
    conversation_id: str
    channel: str
    team: str  # the skill whose staff see it: legal, psych or general (bot.store.handoff.SKILLS)
    topic: str | None = None


@dataclass(frozen=True)
class OrderRow:
    """An order as the console lists it."""

    number: str
    kind: str
    source_id: int
    topic: str | None
    team: str
    tier: str
    owner: str | None
    status: str
    opened_at: dt.datetime
    due_on: dt.date
    closed_at: dt.datetime | None
    rating: str | None
    follow_up: str | None
    conversation_id: str
    channel: str

    def days_left(self, today: dt.date) -> int:
        """Calendar days until the deadline's last day: 0 is due today, negative is overdue."""
        return (self.due_on - today).days

    def urgency(self, today: dt.date) -> str:
        """"overdue", "due_soon" (due today or tomorrow) or "on_time"; a closed order is "closed"."""
        if self.status == "closed":
            return "closed"
        left = self.days_left(today)
        return "overdue" if left < 0 else "due_soon" if left <= 1 else "on_time"

    def closed_in_time(self) -> bool | None:
        """Whether it was closed by the end of its last day (None while open)."""
        return None if self.closed_at is None else local_time(self.closed_at).date() <= self.due_on


@dataclass(frozen=True)
class Step:
    """One line of the timeline."""

    kind: str
    detail: str
    staff: str | None
    at: dt.datetime


@dataclass(frozen=True)
class OrderView(OrderRow):
    """One order with its timeline and the worker's rating."""

    rating_comment: str | None
    timeline: tuple[Step, ...]


def order_number(year: int, row_id: int) -> str:
    """GD-2026-000123: read out over the phone like a case number."""
    return f"GD-{year}-{row_id:06d}"


def open_order(session: Session, *, source: Source, terms: Terms) -> str:
    """The request's order, opened now in the tier its rules give (once: a retry returns the same number)."""
    existing = _for_source(session, source.kind, source.id)
    if existing is not None:
        return existing.number
    now = utcnow()
    tier = terms.settings.tier_for(source.kind, source.topic)
    row = WorkOrder(kind=source.kind, source_id=source.id, conversation_id=source.conversation_id,
                    channel=source.channel, topic=source.topic, team=source.team, tier=tier, status="open",
                    opened_at=now, due_on=terms.due(now, tier))
    if not added(session, row):
        return _for_source(session, source.kind, source.id).number
    row.number = order_number(now.year, row.id)
    _log(session, row, "opened", f"{KINDS[source.kind]}，{terms.settings.tiers[tier].name}", None)
    session.flush()
    return row.number


def sync(session: Session, *, kind: str, source_id: int, closed: bool, team: str | None = None,
         owner_id: object = KEEP, staff_id: int | None = None) -> None:
    """Keep a request's order in step with it: closed or open again, its team, its owner.

    Called in the unit of work that changed the request (and by the compensations that undo one),
    so an order never says 办结 for a request that is still open. Requests from before work orders
    existed have none: nothing to do.
    """
    row = _for_source(session, kind, source_id)
    if row is None:
        return
    if closed and row.status == "open":
        row.status, row.closed_at = "closed", utcnow()
        _log(session, row, "closed", "", staff_id)
    elif not closed and row.status == "closed":
        row.status, row.closed_at = "open", None
        _log(session, row, "reopened", "", staff_id)
    if team is not None and team != row.team:
        row.team = team
        _log(session, row, "team", team, staff_id)
    if owner_id is not KEEP and owner_id != row.owner_id:
        row.owner_id = owner_id
        _log(session, row, "owner", _name(session, owner_id) or "（无）", staff_id)
    session.flush()


def add_step(session: Session, *, kind: str, source_id: int, step: str, detail: str = "") -> None:
    """A step the request's own flow took without anyone acting (a handoff escalated); none without an order."""
    row = _for_source(session, kind, source_id)
    if row is not None:
        _log(session, row, step, detail, None)


def list_orders(session: Session, *, staff: StaffMember, status: str | None = "open", kind: str | None = None,
                due_by: dt.date | None = None) -> list[OrderRow]:
    """Orders this staff member's teams handle, by time left: overdue first, then the soonest due.

    `due_by` keeps the open ones due on or before that day (an admin's "overdue or due within a day").
    """
    query = _visible(select(WorkOrder), staff).order_by(WorkOrder.due_on, WorkOrder.opened_at)
    if status:
        query = query.where(WorkOrder.status == status)
    if kind:
        query = query.where(WorkOrder.kind == kind)
    if due_by is not None:
        query = query.where(WorkOrder.status == "open", WorkOrder.due_on <= due_by)
    return [_row(session, row) for row in session.execute(query).scalars()]


def overdue_on(session: Session, *, staff: StaffMember, day: dt.date) -> list[OrderRow]:
    """The daily summary: orders past their deadline at the end of `day` and not closed by then."""
    require_role(staff, "admin")
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), LOCAL_TIME)
    end_utc = end_of_day.astimezone(dt.timezone.utc).replace(tzinfo=None)
    query = (select(WorkOrder).where(WorkOrder.due_on < day, WorkOrder.opened_at < end_utc,
                                     or_(WorkOrder.closed_at.is_(None), WorkOrder.closed_at >= end_utc))
             .order_by(WorkOrder.due_on, WorkOrder.opened_at))
    return [_row(session, row) for row in session.execute(query).scalars()]


def get_order(session: Session, *, staff: StaffMember, number: str) -> OrderView:
    """One order with its timeline, if the staff member's teams handle it."""
    row = _visible_order(session, staff, number)
    steps = tuple(Step(e.kind, e.detail, _name(session, e.staff_id), e.at) for e in row.timeline)
    return OrderView(**_row(session, row).__dict__, rating_comment=row.rating_comment, timeline=steps)


def of_conversation(session: Session, *, staff: StaffMember, conversation_id: str) -> list[OrderRow]:
    """The orders one conversation opened that this staff member's teams handle, oldest first."""
    query = _visible(select(WorkOrder), staff).where(WorkOrder.conversation_id == conversation_id)
    return [_row(session, row) for row in session.execute(query.order_by(WorkOrder.id)).scalars()]


def of_request(session: Session, *, staff: StaffMember, kind: str, source_id: int) -> OrderView | None:
    """One request's order with its timeline (a handoff's, whose notes staff keep), if the staff member may see it.

    None for requests from before work orders existed, or in a team the member does not handle.
    """
    row = _for_source(session, kind, source_id)
    if row is None or row.team not in ROLE_SKILLS[staff.role]:
        return None
    return get_order(session, staff=staff, number=row.number)


def add_note(session: Session, *, staff: StaffMember, number: str, text: str) -> None:
    """An internal note on the timeline (staff only; workers never see the timeline)."""
    if not text.strip():
        raise ValueError("empty note")
    _log(session, _visible_order(session, staff, number), "note", text.strip()[:COMMENT_LIMIT], staff.id)


def change_tier(session: Session, *, staff: StaffMember, number: str, tier: str, reason: str, terms: Terms) -> None:
    """Move an order to another tier; the deadline is counted again from the day it was opened."""
    if tier not in terms.settings.tiers:
        raise ValueError(f"tier must be one of {tuple(terms.settings.tiers)}")
    if not reason.strip():
        raise ValueError("a tier change needs a reason")
    row = _visible_order(session, staff, number)
    if tier == row.tier:
        return
    before = terms.settings.tiers[row.tier].name
    row.tier, row.due_on = tier, terms.due(row.opened_at, tier)
    _log(session, row, "tier", f"{before} → {terms.settings.tiers[tier].name}：{reason.strip()[:200]}", staff.id)


def set_owner(session: Session, *, staff: StaffMember, number: str, owner_id: int) -> None:
    """Make someone responsible: staff take an order themselves, admins may name a colleague."""
    if owner_id != staff.id:
        require_role(staff, "admin")
    row = _visible_order(session, staff, number)
    if session.get(Staff, owner_id) is None:
        raise ValueError(f"no staff member {owner_id}")
    sync(session, kind=row.kind, source_id=row.source_id, closed=row.status == "closed", owner_id=owner_id,
         staff_id=staff.id)


def close(session: Session, *, staff: StaffMember, number: str, note: str = "") -> OrderRow:
    """Close an order that has no flow of its own (an aid referral once staff have followed it up)."""
    row = _visible_order(session, staff, number)
    if row.kind not in CLOSED_HERE:
        raise ClosedElsewhere(number)
    if note.strip():
        _log(session, row, "note", note.strip()[:COMMENT_LIMIT], staff.id)
    sync(session, kind=row.kind, source_id=row.source_id, closed=True, staff_id=staff.id)
    return _row(session, row)


def rating_due(session: Session, *, kind: str, source_id: int) -> OrderRow | None:
    """The request's order if it has just closed and its worker was never asked to rate it (then marked asked).

    Once per order: a case closed, reopened and closed again is not rated twice.
    """
    row = _for_source(session, kind, source_id)
    if row is None:
        return None
    asked = session.execute(update(WorkOrder).where(
        WorkOrder.id == row.id, WorkOrder.status == "closed", WorkOrder.rating_asked_at.is_(None))
        .values(rating_asked_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1
    return _row(session, row) if asked else None


def waiting_for_worker(session: Session, *, conversation_id: str, rated: bool) -> OrderRow | None:
    """What a typed "我要评价" (rated=False) or "补充意见" (rated=True) is about.

    The conversation's latest order the worker was asked to rate and has not rated yet, or rated
    without adding a sentence yet.
    """
    query = select(WorkOrder).where(WorkOrder.conversation_id == conversation_id,
                                    WorkOrder.rating_asked_at.is_not(None))
    query = query.where(WorkOrder.rating.is_not(None), WorkOrder.rating_comment.is_(None)) if rated else \
        query.where(WorkOrder.rating.is_(None))
    row = session.execute(query.order_by(WorkOrder.rating_asked_at.desc()).limit(1)).scalar_one_or_none()
    return None if row is None else _row(session, row)


def rate(session: Session, *, number: str, conversation_id: str, rating: str) -> str:
    """Keep the worker's rating: "saved", "already" (it was rated before) or "unknown" (not their order).

    A 不满意 goes back to the admins as a follow-up (回访).
    """
    if rating not in RATINGS:
        return "unknown"
    row = session.execute(select(WorkOrder).where(WorkOrder.number == number.upper(),
                                                  WorkOrder.conversation_id == conversation_id)).scalar_one_or_none()
    if row is None:
        return "unknown"
    saved = session.execute(update(WorkOrder).where(WorkOrder.id == row.id, WorkOrder.rating.is_(None)).values(
        rating=rating, rated_at=utcnow(), follow_up="needed" if rating == "dissatisfied" else None)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not saved:
        return "already"
    _log(session, row, "rated", RATINGS[rating], None)
    return "saved"


def add_comment(session: Session, *, number: str, conversation_id: str, text: str) -> bool:
    """The sentence a worker adds to their rating (once; phone and ID numbers masked)."""
    text = mask_text(text.strip())[:COMMENT_LIMIT]
    row = session.execute(select(WorkOrder).where(
        WorkOrder.number == number.upper(), WorkOrder.conversation_id == conversation_id,
        WorkOrder.rating.is_not(None), WorkOrder.rating_comment.is_(None))).scalar_one_or_none()
    if row is None or not text:
        return False
    row.rating_comment = text
    _log(session, row, "comment", "", None)
    return True


def follow_up_done(session: Session, *, staff: StaffMember, number: str, note: str) -> None:
    """An admin called the dissatisfied worker back: what came of it goes on the timeline."""
    require_role(staff, "admin")
    row = _visible_order(session, staff, number)
    if row.follow_up != "needed":
        raise ValueError("no follow-up pending")
    row.follow_up = "done"
    _log(session, row, "follow_up", note.strip()[:COMMENT_LIMIT] or "已回访", staff.id)


def follow_ups(session: Session, *, staff: StaffMember) -> list[OrderRow]:
    """Orders rated 不满意 that nobody has called back yet, oldest first (admins)."""
    require_role(staff, "admin")
    query = select(WorkOrder).where(WorkOrder.follow_up == "needed").order_by(WorkOrder.rated_at)
    return [_row(session, row) for row in session.execute(query).scalars()]


def _visible(query, staff: StaffMember):  # noqa: ANN001, ANN202 - a Select
    return query.where(WorkOrder.team.in_(ROLE_SKILLS[staff.role]))


def _visible_order(session: Session, staff: StaffMember, number: str) -> WorkOrder:
    row = session.execute(_visible(select(WorkOrder), staff).where(WorkOrder.number == number.upper())
                          ).scalar_one_or_none()
    if row is None:
        raise OrderNotFound(number)
    return row


def _for_source(session: Session, kind: str, source_id: int) -> WorkOrder | None:
    return session.execute(select(WorkOrder).where(WorkOrder.kind == kind, WorkOrder.source_id == source_id)
                           ).scalar_one_or_none()


def _log(session: Session, row: WorkOrder, kind: str, detail: str, staff_id: int | None) -> None:
    session.add(OrderEvent(order_id=row.id, kind=kind, detail=detail, staff_id=staff_id, at=utcnow()))
    session.flush()


def _name(session: Session, staff_id: int | None) -> str | None:
    return None if staff_id is None else session.get(Staff, staff_id).display_name


def _row(session: Session, row: WorkOrder) -> OrderRow:
    return OrderRow(row.number, row.kind, row.source_id, row.topic, row.team, row.tier, _name(session, row.owner_id),
                    row.status,
                    row.opened_at, row.due_on, row.closed_at, row.rating, row.follow_up, row.conversation_id,
                    row.channel)
