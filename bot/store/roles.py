"""Who may do what: the staff member as services see them, and the one check every service makes.

Services in bot/store enforce roles themselves (a console bug cannot hand a case to a counselor),
so the check lives beside them; accounts and sign-in (bot/staff) build on it.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("counselor", "legal", "admin")
# Which handoff skills each role answers, and so which work orders it sees (admins: all).
ROLE_SKILLS = {"counselor": ("psych", "general"), "legal": ("legal", "general"), "admin": ("legal", "psych", "general")}


class PermissionDenied(PermissionError):
    """A staff member asked for something their role does not allow."""


@dataclass(frozen=True)
class StaffMember:
    """The signed-in staff member, as services see them."""

    id: int
    username: str
    display_name: str
    role: str


def allowed(staff: StaffMember, *roles: str) -> bool:
    """Whether the member has one of the roles (admins have all): for pages that leave out what a role may not see."""
    return staff.role == "admin" or staff.role in roles


def require_role(staff: StaffMember, *roles: str) -> None:
    """Raise PermissionDenied unless the member has one of the roles (admins have all)."""
    if not allowed(staff, *roles):
        raise PermissionDenied(f"{staff.username} ({staff.role}) needs role {' or '.join(roles)}")
