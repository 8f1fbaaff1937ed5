"""What a worker did in one conversation, as one staff member may see it: cases, sign-ups, referrals, orders.

Each part keeps its own role rule (cases for the legal team, referrals for those who handle aid,
orders by team), so a counselor reading a conversation never sees a legal-aid case's details.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.store import aid, cases, courses, orders
from bot.store.roles import StaffMember, allowed


@dataclass(frozen=True)
class Activity:
    """The requests one conversation made; a list the staff member's role may not read stays empty."""

    cases: list[cases.CaseView] = field(default_factory=list)
    signups: list[courses.SignupResult] = field(default_factory=list)
    referrals: list[aid.ReferralView] = field(default_factory=list)
    orders: list[orders.OrderRow] = field(default_factory=list)


def of_conversation(session: Session, *, staff: StaffMember, conversation_id: str) -> Activity:
    """Everything the worker asked for in this conversation that this staff member may read."""
    return Activity(
        cases=cases.of_conversation(session, staff=staff, conversation_id=conversation_id)
        if allowed(staff, *cases.READ_ROLES) else [],
        signups=courses.signups_of(session, conversation_id=conversation_id),
        referrals=aid.list_referrals(session, staff=staff, conversation_id=conversation_id)
        if allowed(staff, *aid.READ_ROLES) else [],
        orders=orders.of_conversation(session, staff=staff, conversation_id=conversation_id))
