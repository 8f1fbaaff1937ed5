"""The staff audit log: every console action, with who and when, never a worker's words."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.clock import utcnow
from bot.store.models import AuditEntry


def record(session: Session, *, staff_id: int | None, action: str, target: str = "", detail: str = "") -> None:
    """Add one line to the audit log (in the caller's unit of work, so it lands with the change)."""
    session.add(AuditEntry(staff_id=staff_id, action=action, target=target[:255], detail=detail[:255], at=utcnow()))


def _matching(query: Select, *, target: str | None, detail: str | None) -> Select:
    if target is not None:
        query = query.where(AuditEntry.target == target)
    if detail is not None:
        query = query.where(AuditEntry.detail == detail)
    return query


def count_since(session: Session, *, action: str, since: dt.datetime, target: str | None = None,
                detail: str | None = None) -> int:
    """How often an action happened lately (failed logins, for the rate limit)."""
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action, AuditEntry.at >= since)
    return session.execute(_matching(query, target=target, detail=detail)).scalar_one()


def last_at(session: Session, *, action: str, target: str | None = None,
            detail: str | None = None) -> dt.datetime | None:
    """When an action last happened (the last failed login, the last unlock)."""
    query = select(func.max(AuditEntry.at)).where(AuditEntry.action == action)
    return session.execute(_matching(query, target=target, detail=detail)).scalar_one()
