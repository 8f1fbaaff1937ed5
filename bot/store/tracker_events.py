"""Rasa's tracker store, read only: what was said since an event id, and each worker's last message.

Worker messages during a handoff reach Rasa, not the app database; Rasa's SQL tracker store keeps
them in its `events` table (an autoincrement id and the conversation as sender_id), so the web
server follows that table the way it follows the change log (bot/store/live.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Float, Integer, String, Text, column, func, select, table
from sqlalchemy.orm import Session

EVENTS = table("events", column("id", Integer), column("sender_id", String), column("type_name", String),
               column("timestamp", Float), column("data", Text))
SAID = ("user", "bot")  # the events a transcript shows
READ_AT_MOST = 500


@dataclass(frozen=True)
class Said:
    """A message in some conversation, by its event id (its text is not read here)."""

    id: int
    conversation_id: str


def latest(session: Session) -> int:
    """The newest event id (0 for an empty store)."""
    return session.execute(select(func.coalesce(func.max(EVENTS.c.id), 0))).scalar_one()


def said_since(session: Session, after: int) -> tuple[int, list[Said]]:
    """Messages after event id `after`, and the id to read past next time (other events are skipped)."""
    rows = session.execute(select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.type_name).where(EVENTS.c.id > after)
                           .order_by(EVENTS.c.id).limit(READ_AT_MOST)).all()
    newest = rows[-1].id if rows else after
    return newest, [Said(row.id, row.sender_id) for row in rows if row.type_name in SAID]


def last_worker_messages(session: Session, conversation_ids: Collection[str]) -> dict[str, tuple[str, float]]:
    """Each conversation's last message from the worker: its text and when (epoch seconds)."""
    if not conversation_ids:
        return {}
    newest = (select(func.max(EVENTS.c.id)).where(EVENTS.c.sender_id.in_(list(conversation_ids)),
                                                 EVENTS.c.type_name == "user")
              .group_by(EVENTS.c.sender_id))
    found = {}
    for sender_id, data, at in session.execute(select(EVENTS.c.sender_id, EVENTS.c.data, EVENTS.c.timestamp)
                                                .where(EVENTS.c.id.in_(newest))):
        text = (json.loads(data or "{}") or {}).get("text") or ""
        found[sender_id] = (text, at or 0.0)
    return found
