"""Rasa's tracker store, read only: what was said, what one conversation was told, the last messages.

What was said since an event id feeds live pages; what the bot told one conversation since a moment
is sent again to a chat page that lost its connection; each worker's last message fills the queue.

Worker messages during a handoff reach Rasa, not the app database; Rasa's SQL tracker store keeps
them in its `events` table (an autoincrement id and the conversation as sender_id), so the web
server follows that table the way it follows the change log (bot/store/live.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Float, Integer, String, Text, column, func, select, table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.store.database import StoreUnavailable, in_store

log = logging.getLogger(__name__)

EVENTS = table("events", column("id", Integer), column("sender_id", String), column("type_name", String),
               column("timestamp", Float), column("data", Text))
SAID = ("user", "bot")  # the events a transcript shows
READ_AT_MOST = 500
T = TypeVar("T")


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


def bot_said_after(session: Session, conversation_id: str, after: float) -> list[dict[str, Any]]:
    """The bot's (and staff's) messages to one conversation stamped later than `after`, oldest first.

    As Rasa stored them: what a page that lost its connection may have missed. At most the newest
    READ_AT_MOST, so a page that asks from long ago still gets the latest.
    """
    rows = session.execute(select(EVENTS.c.data).where(EVENTS.c.sender_id == conversation_id,
                                                       EVENTS.c.type_name == "bot", EVENTS.c.timestamp > after)
                           .order_by(EVENTS.c.id.desc()).limit(READ_AT_MOST)).scalars().all()
    return [json.loads(data) for data in reversed(rows) if data]


async def read(url: str, work: Callable[[Session], T], default: T) -> T:
    """A read-only unit of work on Rasa's tracker store, or `default` while it cannot be read.

    Rasa makes the store and its tables on its first start, and the web server may run before it
    or without it (tests of the console alone): the queue then shows no last messages.
    """
    try:
        return await in_store(work, url, read_only=True)
    except (StoreUnavailable, DBAPIError) as error:
        log.debug("tracker store not readable: %s", type(error).__name__)
        return default
