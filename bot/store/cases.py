"""Legal-aid cases: opened once per submission, assigned to the street's volunteer lawyer, tracked.

Workers reach these functions through the custom actions (open, look up by number and phone);
staff reach them through the console, and only with the legal role (list, read, change status).
Every function takes the session of the caller's unit of work and keyword arguments only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import local_time, utcnow
from bot.kb.local import Lawyer
from bot.privacy import mask_phone
from bot.store import orders
from bot.store.database import added
from bot.store.models import CaseStatusChange, LegalCase
from bot.store.roles import StaffMember, require_role
from bot.workdays import Calendar, Promise

log = logging.getLogger(__name__)

STATUSES = {"received": "已受理", "assigned": "已分派", "in_progress": "处理中", "closed": "已结案"}
READ_ROLES = ("legal",)  # and admin


class CaseNotFound(LookupError):
    """No case with that number (or not with that phone, which the worker is told the same way)."""


@dataclass(frozen=True)
class CaseDraft:
    """What a worker submits, already validated by the intake form."""

    dispute_type: str
    employer: str
    facts: str
    amount: str
    since: str
    street: str
    worker_name: str
    worker_phone: str

    def submission_key(self, conversation_id: str) -> str:
        """Same conversation and same answers give the same key: a retry is not a new case."""
        payload = json.dumps([conversation_id, asdict(self)], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class CaseReceipt:
    """What the worker is told after submitting."""

    number: str
    status: str
    lawyer: Lawyer
    opened_at: dt.datetime
    duplicate: bool


@dataclass(frozen=True)
class CaseView(CaseDraft):
    """A case as staff read it: what the worker submitted, and what became of it."""

    number: str
    status: str
    lawyer: Lawyer
    conversation_id: str
    channel: str
    opened_at: dt.datetime
    updated_at: dt.datetime
    history: tuple[tuple[str, str, dt.datetime], ...]


@dataclass(frozen=True)
class StatusChanged:
    """A status change the worker should hear about, on the channel they used."""

    number: str
    status: str
    conversation_id: str
    channel: str
    case_id: int


def case_number(year: int, row_id: int) -> str:
    """FY-2026-000123: readable over the phone, unique because the row id is."""
    return f"FY-{year}-{row_id:06d}"


def open_case(session: Session, *, draft: CaseDraft, conversation_id: str, channel: str,
              lawyer: Lawyer, topic: str, terms: orders.Terms) -> CaseReceipt:
    """Open the case with its work order (`topic`: the dispute's), or return the one this very submission opened."""
    key = draft.submission_key(conversation_id)
    existing = session.execute(select(LegalCase).where(LegalCase.submission_key == key)).scalar_one_or_none()
    if existing is not None:
        return _receipt(existing, duplicate=True)
    now = utcnow()
    case = LegalCase(submission_key=key, conversation_id=conversation_id, channel=channel,
                     lawyer_name=lawyer.name, lawyer_phone=lawyer.phone, status="assigned",
                     created_at=now, updated_at=now, **asdict(draft))
    case.history = [CaseStatusChange(status="received", note="职工在对话中提交", at=now),
                    CaseStatusChange(status="assigned", note=f"按街道分派给{lawyer.name}", at=now)]
    if not added(session, case):  # the same submission, committed by a concurrent delivery
        return _receipt(session.execute(select(LegalCase).where(LegalCase.submission_key == key)).scalar_one(),
                        duplicate=True)
    case.number = case_number(now.year, case.id)
    orders.open_order(session, source=orders.Source("case", case.id, conversation_id, channel, "legal", topic),
                      terms=terms)
    log.info("legal-aid case %s opened (%s, phone %s)", case.number, draft.dispute_type,
             mask_phone(draft.worker_phone))
    return _receipt(case, duplicate=False)


def find_for_worker(session: Session, *, number: str, phone: str) -> CaseView:
    """The worker's own case: both the number and the phone it was opened with must match."""
    case = session.execute(select(LegalCase).where(LegalCase.number == number.upper(),
                                                   LegalCase.worker_phone == phone)).scalar_one_or_none()
    if case is None:
        raise CaseNotFound(number)
    return _view(case)


def list_cases(session: Session, *, staff: StaffMember, status: str | None = None,
               dispute_type: str | None = None, street: str | None = None) -> list[CaseView]:
    """Cases for the legal team, newest first, optionally filtered."""
    require_role(staff, *READ_ROLES)
    query = select(LegalCase).order_by(LegalCase.id.desc())
    for column, value in ((LegalCase.status, status), (LegalCase.dispute_type, dispute_type),
                          (LegalCase.street, street)):
        if value:
            query = query.where(column == value)
    return [_view(case) for case in session.execute(query).scalars()]


def get_case(session: Session, *, staff: StaffMember, number: str) -> CaseView:
    """One case with its history, for the legal team."""
    require_role(staff, *READ_ROLES)
    return _view(_by_number(session, number))


def of_conversation(session: Session, *, staff: StaffMember, conversation_id: str) -> list[CaseView]:
    """The cases a worker opened in one conversation, oldest first, for the legal team."""
    require_role(staff, *READ_ROLES)
    query = select(LegalCase).where(LegalCase.conversation_id == conversation_id).order_by(LegalCase.id)
    return [_view(case) for case in session.execute(query).scalars()]


def change_status(session: Session, *, staff: StaffMember, number: str, status: str,
                  note: str = "") -> StatusChanged:
    """Move a case to a status, record who did it, and say whom to notify."""
    require_role(staff, "legal")
    if status not in STATUSES:
        raise ValueError(f"status must be one of {tuple(STATUSES)}")
    case = _by_number(session, number)
    case.status = status
    case.updated_at = utcnow()
    case.history.append(CaseStatusChange(status=status, note=note, staff_id=staff.id, at=case.updated_at))
    orders.sync(session, kind="case", source_id=case.id, closed=status == "closed", staff_id=staff.id)
    log.info("case %s moved to %s by staff %s", case.number, status, staff.id)
    return StatusChanged(case.number, status, case.conversation_id, case.channel, case.id)


def number_of(session: Session, *, case_id: int) -> str:
    """A case's number from its row id (a work order knows the row)."""
    return session.get(LegalCase, case_id).number


def contact_by(opened_at: dt.datetime, workdays: int, calendar: Calendar) -> Promise:
    """The date by which someone calls the worker: `workdays` working days after opening, local time."""
    return calendar.after(local_time(opened_at).date(), workdays)


def _by_number(session: Session, number: str) -> LegalCase:
    case = session.execute(select(LegalCase).where(LegalCase.number == number.upper())).scalar_one_or_none()
    if case is None:
        raise CaseNotFound(number)
    return case


def _lawyer(case: LegalCase) -> Lawyer:
    """The lawyer as the case recorded them when it was opened (the roster may have changed since)."""
    return Lawyer(name=case.lawyer_name, phone=case.lawyer_phone)


def _receipt(case: LegalCase, *, duplicate: bool) -> CaseReceipt:
    return CaseReceipt(case.number, case.status, _lawyer(case), case.created_at, duplicate)


def _view(case: LegalCase) -> CaseView:
    return CaseView(
        number=case.number, status=case.status, dispute_type=case.dispute_type, employer=case.employer,
        facts=case.facts, amount=case.amount, since=case.since, street=case.street,
        worker_name=case.worker_name, worker_phone=case.worker_phone,
        lawyer=_lawyer(case), conversation_id=case.conversation_id,
        channel=case.channel, opened_at=case.created_at, updated_at=case.updated_at,
        history=tuple((h.status, h.note, h.at) for h in case.history),
    )
