"""The question log: one row per worker question the knowledge action decided on.

It is what the statistics page counts (conversations, topics, outcomes). Only the assistant's
own decision is kept, with the worker's words masked and cut short; never a slot's name or phone.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.privacy import mask_text
from bot.store.models import Asked

TEXT_LIMIT = 200  # the column's width: enough to recognise a question, not to keep a worker's story


def topic_group(topic: str | None) -> str | None:
    """The group of a topic id, the part before the dot (wage.arrears -> wage)."""
    return topic.split(".", 1)[0] if topic else None


def record(session: Session, *, conversation_id: str, channel: str, outcome: str, topic: str | None,
           confidence: float | None, entry_id: str | None, text: str) -> None:
    """Log one decision (in the caller's unit of work), masking the text before it is stored."""
    session.add(Asked(conversation_id=conversation_id, channel=channel, at=utcnow(), outcome=outcome, topic=topic,
                      topic_group=topic_group(topic), confidence=confidence, entry_id=entry_id,
                      text=mask_text(text)[:TEXT_LIMIT]))
