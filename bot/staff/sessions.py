"""Console sign-ins: server-side sessions that expire, a CSRF token each (logins pass the throttle first)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.staff import throttle
from bot.staff.accounts import authenticate
from bot.store import audit
from bot.store.models import Staff, StaffSession
from bot.store.roles import StaffMember

IDLE_LIMIT = dt.timedelta(minutes=30)
ABSOLUTE_LIMIT = dt.timedelta(hours=8)


@dataclass(frozen=True)
class SignedIn:
    """A live console session: who, and the token forms must send back."""

    token: str
    csrf_token: str
    staff: StaffMember


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(session: Session, *, username: str, password: str, address: str) -> SignedIn | None:
    """A new session for good credentials; None for bad ones; TooManyAttempts when rate-limited."""
    throttle.check(session, username=username, address=address)
    staff = authenticate(session, username=username, password=password)
    if staff is None:
        throttle.failed(session, username=username, address=address)
        return None
    token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), utcnow()
    session.add(StaffSession(token_hash=_hash(token), csrf_token=csrf, staff_id=staff.id, created_at=now,
                             last_seen=now))
    audit.record(session, staff_id=staff.id, action="login", detail=address)
    return SignedIn(token, csrf, staff)


def resolve(session: Session, *, token: str | None, touch: bool = True) -> SignedIn | None:
    """The session behind a cookie, if it has not expired (idle or absolute).

    `touch` restarts the idle clock: a person's action does, the queue's background polling must
    not, or a console left open on an unattended desk would never sign out.
    """
    if not token:
        return None
    row = session.execute(select(StaffSession).where(StaffSession.token_hash == _hash(token))).scalar_one_or_none()
    now = utcnow()
    if row is None:
        return None
    if now - row.last_seen > IDLE_LIMIT or now - row.created_at > ABSOLUTE_LIMIT:
        session.delete(row)
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    if touch:
        row.last_seen = now
    return SignedIn(token, row.csrf_token, StaffMember(staff.id, staff.username, staff.display_name, staff.role))


def logout(session: Session, *, token: str) -> None:
    """End a session now."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def csrf_ok(signed_in: SignedIn, sent: str | None) -> bool:
    """Constant-time check of the token a form or fetch sent back."""
    return bool(sent) and secrets.compare_digest(signed_in.csrf_token, sent)
