"""Who answers which waiting conversation: capacity, the on-duty switch, offers in turn, escalation.

Each staff member holds at most their capacity of conversations at once (the deployment's default
unless an admin set theirs) and says with a switch whether they are on duty. A waiting conversation
is offered to one on-duty colleague whose role covers its skill and who has room, in turn (the one
offered longest ago first); an offer not taken within `offer_seconds` goes to the next. An offer is
a hint, not a lock: anyone with the skill may still take it. A conversation nobody took within
`escalate_after_minutes` (a crisis sooner) is escalated: marked for admins, written to the audit
log and to its work order's timeline.

The rules are in knowledge/assignment.yml, read at run time (not a training input, so changing
them needs no retrain). Several web processes may run the offers at once: every change is a
conditional UPDATE, so a conversation is offered to one person at a time and escalated once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError, conint
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.settings import load_settings
from bot.store import audit, live, orders
from bot.store.models import CRISIS_PRIORITY, Handoff, HandoffOffer, Staff
from bot.store.roles import ROLE_SKILLS, StaffMember, require_role

RULES_FILE = "assignment.yml"
MAX_CAPACITY = 20  # more at once than anyone can answer well: surely a typo


class Rules(BaseModel):
    """knowledge/assignment.yml: capacity, how long an offer stands, when a wait is escalated."""

    capacity: conint(ge=1, le=MAX_CAPACITY) = 3
    offer_seconds: conint(ge=5) = 60
    escalate_after_minutes: conint(ge=1) = 5
    crisis_escalate_after_minutes: conint(ge=1) = 1

    class Config:
        """Frozen and strict: a misspelt key is an error, not a silent default."""

        frozen = True
        extra = "forbid"


def read_rules(knowledge_dir: Path) -> Rules:
    """The rules in `knowledge_dir`, or the defaults when the deployment has no such file.

    Raises ValueError naming the file and the field when the file does not fit.
    """
    path = knowledge_dir / RULES_FILE
    if not path.exists():
        return Rules()
    try:
        return Rules.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except yaml.YAMLError as error:
        raise ValueError(f"{RULES_FILE}: not YAML ({error})") from error
    except ValidationError as error:
        fields = "; ".join(f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}" for problem in error.errors())
        raise ValueError(f"{RULES_FILE}: {fields}") from error


@lru_cache(maxsize=4)
def _rules_at(knowledge_dir: str) -> Rules:
    return read_rules(Path(knowledge_dir))


def current_rules() -> Rules:
    """The rules of this process's deployment (ZGFW_KNOWLEDGE_DIR), read once."""
    return _rules_at(str(load_settings().knowledge_dir))


class AtCapacity(RuntimeError):
    """The staff member already holds as many conversations as they may."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit

    @property
    def message(self) -> str:
        """What the staff member reads."""
        return f"您正在接待的会话已达上限（{self.limit}个），请先结束一个再接入"


@dataclass(frozen=True)
class Duty:
    """A staff member's switch and load, as the console header and the staff page show them."""

    staff_id: int
    display_name: str
    role: str
    on_duty: bool
    capacity: int
    own_capacity: int | None  # what an admin set; None: the deployment's default
    holding: int
    last_offered_at: dt.datetime | None


@dataclass(frozen=True)
class Offer:
    """A waiting conversation offered to one staff member."""

    handoff_id: int
    conversation_id: str
    staff_id: int
    at: dt.datetime


@dataclass(frozen=True)
class Escalation:
    """A conversation nobody took in time."""

    handoff_id: int
    conversation_id: str
    after_minutes: int


def check_room(session: Session, *, staff: StaffMember, crisis: bool, rules: Rules | None = None) -> None:
    """Raise AtCapacity when the staff member already holds their capacity, unless it is a crisis.

    A crisis may always be taken, by anyone with the skill: nobody in danger waits for a
    colleague's capacity to free up (one more conversation than usual is the lesser harm).
    """
    if crisis:
        return
    limit = _capacity(session.get(Staff, staff.id), rules or current_rules())
    if _holding(session).get(staff.id, 0) >= limit:
        raise AtCapacity(limit)


def set_on_duty(session: Session, *, staff: StaffMember, on_duty: bool, rules: Rules | None = None) -> Duty:
    """Switch one's own duty; going off duty hands one's open offers on to the next colleague."""
    row = session.get(Staff, staff.id)
    if bool(row.on_duty) != on_duty:
        row.on_duty = int(on_duty)
        audit.record(session, staff_id=staff.id, action="duty_on" if on_duty else "duty_off")
    if not on_duty:
        session.execute(update(Handoff).where(Handoff.offered_to == staff.id, Handoff.status == "waiting")
                        .values(offered_to=None, offered_at=None).execution_options(synchronize_session=False))
    session.flush()
    return _duty(row, _holding(session), rules or current_rules())


def duty_of(session: Session, *, staff: StaffMember, rules: Rules | None = None) -> Duty:
    """One's own switch, capacity and how many conversations one holds now."""
    return _duty(session.get(Staff, staff.id), _holding(session), rules or current_rules())


def roster(session: Session, *, admin: StaffMember, rules: Rules | None = None) -> list[Duty]:
    """Everyone who can sign in, on duty first, with capacity and load (admins only)."""
    require_role(admin, "admin")
    holding, rules = _holding(session), rules or current_rules()
    rows = session.execute(select(Staff).where(Staff.active == 1)
                           .order_by(Staff.on_duty.desc(), Staff.display_name)).scalars()
    return [_duty(row, holding, rules) for row in rows]


def set_capacity(session: Session, *, admin: StaffMember, staff_id: int, capacity: int | None,
                 rules: Rules | None = None) -> Duty:
    """Give one staff member their own capacity (None: back to the default); admins only.

    Raises LookupError for an unknown account, ValueError outside 1..MAX_CAPACITY.
    """
    require_role(admin, "admin")
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise ValueError(f"capacity must be 1..{MAX_CAPACITY}")
    row = session.get(Staff, staff_id)
    if row is None or not row.active:
        raise LookupError(staff_id)
    row.capacity = capacity
    audit.record(session, staff_id=admin.id, action="staff_capacity", target=row.username,
                 detail="default" if capacity is None else str(capacity))
    session.flush()
    return _duty(row, _holding(session), rules or current_rules())


def offer_next(session: Session, *, rules: Rules, now: dt.datetime) -> Offer | None:
    """Offer one waiting conversation whose offer is due (none yet, or not taken in time) to the next in turn.

    Crisis first, then the longest waiting. The colleague is on duty, covers the skill and has
    room (a crisis goes to someone full only when nobody has room); of those, the one offered
    longest ago, and not the one who just let it pass when anyone else can. One offer per unit of
    work, so a transaction holds one staff row and one handoff row: processes never deadlock.
    None when nothing is due or nobody can be offered it.
    """
    cutoff = now - dt.timedelta(seconds=rules.offer_seconds)
    # One handed to a named colleague (handoff.hand_to) waits for them, not for a turn.
    due = session.execute(select(Handoff).where(Handoff.status == "waiting", Handoff.staff_id.is_(None),
                                                _offer_due(cutoff))
                          .order_by(Handoff.priority.desc(), Handoff.id)).scalars().all()
    if not due:
        return None
    on_duty = session.execute(select(Staff).where(Staff.active == 1, Staff.on_duty == 1)).scalars().all()
    load = _holding(session) + Counter(session.execute(
        select(Handoff.offered_to).where(Handoff.status == "waiting", ~_offer_due(cutoff))).scalars())
    for row in due:
        crisis = row.priority >= CRISIS_PRIORITY
        able = [s for s in on_duty if row.skill in ROLE_SKILLS[s.role]
                and (crisis or load[s.id] < _capacity(s, rules))]
        if not able:
            continue
        pick = min(able, key=lambda s: (load[s.id] >= _capacity(s, rules), s.id == row.offered_to,
                                        s.last_offered_at or dt.datetime.min, s.id))
        if _claim(session, row.id, pick, cutoff, now):
            live.note(session, kind="offer", handoff_id=row.id, conversation_id=row.conversation_id, skill=row.skill)
            return Offer(row.id, row.conversation_id, pick.id, now)
    return None


def escalate_overdue(session: Session, *, rules: Rules, now: dt.datetime) -> list[Escalation]:
    """Mark every conversation nobody took in time as escalated, once, with audit and order timeline.

    The wait counts from the request, or from the last staff action (a transfer puts it back in
    line). Callbacks left out of hours are not escalated: their deadline is their work order's.
    """
    waiting_since = func.coalesce(Handoff.last_staff_at, Handoff.created_at)
    crisis_cutoff = now - dt.timedelta(minutes=rules.crisis_escalate_after_minutes)
    cutoff = now - dt.timedelta(minutes=rules.escalate_after_minutes)
    rows = session.execute(select(Handoff).where(
        Handoff.status == "waiting", Handoff.escalated_at.is_(None), Handoff.reason != "callback",
        or_(waiting_since <= cutoff, and_(Handoff.priority >= CRISIS_PRIORITY, waiting_since <= crisis_cutoff)))
        .order_by(Handoff.priority.desc(), Handoff.id)).scalars().all()
    escalated = []
    for row in rows:
        won = session.execute(update(Handoff).where(Handoff.id == row.id, Handoff.status == "waiting",
                                                    Handoff.escalated_at.is_(None))
                              .values(escalated_at=now).execution_options(synchronize_session=False)).rowcount
        if won != 1:
            continue  # another process escalated it, or someone took it, just now
        minutes = rules.crisis_escalate_after_minutes if row.priority >= CRISIS_PRIORITY \
            else rules.escalate_after_minutes
        audit.record(session, staff_id=None, action="handoff_escalated", target=row.conversation_id,
                     detail=f"{minutes}分钟无人接入")
        orders.add_step(session, kind="handoff", source_id=row.id, step="escalated", detail=f"等待超过{minutes}分钟")
        live.note(session, kind="escalate", handoff_id=row.id, conversation_id=row.conversation_id, skill=row.skill)
        escalated.append(Escalation(row.id, row.conversation_id, minutes))
    return escalated


def _offer_due(cutoff: dt.datetime):  # noqa: ANN202 - a SQL condition
    return or_(Handoff.offered_at.is_(None), Handoff.offered_at <= cutoff)


def _claim(session: Session, handoff_id: int, pick: Staff, cutoff: dt.datetime, now: dt.datetime) -> bool:
    """Take the colleague's turn and the conversation's offer, both only if nobody did since we read them."""
    turn_unchanged = Staff.last_offered_at.is_(None) if pick.last_offered_at is None \
        else Staff.last_offered_at == pick.last_offered_at
    savepoint = session.begin_nested()
    turn = session.execute(update(Staff).where(Staff.id == pick.id, Staff.on_duty == 1, turn_unchanged)
                           .values(last_offered_at=now).execution_options(synchronize_session=False)).rowcount
    offered = turn == 1 and session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.status == "waiting", _offer_due(cutoff))
        .values(offered_to=pick.id, offered_at=now).execution_options(synchronize_session=False)).rowcount == 1
    if not offered:
        savepoint.rollback()
        return False
    session.add(HandoffOffer(handoff_id=handoff_id, staff_id=pick.id, at=now))
    savepoint.commit()
    return True


def _holding(session: Session) -> Counter[int]:
    """How many conversations each staff member has taken and not closed."""
    return Counter(dict(session.execute(select(Handoff.staff_id, func.count()).where(Handoff.status == "active")
                                        .group_by(Handoff.staff_id)).all()))


def _capacity(row: Staff, rules: Rules) -> int:
    return row.capacity or rules.capacity


def _duty(row: Staff, holding: Counter[int], rules: Rules) -> Duty:
    return Duty(row.id, row.display_name, row.role, bool(row.on_duty), _capacity(row, rules), row.capacity,
                holding.get(row.id, 0), row.last_offered_at)
