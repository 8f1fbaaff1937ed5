"""A seeded history with known statistics, dated relative to today (local time), never on fixed dates.

Two days ago: three web conversations (socketio); yesterday: two WeChat conversations, the first at
00:30 local time, which is still the day before in UTC; today: one REST question; 40 days ago: one
question and one handoff outside every range the tests read but the 'all' one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.clock import LOCAL_TIME, today
from bot.store.models import Asked, Handoff, Staff, WorkOrder


def at(days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local time `days_ago` days before today, as the database stores it (UTC, no zone)."""
    local = dt.datetime.combine(today() - dt.timedelta(days=days_ago), dt.time(hour, minute), LOCAL_TIME)
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


# conversation, channel, days ago, local hour, minute, outcome, topic
QUESTIONS = [
    ("c-web-1", "socketio", 2, 9, 0, "answer", "wage.arrears"),
    ("c-web-1", "socketio", 2, 9, 5, "answer", "wage.overtime_pay"),
    ("c-web-2", "socketio", 2, 14, 0, "clarify", "contract.resign"),
    ("c-web-3", "socketio", 2, 20, 0, "decline", None),
    ("c-wx-1", "wechat", 1, 0, 30, "answer", "injury.recognition"),
    ("c-wx-2", "wechat", 1, 23, 30, "refer", None),
    ("c-today", "rest", 0, 0, 1, "answer", "wage.arrears"),
    ("c-old", "socketio", 40, 10, 0, "answer", "time.annual_leave"),
]
# conversation, channel, days ago, local hour, minute, skill, reason, minutes waited, minutes handled (None: open)
HANDOFFS = [
    ("c-web-1", "socketio", 2, 9, 10, "legal", "asked", 1, 5),
    ("c-web-2", "socketio", 2, 14, 5, "legal", "asked", 2, 10),
    ("c-web-3", "socketio", 2, 20, 5, "general", "fallback", 3, 15),
    ("c-wx-1", "wechat", 1, 0, 40, "psych", "crisis", 4, 20),
    ("c-wx-2", "wechat", 1, 23, 35, "legal", "asked", 10, None),  # still being handled
    ("c-web-1", "socketio", 2, 21, 0, "psych", "crisis", None, None),  # still waiting
    ("c-old", "socketio", 40, 10, 5, "legal", "asked", 100, 100),
]


# kind, tier, opened (days ago, local hour), deadline (days from today), closed (days ago, local hour) or None,
# rating (given an hour after closing), owner
ORDERS = [
    ("case", "difficult", (2, 10), -1, (1, 15), "satisfied", "王律师"),  # closed by its deadline
    ("case", "difficult", (2, 11), -2, (1, 9), "dissatisfied", "王律师"),  # closed a day late
    ("handoff", "general", (1, 8), 2, (1, 8), "very_satisfied", "小李"),
    ("callback", "general", (1, 22), 1, None, None, None),  # open, not due yet
    ("referral", "difficult", (40, 10), -30, None, None, None),  # open and overdue, opened long ago
]


def seed(session: Session) -> None:
    """Write the history into a migrated app database."""
    for conversation, channel, days_ago, hour, minute, outcome, topic in QUESTIONS:
        session.add(Asked(conversation_id=conversation, channel=channel, at=at(days_ago, hour, minute),
                          outcome=outcome, topic=topic, topic_group=topic.split(".")[0] if topic else None,
                          confidence=0.9 if topic else None, entry_id=None, text="（测试问题）"))
    for conversation, channel, days_ago, hour, minute, skill, reason, waited, handled in HANDOFFS:
        created = at(days_ago, hour, minute)
        taken = created + dt.timedelta(minutes=waited) if waited is not None else None
        closed = taken + dt.timedelta(minutes=handled) if handled is not None else None
        status = "closed" if closed else "active" if taken else "waiting"
        session.add(Handoff(conversation_id=conversation, channel=channel, skill=skill, reason=reason, priority=0,
                            status=status, created_at=created, taken_at=taken, closed_at=closed))
    owners = {name: Staff(username=name, display_name=name, role="legal", password_hash="-")
              for name in ("王律师", "小李")}
    session.add_all(owners.values())
    session.flush()
    for number, (kind, tier, opened, due_in, closed, rating, owner) in enumerate(ORDERS):
        closed_at = at(*closed) if closed else None
        session.add(WorkOrder(number=f"GD-TEST-{number}", kind=kind, source_id=number, conversation_id=f"o-{number}",
                              channel="socketio", team="legal", tier=tier, status="closed" if closed else "open",
                              owner_id=owners[owner].id if owner else None, opened_at=at(*opened),
                              due_on=today() + dt.timedelta(days=due_in), closed_at=closed_at, rating=rating,
                              rated_at=closed_at + dt.timedelta(hours=1) if rating else None))
    session.flush()
