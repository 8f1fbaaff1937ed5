"""The handoff queue: workers waiting for a person, staff taking, transferring and closing.

A conversation has at most one open handoff (a unique index over open rows), so a worker who
taps 转人工 three times waits once. Staff see the skills their role covers; crisis comes first, then distress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.clock import local_time, utcnow
from bot.kb.local import HandoffSettings
from bot.store import assignment, live, orders
from bot.store.database import added
from bot.store.models import CRISIS_PRIORITY, PRIORITY_OF, Handoff, Staff, WorkOrder
from bot.store.roles import ROLE_SKILLS, StaffMember

SKILLS = {"legal": "法律咨询", "psych": "心理咨询", "general": "综合服务"}
REASONS = {"asked": "职工要求", "crisis": "危机", "distress": "情绪困扰", "fallback": "多次没听懂",
           "callback": "下班时间留言"}
STATUSES = {"waiting": "等待中", "active": "处理中", "closed": "已结束"}


class HandoffConflict(RuntimeError):
    """Someone else took or closed the conversation first."""


@dataclass(frozen=True)
class Ticket:
    """What the worker is told: where they are in the line and roughly how long it takes."""

    handoff_id: int
    position: int
    expected_minutes: int
    already_waiting: bool


@dataclass(frozen=True)
class QueueItem:
    """A row of the console's queue."""

    id: int
    conversation_id: str
    channel: str
    skill: str
    reason: str
    priority: int
    status: str
    staff_id: int | None
    callback_phone: str | None
    callback_note: str | None
    created_at: dt.datetime
    offered_to: int | None = None  # whose turn it is to take it (bot.store.assignment): a hint, not a lock
    offered_to_name: str | None = None
    escalated: bool = False  # waiting, and nobody took it in time: admins see it flagged


@dataclass(frozen=True)
class BoardRow:
    """A queue row as the console shows it: the handoff, its place in its skill's line, who has it, its topic."""

    item: QueueItem
    position: int | None  # waiting ones only: 1 is next
    taken_at: dt.datetime | None
    staff_name: str | None
    topic: str | None


@dataclass(frozen=True)
class Place:
    """Where a worker's open handoff stands, for their chat page."""

    status: str  # waiting or active
    reason: str
    skill: str
    position: int  # 0 once taken
    staff_name: str | None


def skill_for(topic: str | None, duty: HandoffSettings) -> str:
    """Psychological for psych topics, legal for labor-law topics, else general (crisis is always psych)."""
    for skill in ("psych", "legal"):
        listed = duty.skills.get(skill, ())
        if topic and (topic in listed or topic.split(".", 1)[0] in listed):
            return skill
    return "general"


def in_service_hours(moment: dt.datetime, duty: HandoffSettings) -> bool:
    """Whether a person is on duty at this UTC moment (service hours are local time)."""
    here = local_time(moment)
    clock = here.strftime("%H:%M")
    return any(here.isoweekday() in span.days and span.from_ <= clock < span.to for span in duty.hours)


_DAY_NAMES = "一二三四五六日"


def hours_text(duty: HandoffSettings) -> str:
    """Service hours as a worker reads them (周一至周五 09:00-21:00；...)."""
    return "；".join(f"{days_text(span.days)} {span.from_}-{span.to}" for span in duty.hours)


def days_text(days: tuple[int, ...]) -> str:
    """ISO weekdays as a worker reads them: [1..5] -> 周一至周五, [1, 3, 5] -> 周一、周三、周五."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"周{_DAY_NAMES[run[0] - 1]}至周{_DAY_NAMES[run[-1] - 1]}")
        else:
            parts += [f"周{_DAY_NAMES[day - 1]}" for day in run]
    return "、".join(parts)


def order_kind(reason: str) -> str:
    """A callback left out of hours is its own kind of work order; every other handoff is a handoff."""
    return "callback" if reason == "callback" else "handoff"


def request(session: Session, *, conversation_id: str, channel: str, skill: str, reason: str,
            minutes_per_conversation: int, terms: orders.Terms, topic: str | None = None,
            callback_phone: str | None = None, callback_note: str | None = None) -> Ticket:
    """Put the conversation in line (once) with its work order, and say where it stands."""
    existing = _open(session, conversation_id)
    if existing is None:
        row = Handoff(conversation_id=conversation_id, channel=channel, skill=skill, reason=reason,
                      priority=PRIORITY_OF.get(reason, 0), status="waiting",
                      callback_phone=callback_phone, callback_note=callback_note, created_at=utcnow())
        if added(session, row):
            _noted(session, "request", row)
            orders.open_order(session, source=orders.Source(order_kind(reason), row.id, conversation_id, channel,
                                                            skill, topic), terms=terms)
            return _ticket(session, row, minutes_per_conversation, already=False)
        existing = _open(session, conversation_id)  # the same worker's second tap, committed in between
    if existing.priority < PRIORITY_OF.get(reason, 0):
        _noted(session, "request", existing, also_skill=skill)
        existing.priority, existing.skill = PRIORITY_OF[reason], skill
    if callback_phone:
        existing.callback_phone, existing.callback_note = callback_phone, callback_note
        _noted(session, "request", existing)
    session.flush()
    return _ticket(session, existing, minutes_per_conversation, already=True)


def queue(session: Session, *, staff: StaffMember) -> list[QueueItem]:
    """Open handoffs in the skills of the staff member's role: most urgent, then longest waiting."""
    return [_item(row) for row in session.execute(_open_in_skills(staff)).scalars()]


def board(session: Session, *, staff: StaffMember) -> list[BoardRow]:
    """The queue with what staff decide by: each waiting one's place in line, who has it, its order's topic."""
    query = (_open_in_skills(staff).add_columns(Staff.display_name, WorkOrder.topic)
             .outerjoin(Staff, Staff.id == Handoff.staff_id)
             .outerjoin(WorkOrder, (WorkOrder.source_id == Handoff.id)
                        & WorkOrder.kind.in_({order_kind(reason) for reason in REASONS})))
    rows, waiting = [], dict.fromkeys(SKILLS, 0)
    for row, staff_name, topic in session.execute(query):
        position = None
        if row.status == "waiting":  # the same order as a worker's ticket: most urgent, then longest waiting
            position = waiting[row.skill] = waiting[row.skill] + 1
        rows.append(BoardRow(_item(row), position, row.taken_at, staff_name, topic))
    return rows


def place(session: Session, *, conversation_id: str) -> Place | None:
    """The worker's open handoff: their place in line while waiting, the staff member's name once taken."""
    row = _open(session, conversation_id)
    if row is None:
        return None
    if row.status == "waiting":
        return Place("waiting", row.reason, row.skill, _ahead(session, row) + 1, None)
    holder = session.get(Staff, row.staff_id) if row.staff_id else None
    return Place("active", row.reason, row.skill, 0, holder.display_name if holder else None)


def get(session: Session, *, staff: StaffMember, handoff_id: int) -> QueueItem:
    """One handoff the staff member may see."""
    row = session.get(Handoff, handoff_id)
    if row is None or row.skill not in ROLE_SKILLS[staff.role]:
        raise LookupError(handoff_id)
    return _item(row)


def take(session: Session, *, staff: StaffMember, handoff_id: int) -> QueueItem:
    """Claim a waiting conversation; only one staff member wins when two click at once.

    One handed to a named colleague (`hand_to`) is theirs to take (or an admin's). Raises
    assignment.AtCapacity when the staff member already holds their capacity (never for a crisis).
    """
    item = get(session, staff=staff, handoff_id=handoff_id)
    assignment.check_room(session, staff=staff, crisis=item.priority >= CRISIS_PRIORITY)
    claim = update(Handoff).where(Handoff.id == handoff_id, Handoff.status == "waiting")
    if staff.role != "admin":
        claim = claim.where(Handoff.staff_id.is_(None) | (Handoff.staff_id == staff.id))
    claimed = session.execute(
        claim.values(status="active", staff_id=staff.id, taken_at=utcnow(), last_staff_at=utcnow(), offered_to=None,
                     offered_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise HandoffConflict(handoff_id)
    row = session.get(Handoff, handoff_id, populate_existing=True)
    _sync_order(session, row, staff.id)
    _noted(session, "take", row, staff_id=staff.id)
    return _item(row)


def handling(session: Session, *, staff: StaffMember, handoff_id: int) -> QueueItem:
    """The conversation this staff member is handling now (replies need it taken first)."""
    row = _mine_or_waiting(session, staff, handoff_id)
    if row.status != "active":
        raise HandoffConflict(handoff_id)
    row.last_staff_at = utcnow()
    return _item(row)


def transfer(session: Session, *, staff: StaffMember, handoff_id: int, skill: str) -> QueueItem:
    """Back into the line for another skill (a legal question that turns out to be distress, say)."""
    if skill not in SKILLS:
        raise ValueError(f"skill must be one of {tuple(SKILLS)}")
    row = _mine_or_waiting(session, staff, handoff_id)
    _noted(session, "transfer", row, also_skill=skill, staff_id=staff.id)
    row.skill, row.status, row.staff_id, row.taken_at = skill, "waiting", None, None
    # In line again for another team: a new wait, offered and escalated afresh.
    row.last_staff_at, row.offered_to, row.offered_at, row.escalated_at = utcnow(), None, None, None
    _sync_order(session, row, staff.id)
    return _item(row)


def colleagues(session: Session, *, staff: StaffMember, skill: str) -> list[StaffMember]:
    """Everyone else who can sign in and whose role answers `skill`: whom a conversation can be handed to."""
    rows = session.execute(select(Staff).where(Staff.active == 1, Staff.id != staff.id)
                           .order_by(Staff.display_name)).scalars()
    return [StaffMember(r.id, r.username, r.display_name, r.role) for r in rows if skill in ROLE_SKILLS[r.role]]


def hand_to(session: Session, *, staff: StaffMember, handoff_id: int, colleague_id: int) -> QueueItem:
    """Back into the line, kept for one named colleague whose role answers its skill: their order now.

    It waits in their queue as theirs (nobody else but an admin may take it), and they take it
    as any other; the worker is told it was transferred, as for a skill.
    """
    row = _mine_or_waiting(session, staff, handoff_id)
    if colleague_id not in {c.id for c in colleagues(session, staff=staff, skill=row.skill)}:
        raise ValueError(f"staff member {colleague_id} cannot take {row.skill} conversations")
    row.status, row.staff_id, row.taken_at = "waiting", colleague_id, None
    _sync_order(session, row, staff.id)
    _noted(session, "transfer", row, staff_id=staff.id)
    return _item(row)


def close(session: Session, *, staff: StaffMember, handoff_id: int) -> QueueItem:
    """End the person's part; the conversation goes back to the bot."""
    row = _mine_or_waiting(session, staff, handoff_id)
    row.status, row.closed_at = "closed", utcnow()
    _sync_order(session, row, staff.id)
    _noted(session, "close", row, staff_id=staff.id)
    return _item(row)


@dataclass(frozen=True)
class Snapshot:
    """A handoff's state before a staff action: what `undo` puts back if the worker was never told."""

    handoff_id: int
    status: str
    skill: str
    staff_id: int | None
    taken_at: dt.datetime | None
    closed_at: dt.datetime | None


def snapshot(session: Session, *, handoff_id: int) -> Snapshot:
    """The state to return to (read in the same unit of work as the change)."""
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise LookupError(handoff_id)
    return _snapshot(row)


def undo(session: Session, *, before: Snapshot, after: QueueItem) -> bool:
    """Put a handoff back as it was, unless someone changed it since (then False, nothing done).

    The console commits a take, transfer or close first and tells the worker afterwards; when
    telling fails, this is the compensation, so the queue never shows what the worker never heard.
    """
    same_staff = Handoff.staff_id.is_(None) if after.staff_id is None else Handoff.staff_id == after.staff_id
    unchanged = (Handoff.id == before.handoff_id, Handoff.status == after.status, Handoff.skill == after.skill,
                 same_staff)
    try:
        with session.begin_nested():
            restored = session.execute(
                update(Handoff).where(*unchanged)
                .values(status=before.status, skill=before.skill, staff_id=before.staff_id,
                        taken_at=before.taken_at, closed_at=before.closed_at)
                .execution_options(synchronize_session=False)).rowcount
    except IntegrityError:  # the worker asked for a person again after the close: keep the new row
        return False
    if restored == 1:
        row = session.get(Handoff, before.handoff_id, populate_existing=True)
        _sync_order(session, row, None)
        _noted(session, "undo", row, also_skill=after.skill)
    return restored == 1


def close_idle(session: Session, *, idle_for: dt.timedelta) -> list[tuple[Snapshot, QueueItem]]:
    """Close every taken conversation no staff member has acted on for `idle_for`.

    Otherwise a conversation taken and forgotten (a shift ended, a browser closed) keeps the bot
    paused for ever and the worker writes into silence. The caller tells each worker (and undoes
    the close if that fails, to try again later).
    """
    cutoff = utcnow() - idle_for
    rows = session.execute(select(Handoff).where(
        Handoff.status == "active", func.coalesce(Handoff.last_staff_at, Handoff.taken_at) < cutoff)
        .with_for_update(skip_locked=True)).scalars().all()
    closed = []
    for row in rows:
        before = _snapshot(row)
        row.status, row.closed_at = "closed", utcnow()
        _sync_order(session, row, None)
        _noted(session, "idle_close", row)
        closed.append((before, _item(row)))
    session.flush()
    return closed


def held_by_staff(session: Session, conversation_id: str) -> bool:
    """Whether a person has taken this conversation (the bot is paused and stays silent)."""
    row = _open(session, conversation_id)
    return row is not None and row.status == "active"


def _sync_order(session: Session, row: Handoff, staff_id: int | None) -> None:
    """The handoff's work order follows it: closed with it, its skill as team, whoever holds it as owner.

    A waiting handoff has an owner only when it was handed to a named colleague.
    """
    orders.sync(session, kind=order_kind(row.reason), source_id=row.id, closed=row.status == "closed",
                team=row.skill, owner_id=row.staff_id, staff_id=staff_id)


def _noted(session: Session, kind: str, row: Handoff, *, also_skill: str | None = None,
           staff_id: int | None = None) -> None:
    """Log the change for live pages; a change of skill is news to both skills' staff."""
    for skill in dict.fromkeys((row.skill, also_skill or row.skill)):
        live.note(session, kind=kind, handoff_id=row.id, conversation_id=row.conversation_id, skill=skill,
                  staff_id=staff_id)


def _open_in_skills(staff: StaffMember):  # noqa: ANN202 - a Select
    return (select(Handoff).where(Handoff.status != "closed", Handoff.skill.in_(ROLE_SKILLS[staff.role]))
            .order_by(Handoff.priority.desc(), Handoff.id).options(selectinload(Handoff.offered_staff)))


def _mine_or_waiting(session: Session, staff: StaffMember, handoff_id: int) -> Handoff:
    get(session, staff=staff, handoff_id=handoff_id)
    row = session.get(Handoff, handoff_id)
    if row.status == "closed" or (row.status == "active" and row.staff_id != staff.id and staff.role != "admin"):
        raise HandoffConflict(handoff_id)
    return row


def _open(session: Session, conversation_id: str) -> Handoff | None:
    return session.execute(select(Handoff).where(Handoff.conversation_id == conversation_id,
                                                 Handoff.status != "closed")).scalar_one_or_none()


def _ahead(session: Session, row: Handoff) -> int:
    """Waiting handoffs of the same skill served before this one (more urgent, or as urgent and older)."""
    return session.execute(select(func.count()).select_from(Handoff).where(
        Handoff.status == "waiting", Handoff.skill == row.skill,
        (Handoff.priority > row.priority) | ((Handoff.priority == row.priority) & (Handoff.id < row.id)))).scalar_one()


def _ticket(session: Session, row: Handoff, minutes_per_conversation: int, *, already: bool) -> Ticket:
    ahead = _ahead(session, row)
    busy = session.execute(select(func.count()).select_from(Handoff).where(
        Handoff.status == "active", Handoff.skill == row.skill)).scalar_one()
    return Ticket(row.id, ahead + 1, (ahead + min(busy, 1)) * minutes_per_conversation, already)


def _snapshot(row: Handoff) -> Snapshot:
    return Snapshot(row.id, row.status, row.skill, row.staff_id, row.taken_at, row.closed_at)


def _item(row: Handoff) -> QueueItem:
    offered = row.offered_staff if row.status == "waiting" else None
    return QueueItem(row.id, row.conversation_id, row.channel, row.skill, row.reason, row.priority, row.status,
                     row.staff_id, row.callback_phone, row.callback_note, row.created_at,
                     offered.id if offered else None, offered.display_name if offered else None,
                     row.status == "waiting" and row.escalated_at is not None)
