"""The login throttle, in one place: failed sign-ins slow down guessing, an admin can lift the wait.

Failures are kept in the audit log (bot.store.audit), so every web-server process counts the same.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.store import audit
from bot.store.roles import StaffMember, require_role

FAILURE_WINDOW = dt.timedelta(minutes=15)
# Failures are counted per name *and* address: someone guessing elsewhere cannot lock a counselor
# out. From the fifth, each failure doubles the wait (1, 2, 4 … minutes, at most the window).
FREE_FAILURES = 4
MAX_FAILURES_PER_ADDRESS = 20
UNLOCKED = "login_unlocked"


class TooManyAttempts(RuntimeError):
    """Logins for this name or address are paused for a while."""


def wait_after(failures: int) -> dt.timedelta:
    """How long logins for a name from an address wait after this many recent failures."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    return min(dt.timedelta(minutes=2 ** (failures - FREE_FAILURES - 1)), FAILURE_WINDOW)


def check(session: Session, *, username: str, address: str) -> None:
    """Raise TooManyAttempts while logins for this name from this address (or from the address) must wait."""
    now = utcnow()
    unlocked = audit.last_at(session, action=UNLOCKED, target=username)
    since = max(now - FAILURE_WINDOW, unlocked) if unlocked else now - FAILURE_WINDOW
    failures = audit.count_since(session, action="login_failed", since=since, target=username, detail=address)
    last_failure = audit.last_at(session, action="login_failed", target=username, detail=address)
    if (last_failure and failures and now < last_failure + wait_after(failures)) or \
            audit.count_since(session, action="login_failed", since=now - FAILURE_WINDOW, detail=address) \
            >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts(username)


def failed(session: Session, *, username: str, address: str) -> None:
    """Count a failed sign-in (in the caller's unit of work)."""
    audit.record(session, staff_id=None, action="login_failed", target=username, detail=address)


def unlock(session: Session, *, admin: StaffMember, username: str) -> None:
    """An admin lets a locked-out name sign in again at once (failures before now stop counting)."""
    require_role(admin, "admin")
    audit.record(session, staff_id=admin.id, action=UNLOCKED, target=username)
