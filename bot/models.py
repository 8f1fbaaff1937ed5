"""Tables of the app database (the schema changes only through migrations/)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> dt.datetime:
    """Timestamps are stored in UTC and shown in local time."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


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
