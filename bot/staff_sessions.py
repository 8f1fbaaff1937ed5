"""Console sign-ins: rate-limited logins, server-side sessions that expire, a CSRF token each."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import audit
from bot.models import Staff, StaffSession, utcnow
from bot.staff import StaffMember, authenticate, require_role

IDLE_LIMIT = dt.timedelta(minutes=30)
ABSOLUTE_LIMIT = dt.timedelta(hours=8)
FAILURE_WINDOW = dt.timedelta(minutes=15)
# Failures are counted per name *and* address: someone guessing elsewhere cannot lock a counselor
# out. From the fifth, each failure doubles the wait (1, 2, 4 … minutes, at most the window).
FREE_FAILURES = 4
MAX_FAILURES_PER_ADDRESS = 20
UNLOCKED = "login_unlocked"


class TooManyAttempts(RuntimeError):
    """Logins for this name or address are paused for a while."""


@dataclass(frozen=True)
class SignedIn:
    """A live console session: who, and the token forms must send back."""

    token: str
    csrf_token: str
    staff: StaffMember


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def wait_after(failures: int) -> dt.timedelta:
    """How long logins for a name from an address wait after this many recent failures."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    return min(dt.timedelta(minutes=2 ** (failures - FREE_FAILURES - 1)), FAILURE_WINDOW)


def login(session: Session, *, username: str, password: str, address: str) -> SignedIn | None:
    """A new session for good credentials; None for bad ones; TooManyAttempts when rate-limited."""
    now = utcnow()
    unlocked = audit.last_at(session, action=UNLOCKED, target=username)
    since = max(now - FAILURE_WINDOW, unlocked) if unlocked else now - FAILURE_WINDOW
    failures = audit.count_since(session, action="login_failed", since=since, target=username, detail=address)
    last_failure = audit.last_at(session, action="login_failed", target=username, detail=address)
    if (last_failure and failures and now < last_failure + wait_after(failures)) or \
            audit.count_since(session, action="login_failed", since=now - FAILURE_WINDOW, detail=address) \
            >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts(username)
    staff = authenticate(session, username=username, password=password)
    if staff is None:
        audit.record(session, staff_id=None, action="login_failed", target=username, detail=address)
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
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


def unlock(session: Session, *, admin: StaffMember, username: str) -> None:
    """An admin lets a locked-out name sign in again at once (failures before now stop counting)."""
    require_role(admin, "admin")
    audit.record(session, staff_id=admin.id, action=UNLOCKED, target=username)


def logout(session: Session, *, token: str) -> None:
    """End a session now."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def csrf_ok(signed_in: SignedIn, sent: str | None) -> bool:
    """Constant-time check of the token a form or fetch sent back."""
    return bool(sent) and secrets.compare_digest(signed_in.csrf_token, sent)
