"""Union classes: the catalogue in the database, search, sign-up without overselling, waiting lists.

Seats are guarded by the database itself: a sign-up takes a seat with one conditional UPDATE
(`taken = taken + 1 WHERE taken < seats`) and a CHECK constraint forbids `taken > seats`, so
however many requests arrive at once, SQLite and PostgreSQL never hand out more seats than exist.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.kb.local import Course
from bot.privacy import mask_phone
from bot.store.database import added
from bot.store.models import CourseSession, Signup
from bot.text import normalize

log = logging.getLogger(__name__)

WEEKDAYS = "一二三四五六日"
EVENING_FROM = 18
MAX_RESULTS = 6


@dataclass(frozen=True)
class SessionView:
    """A class meeting as a worker reads it."""

    id: str
    course_id: str
    course_name: str
    category: str
    cost: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    street: str
    seats: int
    taken: int

    @property
    def seats_left(self) -> int:
        """Free seats now."""
        return self.seats - self.taken

    def when(self) -> str:
        """12月8日（周二）19:00-20:30."""
        start, end = self.starts_at, self.ends_at
        return f"{start.month}月{start.day}日（周{WEEKDAYS[start.weekday()]}）{start:%H:%M}-{end:%H:%M}"


@dataclass(frozen=True)
class SignupResult:
    """Where the worker stands after signing up (a seat, or a place on the waiting list)."""

    signup_id: int
    status: str
    waiting_position: int
    session: SessionView
    duplicate: bool


@dataclass(frozen=True)
class Promotion:
    """A worker moved from the waiting list into a seat, to be told on their channel."""

    signup_id: int
    conversation_id: str
    channel: str
    session: SessionView


@dataclass(frozen=True)
class Query:
    """What a worker is looking for: words, a street, weekend or evening."""

    words: tuple[str, ...] = ()
    street: str | None = None
    weekend: bool = False
    evening: bool = False

    @property
    def specific(self) -> bool:
        """Whether the worker named a kind of class or a time (then they want the list, not the overview)."""
        return bool(self.words) or self.weekend or self.evening


def sync_catalogue(session: Session, *, courses: tuple[Course, ...]) -> int:
    """Load the sessions of knowledge/local into the database; seats already taken are kept."""
    count = 0
    for course in courses:
        for spec in course.sessions:
            row = session.get(CourseSession, spec.id) or CourseSession(id=spec.id, taken=0)
            row.course_id, row.course_name, row.category = course.id, course.name, course.category
            row.cost, row.place, row.street = course.cost, spec.place, spec.street
            row.starts_at, row.ends_at = spec.start, spec.end
            row.seats = max(spec.seats, row.taken)  # never below the seats already given
            session.add(row)
            count += 1
    session.flush()
    return count


def _words(course: Course) -> tuple[str, ...]:
    """What a worker may call a course: its keywords, its name, its kind (惠工课堂·健身 -> 健身)."""
    return (*course.keywords, course.name, course.category.split("·")[-1])


def parse_query(text: str, *, courses: tuple[Course, ...], street: str | None = None) -> Query:
    """The course words, weekend / evening wishes and street a worker's message contains."""
    text = normalize(text)
    words = {word for course in courses for word in _words(course) if word and word in text}
    return Query(tuple(sorted(words)), street, "周末" in text or "星期六" in text or "星期天" in text
                 or "周六" in text or "周日" in text, "晚上" in text or "下班后" in text)


def search(session: Session, *, query: Query, courses: tuple[Course, ...],
           now: dt.datetime) -> list[SessionView]:
    """Upcoming sessions matching the query, soonest first (all upcoming when nothing matches a word)."""
    wanted = {course.id for course in courses if any(w in _words(course) for w in query.words)}
    rows = session.execute(select(CourseSession).where(CourseSession.starts_at > now)
                           .order_by(CourseSession.starts_at)).scalars()
    found = []
    for row in rows:
        if (wanted and row.course_id not in wanted) or (query.street and row.street != query.street):
            continue
        if (query.weekend and row.starts_at.weekday() < 5) or (query.evening and row.starts_at.hour < EVENING_FROM):
            continue
        found.append(_view(row))
    return found[:MAX_RESULTS]


def get_session(session: Session, *, session_id: str) -> SessionView | None:
    """One class meeting, or None if the catalogue has no such id."""
    row = session.get(CourseSession, session_id)
    return _view(row) if row else None


def sign_up(session: Session, *, session_id: str, worker_name: str, phone: str, conversation_id: str,
            channel: str) -> SignupResult:
    """A seat if one is free, else a place on the waiting list; the same phone twice is one sign-up.

    The session row is written before anything is read, so concurrent sign-ups queue on its row
    lock (PostgreSQL) or on the write lock (SQLite, which would otherwise refuse a reader's late
    upgrade to writer); the seat is then taken by one conditional UPDATE.
    """
    _lock(session, session_id)
    seat = session.execute(
        update(CourseSession).where(CourseSession.id == session_id, CourseSession.taken < CourseSession.seats)
        .values(taken=CourseSession.taken + 1).execution_options(synchronize_session=False)).rowcount == 1
    now = utcnow()
    signup = Signup(session_id=session_id, worker_name=worker_name, phone=phone, conversation_id=conversation_id,
                    channel=channel, status="confirmed" if seat else "waiting", created_at=now, updated_at=now)
    if not added(session, signup):  # already signed up (or waiting) for this session: give the seat back
        if seat:
            session.execute(update(CourseSession).where(CourseSession.id == session_id)
                            .values(taken=CourseSession.taken - 1).execution_options(synchronize_session=False))
        existing = session.execute(select(Signup).where(Signup.session_id == session_id, Signup.phone == phone,
                                                        Signup.status != "cancelled")).scalar_one()
        return _result(session, existing, duplicate=True)
    log.info("signup %s for %s: %s (phone %s)", signup.id, session_id, signup.status, mask_phone(phone))
    return _result(session, signup, duplicate=False)


def signups_of(session: Session, *, conversation_id: str) -> list[SignupResult]:
    """The worker's active sign-ups made in this conversation, soonest class first."""
    rows = session.execute(select(Signup).join(CourseSession, CourseSession.id == Signup.session_id)
                           .where(Signup.conversation_id == conversation_id, Signup.status != "cancelled")
                           .order_by(CourseSession.starts_at)).scalars()
    return [_result(session, row, duplicate=False) for row in rows]


def cancel(session: Session, *, signup_id: int, conversation_id: str) -> Promotion | None:
    """Cancel the worker's own sign-up; a freed seat goes to the first on the waiting list."""
    row = session.execute(select(Signup).where(Signup.id == signup_id, Signup.conversation_id == conversation_id,
                                               Signup.status != "cancelled")).scalar_one_or_none()
    if row is None:
        raise LookupError(signup_id)
    session_id = row.session_id
    _lock(session, session_id)
    row = session.get(Signup, signup_id, populate_existing=True)
    if row.status == "cancelled":  # cancelled by a concurrent request in between
        return None
    freed = row.status == "confirmed"
    row.status, row.updated_at = "cancelled", utcnow()
    session.flush()
    if not freed:
        return None
    waiting = session.execute(select(Signup).where(Signup.session_id == session_id, Signup.status == "waiting")
                              .order_by(Signup.id).limit(1).with_for_update(skip_locked=True)).scalar_one_or_none()
    if waiting is None:
        session.execute(update(CourseSession).where(CourseSession.id == session_id)
                        .values(taken=CourseSession.taken - 1).execution_options(synchronize_session=False))
        return None
    waiting.status, waiting.updated_at = "confirmed", utcnow()
    session.flush()
    log.info("signup %s promoted from the waiting list of %s", waiting.id, session_id)
    return Promotion(waiting.id, waiting.conversation_id, waiting.channel,
                     _view(session.get(CourseSession, session_id, populate_existing=True)))


def counts(session: Session, *, session_id: str) -> dict[str, int]:
    """Sign-ups by status for one session (the concurrency test and staff read this)."""
    rows = session.execute(select(Signup.status, func.count()).where(Signup.session_id == session_id)
                           .group_by(Signup.status)).all()
    return {status: number for status, number in rows}


def _lock(session: Session, session_id: str) -> None:
    """A no-op write to the session row: the lock every seat change takes first."""
    session.execute(update(CourseSession).where(CourseSession.id == session_id).values(seats=CourseSession.seats)
                    .execution_options(synchronize_session=False))


def _result(session: Session, row: Signup, *, duplicate: bool) -> SignupResult:
    position = 0
    if row.status == "waiting":
        position = session.execute(select(func.count()).select_from(Signup).where(
            Signup.session_id == row.session_id, Signup.status == "waiting", Signup.id <= row.id)).scalar_one()
    course = session.get(CourseSession, row.session_id, populate_existing=True)
    return SignupResult(row.id, row.status, position, _view(course), duplicate)


def _view(row: CourseSession) -> SessionView:
    return SessionView(row.id, row.course_id, row.course_name, row.category, row.cost, row.starts_at, row.ends_at,
                       row.place, row.street, row.seats, row.taken)
