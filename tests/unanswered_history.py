"""A seeded question log with known misses, dated relative to today (local time), never on fixed dates.

Each conversation shows one selection rule (tests/test_unanswered.py names what it expects of each).
The 外卖骑手 questions are three retypes of one missing topic; one row was stored before masking
covered names, phones and ID numbers, to show the page masks again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.store.models import Asked, Handoff
from tests.stats_history import at

PAYLOAD = '/ask_knowledge{"topic": "contract.resign", "entry": "contract-resign-notice"}'
RAW_PERSONAL = "我叫张三，电话13812345678，身份证110101199003071234，公积金断缴了怎么办"

# conversation, days ago, local hour, minute, outcome, topic, confidence, text
QUESTIONS = [
    ("c-decline", 2, 10, 0, "decline", None, 0.1, "外卖骑手算不算员工"),
    ("c-unknown", 2, 11, 0, "unknown", "contract.written", 0.15, "送外卖的骑手算不算员工"),
    ("c-low", 1, 9, 0, "answer", "contract.written", 0.3, "外卖骑手算不算公司员工啊"),
    ("c-good", 1, 9, 30, "answer", "wage.arrears", 0.9, "老板拖欠工资三个月怎么办"),
    ("c-follow", 1, 10, 0, "answer", "wage.arrears", 0.9, "工资拖了两个月"),
    ("c-follow", 1, 10, 1, "answer", "wage.arrears", 0.2, "那要多久"),  # a follow-up answered from context
    ("c-picked", 1, 11, 0, "clarify", "contract.resign", 0.4, "我想走人"),
    ("c-picked", 1, 11, 1, "answer", "contract.resign", None, PAYLOAD),  # a button tap
    ("c-typed", 1, 11, 10, "clarify", "time.overtime_limits", 0.4, "加班的事"),
    # typed, on the offered topic
    ("c-typed", 1, 11, 12, "answer", "time.overtime_limits", 0.8, "我问的是加班费怎么算"),
    ("c-left", 1, 12, 0, "clarify", "injury.recognition", 0.4, "干活时候腰扭了"),  # nothing after it
    ("c-other", 1, 12, 10, "clarify", "insurance.pension", 0.4, "社保的问题"),
    ("c-other", 1, 12, 11, "answer", "union.membership", 0.9, "怎么加入工会"),  # moved on to something else
    ("c-late", 1, 13, 0, "clarify", "contract.resign", 0.4, "辞职的事情"),
    ("c-late", 1, 13, 40, "answer", "contract.resign", None, PAYLOAD),  # tapped 40 minutes later
    ("c-refer", 1, 14, 0, "refer", None, 0.5, "离婚了孩子归谁"),  # followed by a handoff, still not a gap
    ("c-handoff", 1, 15, 0, "answer", "insurance.pension", 0.9, RAW_PERSONAL),
    ("c-handoff-late", 1, 16, 0, "answer", "wage.overtime_pay", 0.9, "加班费按多少算"),
    ("c-crisis", 1, 17, 0, "answer", "wage.arrears", 0.9, "工资一直不发"),
    ("c-between", 0, 0, 10, "answer", "wage.arrears", 0.9, "欠薪找谁"),
    ("c-between", 0, 0, 12, "answer", "dispute.arbitration", 0.9, "仲裁要多久"),  # the last before the handoff
    ("c-old", 40, 10, 0, "decline", None, 0.1, "外卖骑手受伤了平台管不管"),
]
# conversation, days ago, local hour, minute, reason
HANDOFFS = [
    ("c-unknown", 2, 11, 5, "asked"),
    ("c-refer", 1, 14, 2, "asked"),
    ("c-handoff", 1, 15, 3, "asked"),
    ("c-handoff-late", 1, 16, 30, "asked"),
    ("c-crisis", 1, 17, 1, "crisis"),
    ("c-between", 0, 0, 14, "fallback"),
]
# What each selected conversation's question is selected for (tests/test_unanswered.py).
EXPECTED = {
    "外卖骑手算不算员工": ("not_answered",),
    "送外卖的骑手算不算员工": ("not_answered", "handoff"),
    "外卖骑手算不算公司员工啊": ("low_confidence",),
    "干活时候腰扭了": ("not_picked",),
    "社保的问题": ("not_picked",),
    "辞职的事情": ("not_picked",),
    "我叫**，电话138****5678，身份证110101********1234，公积金断缴了怎么办": ("handoff",),
    "仲裁要多久": ("handoff",),
}


def seed(session: Session) -> dict[str, int]:
    """Write the log into a migrated app database; returns each text's row id (the first, if repeated)."""
    ids: dict[str, int] = {}
    for conversation, days_ago, hour, minute, outcome, topic, confidence, text in QUESTIONS:
        row = Asked(conversation_id=conversation, channel="socketio", at=at(days_ago, hour, minute), outcome=outcome,
                    topic=topic, topic_group=topic.split(".")[0] if topic else None, confidence=confidence,
                    entry_id=None, text=text)
        session.add(row)
        session.flush()
        ids.setdefault(text, row.id)
    for conversation, days_ago, hour, minute, reason in HANDOFFS:
        created = at(days_ago, hour, minute)
        session.add(Handoff(conversation_id=conversation, channel="socketio", skill="legal", reason=reason,
                            priority=0, status="closed", created_at=created, taken_at=created,
                            closed_at=created + dt.timedelta(minutes=5)))
    session.flush()
    return ids
