"""Staff accounts: creating them, password hashes, and checking a sign-in's credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Staff
from bot.store.roles import ROLES, StaffMember

# scrypt parameters (RFC 7914 interactive use); stored with each hash so they can be raised later.
_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD_CHARS = 10


def hash_password(password: str) -> str:
    """Hash with scrypt and a random salt, in one self-describing string."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison against a stored hash."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def create_staff(session: Session, *, username: str, display_name: str, role: str, password: str) -> StaffMember:
    """Add a staff account; refuses unknown roles and short passwords."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    row = Staff(username=username, display_name=display_name, role=role, password_hash=hash_password(password))
    session.add(row)
    session.flush()
    return _member(row)


@cache
def _unknown_name_hash() -> str:
    """A hash to check unknown names against, made once, so a wrong name costs what a wrong password does."""
    return hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, *, username: str, password: str) -> StaffMember | None:
    """The active staff member with these credentials, or None."""
    row = session.execute(select(Staff).where(Staff.username == username, Staff.active == 1)).scalar_one_or_none()
    if row is None:
        verify_password(password, _unknown_name_hash())  # one scrypt run, as for a known name
        return None
    return _member(row) if verify_password(password, row.password_hash) else None


def active_staff(session: Session) -> list[StaffMember]:
    """Everyone who can sign in now, by name (an admin names one of them as an order's owner)."""
    rows = session.execute(select(Staff).where(Staff.active == 1).order_by(Staff.display_name)).scalars()
    return [_member(row) for row in rows]


def _member(row: Staff) -> StaffMember:
    return StaffMember(row.id, row.username, row.display_name, row.role)
