"""Tables of the app database (the schema changes only through migrations/)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

from bot.clock import utcnow

Base = declarative_base()
CRISIS_PRIORITY = 10  # a crisis handoff's priority: ahead of every other, offered and escalated first
# A handoff's place in line comes from why it was asked for: a crisis, then a worker who showed distress and
# asked for a person, then everyone else (0).
PRIORITY_OF = {"crisis": CRISIS_PRIORITY, "distress": 5}


class Staff(Base):
    """A union staff member who signs in to the console; the role decides what they may read."""

    __tablename__ = "staff"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    role = Column(String(16), nullable=False)
    password_hash = Column(String(255), nullable=False)
    active = Column(Integer, nullable=False, default=1)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # The on-duty switch: waiting conversations are offered in turn only to staff on duty (0010).
    on_duty = Column(Integer, nullable=False, default=0, server_default=text("0"))
    capacity = Column(Integer, nullable=True)  # conversations held at once; None: the deployment's default
    last_offered_at = Column(DateTime, nullable=True)  # whose turn is next: the one offered longest ago


class LegalCase(Base):
    """A legal-aid request a worker opened in conversation."""

    __tablename__ = "legal_cases"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), unique=True)
    # Hash of the conversation and the submitted fields: the same submission twice is one case.
    submission_key = Column(String(64), nullable=False, unique=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    dispute_type = Column(String(16), nullable=False)
    employer = Column(String(200), nullable=False)
    facts = Column(Text, nullable=False)
    amount = Column(String(64), nullable=False)
    since = Column(String(64), nullable=False)
    street = Column(String(32), nullable=False)
    worker_name = Column(String(64), nullable=False)
    worker_phone = Column(String(11), nullable=False, index=True)
    lawyer_name = Column(String(64), nullable=False)
    lawyer_phone = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    history = relationship("CaseStatusChange", order_by="CaseStatusChange.id", back_populates="case")


class CaseStatusChange(Base):
    """One step of a case's history: who moved it to which status, when, and why."""

    __tablename__ = "case_status_changes"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("legal_cases.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(16), nullable=False)
    note = Column(Text, nullable=False, default="")
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    at = Column(DateTime, nullable=False, default=utcnow)

    case = relationship("LegalCase", back_populates="history")


class Handoff(Base):
    """A conversation waiting for, or handled by, a person (or a callback asked for out of hours)."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # At most one open handoff per conversation, whatever arrives at once.
        Index("one_open_handoff", "conversation_id", unique=True,
              sqlite_where=text("status != 'closed'"), postgresql_where=text("status != 'closed'")),
        # The queue: waiting and active handoffs of one skill (migration 0002).
        Index("handoffs_open_by_skill", "status", "skill"),
        # Whether a conversation asked for a person soon after a question (migration 0008).
        Index("handoffs_by_conversation", "conversation_id", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(32), nullable=False)
    skill = Column(String(16), nullable=False)
    reason = Column(String(16), nullable=False)
    priority = Column(Integer, nullable=False, default=0)
    status = Column(String(16), nullable=False)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    callback_phone = Column(String(11), nullable=True)
    callback_note = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)  # statistics by date (0006)
    taken_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)
    last_staff_at = Column(DateTime, nullable=True)  # taken or last replied: an abandoned conversation is closed
    # The colleague whose turn it is to take it (a hint, not a lock) and since when (0010).
    offered_to = Column(Integer, ForeignKey("staff.id"), nullable=True)
    offered_at = Column(DateTime, nullable=True)
    escalated_at = Column(DateTime, nullable=True)  # nobody took it in time: shown to admins

    offered_staff = relationship("Staff", foreign_keys=[offered_to])


class HandoffOffer(Base):
    """One offer of a waiting conversation to a staff member, kept for statistics (offers per take, per person)."""

    __tablename__ = "handoff_offers"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    staff_id = Column(Integer, ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)


class StaffSession(Base):
    """A console sign-in: the cookie holds a random token, the table only its hash."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    csrf_token = Column(String(64), nullable=False)
    staff_id = Column(Integer, ForeignKey("staff.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen = Column(DateTime, nullable=False, default=utcnow)


class AuditEntry(Base):
    """Who did what to which conversation, case or account, and when (never a worker's words)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    action = Column(String(32), nullable=False, index=True)
    target = Column(String(255), nullable=False, default="")
    detail = Column(String(255), nullable=False, default="")
    at = Column(DateTime, nullable=False, default=utcnow, index=True)


class CourseSession(Base):
    """A class meeting from the catalogue in knowledge/local, with its seats and how many are taken."""

    __tablename__ = "course_sessions"
    __table_args__ = (CheckConstraint("taken >= 0 AND taken <= seats", name="seats_never_oversold"),)

    id = Column(String(64), primary_key=True)
    course_id = Column(String(64), nullable=False, index=True)
    course_name = Column(String(100), nullable=False)
    category = Column(String(64), nullable=False)
    cost = Column(String(64), nullable=False)
    starts_at = Column(DateTime, nullable=False)
    ends_at = Column(DateTime, nullable=False)
    place = Column(String(64), nullable=False)
    street = Column(String(32), nullable=False)
    seats = Column(Integer, nullable=False)
    taken = Column(Integer, nullable=False, default=0)


class Signup(Base):
    """A worker's place in a class, or on its waiting list."""

    __tablename__ = "signups"
    __table_args__ = (
        Index("one_signup_per_phone", "session_id", "phone", unique=True,
              sqlite_where=text("status != 'cancelled'"), postgresql_where=text("status != 'cancelled'")),
    )

    id = Column(Integer, primary_key=True)
    session_id = Column(String(64), ForeignKey("course_sessions.id"), nullable=False, index=True)
    worker_name = Column(String(64), nullable=False)
    phone = Column(String(11), nullable=False)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)  # confirmed | waiting | cancelled
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class AidReferral(Base):
    """A worker's hardship, screened against the programmes, passed to staff with consent."""

    __tablename__ = "aid_referrals"

    id = Column(Integer, primary_key=True)
    submission_key = Column(String(64), nullable=False, unique=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    answers = Column(Text, nullable=False)  # JSON: criterion -> yes / no / unknown
    programmes = Column(Text, nullable=False)  # JSON list of programme ids
    worker_name = Column(String(64), nullable=False)
    worker_phone = Column(String(11), nullable=False)
    status = Column(String(16), nullable=False, default="new")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Undelivered(Base):
    """A message that could not reach a worker's channel after retries, for staff to follow up."""

    __tablename__ = "undelivered"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    text = Column(Text, nullable=False)
    reason = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class WeChatState(Base):
    """What every replica of the WeChat channel shares: seen MsgIds, the access token, menus sent."""

    __tablename__ = "wechat_state"

    key = Column(String(255), primary_key=True)
    value = Column(Text, nullable=False, default="")
    expires_at = Column(DateTime, nullable=True)


class Asked(Base):
    """A worker's question and what the assistant decided: the statistics page counts these.

    The text is masked and capped before it is stored; nothing from the worker's slots is kept.
    """

    __tablename__ = "asked"
    # A conversation's questions in order: what came next after a question (migration 0008).
    __table_args__ = (Index("asked_by_conversation", "conversation_id", "at"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(32), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    outcome = Column(String(16), nullable=False, index=True)  # answering.Decision.kind
    topic = Column(String(64), nullable=True)
    topic_group = Column(String(32), nullable=True, index=True)
    confidence = Column(Float, nullable=True)
    entry_id = Column(String(64), nullable=True)
    text = Column(String(200), nullable=False, default="")


class QuestionReview(Base):
    """An editor's verdict on a question the assistant could not answer: an entry covers it, or one is needed.

    One per question; marking a group writes one per question in it, with the group's key (the id
    of its earliest question) so the page shows the group as it was marked.
    """

    __tablename__ = "question_reviews"
    __table_args__ = (
        CheckConstraint("verdict IN ('covered', 'new_entry')", name="known_verdict"),
        CheckConstraint("(verdict = 'covered') = (entry_id IS NOT NULL)", name="covered_names_an_entry"),
    )

    id = Column(Integer, primary_key=True)
    asked_id = Column(Integer, ForeignKey("asked.id", ondelete="CASCADE"), nullable=False, unique=True)
    group_key = Column(Integer, ForeignKey("asked.id", ondelete="CASCADE"), nullable=False)
    verdict = Column(String(16), nullable=False)  # covered | new_entry
    entry_id = Column(String(64), nullable=True)  # the knowledge entry that covers it (checked when marked)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)


class WorkOrder(Base):
    """Every request a person must act on (a case, an aid referral, a callback, a handoff), with its deadline.

    The request keeps its own table and flow; the order is what the union measures: tier, owner,
    due date in working days, whether it closed in time, and how the worker rated the service.
    """

    __tablename__ = "work_orders"
    __table_args__ = (
        UniqueConstraint("kind", "source_id", name="one_order_per_request"),
        Index("orders_open_by_due", "status", "due_on"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(20), unique=True)
    kind = Column(String(16), nullable=False)  # case | referral | callback | handoff
    source_id = Column(Integer, nullable=False)  # the row of the request in its own table
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    topic = Column(String(64), nullable=True)
    team = Column(String(16), nullable=False)  # the handoff skill whose staff see it (legal, psych, general)
    tier = Column(String(16), nullable=False)
    owner_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    status = Column(String(16), nullable=False)  # open | closed
    opened_at = Column(DateTime, nullable=False, default=utcnow)
    due_on = Column(Date, nullable=False)  # the last local working day it may be closed on
    closed_at = Column(DateTime, nullable=True)
    rating_asked_at = Column(DateTime, nullable=True)
    rating = Column(String(16), nullable=True)
    rating_comment = Column(Text, nullable=True)
    rated_at = Column(DateTime, nullable=True)
    follow_up = Column(String(16), nullable=True)  # needed | done: a 不满意 rating goes back to an admin

    timeline = relationship("OrderEvent", order_by="OrderEvent.id", back_populates="order")


class OrderEvent(Base):
    """One step of an order's timeline: who did what, when (staff notes included; workers never see these)."""

    __tablename__ = "order_events"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("work_orders.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    detail = Column(Text, nullable=False, default="")
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    at = Column(DateTime, nullable=False, default=utcnow)

    order = relationship("WorkOrder", back_populates="timeline")


class LiveChange(Base):
    """A change staff and workers watch live: written with the change, read by every web process.

    The handoff queue changes in the action server and in any web process; each web process reads
    rows newer than the last it saw a few times a second (one indexed read for all its open pages)
    and tells its open pages. Typing signals go the same way. Old rows are pruned.
    """

    __tablename__ = "live_changes"

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)  # request, take, transfer, close, ..., staff_typing, signout
    handoff_id = Column(Integer, nullable=True)
    conversation_id = Column(String(255), nullable=True)
    skill = Column(String(16), nullable=True)  # whose staff see the change (a transfer writes both skills)
    staff_id = Column(Integer, nullable=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
