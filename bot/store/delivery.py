"""Messages a channel could not deliver after its retries, kept so staff can follow up by phone or later."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.store.models import Undelivered


@dataclass(frozen=True)
class UndeliveredView:
    """One message the worker never got, as the console shows it."""

    text: str
    reason: str
    created_at: dt.datetime


def record(session: Session, *, conversation_id: str, channel: str, text: str, reason: str) -> None:
    """Keep the message and why it failed (reason without worker data: an error code or a name)."""
    session.add(Undelivered(conversation_id=conversation_id, channel=channel, text=text, reason=reason[:64],
                            created_at=utcnow()))


def of_conversation(session: Session, *, conversation_id: str) -> list[UndeliveredView]:
    """What did not reach this worker, oldest first."""
    rows = session.execute(select(Undelivered).where(Undelivered.conversation_id == conversation_id)
                           .order_by(Undelivered.id)).scalars()
    return [UndeliveredView(row.text, row.reason, row.created_at) for row in rows]
