"""Hardship-aid screening: a worker's answers against the programmes' criteria, and referrals.

Criteria live with the programmes in knowledge/local (`union_member: true` means required,
`false` means not required; `any_of` needs one of its list). Answers are yes / no / unknown:
an unknown answer never rules a programme out, it only makes it "worth checking".
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.kb.local import Programme
from bot.privacy import mask_phone
from bot.store import orders
from bot.store.database import added
from bot.store.models import AidReferral
from bot.store.roles import StaffMember, require_role

log = logging.getLogger(__name__)

# The screening questions, in the order they are asked (slot aid_<criterion>).
CRITERIA = ("union_member", "serious_illness", "child_in_school", "lost_job", "income_below_local_standard",
            "flexible_employment")
YES, NO, UNKNOWN = "yes", "no", "unknown"
READ_ROLES = ("counselor",)  # and admin
REFERRAL_TOPIC = "union.hardship_aid"


@dataclass(frozen=True)
class Match:
    """A programme the worker may qualify for: 'likely' when every criterion is met, else 'check'."""

    programme: Programme
    verdict: str


@dataclass(frozen=True)
class ReferralView:
    """A referral as staff read it."""

    id: int
    conversation_id: str
    channel: str
    answers: dict[str, str]
    programmes: list[str]
    worker_name: str
    worker_phone: str
    status: str
    created_at: Any


def match(answers: dict[str, str], programmes: tuple[Programme, ...]) -> list[Match]:
    """Programmes not ruled out by a 'no', the fully met ones first."""
    found = []
    for programme in programmes:
        verdicts = []
        for criterion, wanted in programme.criteria.items():
            if criterion == "any_of":
                given = [answers.get(c, UNKNOWN) for c in wanted]
                verdicts.append(YES if YES in given else UNKNOWN if UNKNOWN in given else NO)
            elif wanted:
                verdicts.append(answers.get(criterion, UNKNOWN))
        if NO not in verdicts:
            found.append(Match(programme, "likely" if all(v == YES for v in verdicts) else "check"))
    return sorted(found, key=lambda m: m.verdict != "likely")


def open_referral(session: Session, *, conversation_id: str, channel: str, answers: dict[str, str],
                  programmes: list[str], worker_name: str, worker_phone: str, terms: orders.Terms) -> int:
    """Store the referral and its work order once (a repeated submission returns the same id)."""
    key = hashlib.sha256(json.dumps([conversation_id, answers, programmes, worker_name, worker_phone],
                                    ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    existing = session.execute(select(AidReferral.id).where(AidReferral.submission_key == key)).scalar_one_or_none()
    if existing is not None:
        return existing
    row = AidReferral(submission_key=key, conversation_id=conversation_id, channel=channel,
                      answers=json.dumps(answers, ensure_ascii=False), programmes=json.dumps(programmes),
                      worker_name=worker_name, worker_phone=worker_phone, status="new", created_at=utcnow())
    if not added(session, row):  # the same submission, committed by a concurrent delivery
        return session.execute(select(AidReferral.id).where(AidReferral.submission_key == key)).scalar_one()
    orders.open_order(session, source=orders.Source("referral", row.id, conversation_id, channel, "psych",
                                                    REFERRAL_TOPIC), terms=terms)
    log.info("aid referral %s opened (%s, phone %s)", row.id, ",".join(programmes), mask_phone(worker_phone))
    return row.id


def list_referrals(session: Session, *, staff: StaffMember, conversation_id: str | None = None) -> list[ReferralView]:
    """Referrals for the staff who handle aid, newest first (only one conversation's, if given)."""
    require_role(staff, *READ_ROLES)
    query = select(AidReferral).order_by(AidReferral.id.desc())
    if conversation_id is not None:
        query = query.where(AidReferral.conversation_id == conversation_id)
    return [ReferralView(r.id, r.conversation_id, r.channel, json.loads(r.answers), json.loads(r.programmes),
                         r.worker_name, r.worker_phone, r.status, r.created_at)
            for r in session.execute(query).scalars()]
