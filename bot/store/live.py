"""The change log that open console and chat pages follow: written with each change, read past an id.

Any process may change the queue (the action server opens handoffs, every web process takes and
closes them), so a web process cannot learn of a change from its own memory. Each change writes a
row in the same unit of work, and each web process reads the rows after the last id it saw
(bot/web/live.py): one indexed read a few times a second, whatever the number of open pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.store.models import LiveChange

# Handoff changes: what a queue, a conversation page or a place in line must be shown again for
# (offers and escalations come from bot.store.assignment).
HANDOFF_KINDS = frozenset({"request", "take", "transfer", "close", "undo", "idle_close", "offer", "escalate"})
KEEP_FOR = dt.timedelta(hours=1)  # a page that missed more than this reloads a snapshot anyway
READ_AT_MOST = 500


@dataclass(frozen=True)
class Change:
    """One row of the log, as the pages' streams read it."""

    id: int
    kind: str
    handoff_id: int | None = None
    conversation_id: str | None = None
    skill: str | None = None
    staff_id: int | None = None


def note(session: Session, *, kind: str, handoff_id: int | None = None, conversation_id: str | None = None,
         skill: str | None = None, staff_id: int | None = None) -> None:
    """Log a change in the caller's unit of work: it is seen when, and only if, the change commits."""
    session.add(LiveChange(kind=kind, handoff_id=handoff_id, conversation_id=conversation_id, skill=skill,
                           staff_id=staff_id, at=utcnow()))


def latest(session: Session) -> int:
    """The newest id (0 for an empty log): where a process starts reading."""
    return session.execute(select(func.coalesce(func.max(LiveChange.id), 0))).scalar_one()


def since(session: Session, after: int) -> list[Change]:
    """The changes after id `after`, oldest first (a bounded batch; the next read takes the rest)."""
    rows = session.execute(select(LiveChange).where(LiveChange.id > after).order_by(LiveChange.id)
                           .limit(READ_AT_MOST)).scalars()
    return [Change(r.id, r.kind, r.handoff_id, r.conversation_id, r.skill, r.staff_id) for r in rows]


def prune(session: Session, *, keep_for: dt.timedelta = KEEP_FOR) -> int:
    """Forget changes older than `keep_for`; how many went."""
    return session.execute(delete(LiveChange).where(LiveChange.at < utcnow() - keep_for)).rowcount
