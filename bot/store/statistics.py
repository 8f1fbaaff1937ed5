"""Figures for the union's statistics page, each one SQL aggregate over a range of local dates.

The range's bounds are converted to UTC once (bot.store.period); days are bucketed in SQL by
shifting UTC by the zone's offset at the start of the range, which is exact for the union's zone.
The same queries run on SQLite and PostgreSQL; where their functions differ (a date's text, seconds
between two timestamps) one small helper picks by dialect.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import String, case, cast, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.store.models import Asked, Handoff, Staff, WorkOrder
from bot.store.period import Period, seconds_between, within

PERCENTILES = (0.5, 0.9)


@dataclass(frozen=True)
class DayChannel:
    """Conversations of one local day on one channel."""

    day: str  # YYYY-MM-DD, local
    channel: str
    conversations: int


@dataclass(frozen=True)
class Count:
    """How many questions (or handoffs) had one value: a topic group, a topic."""

    key: str | None
    count: int


@dataclass(frozen=True)
class OutcomeCount:
    """How often the assistant decided one way, and that outcome's share of all questions."""

    outcome: str
    questions: int
    share: float


@dataclass(frozen=True)
class HandoffCount:
    """Handoffs of one skill asked for one reason."""

    skill: str
    reason: str
    handoffs: int


@dataclass(frozen=True)
class HandoffTime:
    """A handoff time (the wait until taken, or the person's part until closed) over the handoffs it applies to."""

    measure: str  # wait | duration
    handoffs: int
    p50_minutes: float | None
    p90_minutes: float | None


def conversations_per_day(session: Session, *, period: Period) -> list[DayChannel]:
    """Distinct conversations per local day and channel that asked a question or asked for a person.

    A conversation that goes on past midnight counts on both days.
    """
    dialect = session.get_bind().dialect.name
    seen = union_all(
        select(_local_day(Asked.at, period, dialect).label("day"), Asked.channel.label("channel"),
               Asked.conversation_id.label("conversation_id")).where(*within(Asked.at, period)),
        select(_local_day(Handoff.created_at, period, dialect), Handoff.channel, Handoff.conversation_id)
        .where(*within(Handoff.created_at, period)),
    ).subquery()
    query = (select(seen.c.day, seen.c.channel, func.count(distinct(seen.c.conversation_id)))
             .group_by(seen.c.day, seen.c.channel).order_by(seen.c.day, seen.c.channel))
    return [DayChannel(day, channel, count) for day, channel, count in session.execute(query)]


def questions_by_group(session: Session, *, period: Period) -> list[Count]:
    """Questions per topic group, most asked first (None: no topic, e.g. declined or referred)."""
    return _counted(session, Asked.topic_group, period)


def questions_by_topic(session: Session, *, period: Period, limit: int = 15) -> list[Count]:
    """The most asked topics."""
    return _counted(session, Asked.topic, period, limit=limit, known_only=True)


def outcomes(session: Session, *, period: Period) -> list[OutcomeCount]:
    """How often the assistant answered, asked which topic was meant, declined, referred, or was unsure."""
    count = func.count()
    share = count * literal(1.0) / func.sum(count).over()
    query = (select(Asked.outcome, count, share).where(*within(Asked.at, period))
             .group_by(Asked.outcome).order_by(count.desc(), Asked.outcome))
    return [OutcomeCount(outcome, questions, round(float(part), 4))
            for outcome, questions, part in session.execute(query)]


def handoffs_by_skill(session: Session, *, period: Period) -> list[HandoffCount]:
    """Handoffs asked for in the period, per skill and reason."""
    count = func.count()
    query = (select(Handoff.skill, Handoff.reason, count).where(*within(Handoff.created_at, period))
             .group_by(Handoff.skill, Handoff.reason).order_by(Handoff.skill, count.desc(), Handoff.reason))
    return [HandoffCount(skill, reason, handoffs) for skill, reason, handoffs in session.execute(query)]


def handoff_times(session: Session, *, period: Period) -> list[HandoffTime]:
    """p50 and p90 of the wait until a person took the conversation, and of the time until they closed it.

    Over the handoffs asked for in the period. After a transfer the wait runs to the last take.
    """
    dialect = session.get_bind().dialect.name
    created = within(Handoff.created_at, period)
    wait = seconds_between(Handoff.created_at, Handoff.taken_at, dialect)
    duration = seconds_between(Handoff.taken_at, Handoff.closed_at, dialect)
    return [_percentiles(session, "wait", wait, [*created, Handoff.taken_at.is_not(None)]),
            _percentiles(session, "duration", duration,
                         [*created, Handoff.taken_at.is_not(None), Handoff.closed_at.is_not(None)])]


@dataclass(frozen=True)
class OrderFigures:
    """Work orders of one type and tier: opened and closed in the period, closed in time, overdue now."""

    kind: str
    tier: str
    opened: int
    closed: int
    closed_on_time: int
    overdue_now: int


@dataclass(frozen=True)
class RatingCount:
    """How often one service (or one staff member's) orders got one rating in the period."""

    key: str
    rating: str
    ratings: int


def work_orders(session: Session, *, period: Period, today: dt.date) -> list[OrderFigures]:
    """Per type and tier: orders opened and closed in the period, and how many are overdue today.

    "Closed in time" means by the end of the deadline's last local day; "overdue now" counts every
    open order past its deadline today, whenever it was opened.
    """
    dialect = session.get_bind().dialect.name
    opened = (WorkOrder.opened_at >= period.start) & (WorkOrder.opened_at < period.end)
    closed = WorkOrder.closed_at.is_not(None) & (WorkOrder.closed_at >= period.start) & \
        (WorkOrder.closed_at < period.end)
    in_time = closed & (_local_day(WorkOrder.closed_at, period, dialect) <= cast(WorkOrder.due_on, String))
    overdue = (WorkOrder.status == "open") & (WorkOrder.due_on < today)
    query = (select(WorkOrder.kind, WorkOrder.tier, *(_how_many(c) for c in (opened, closed, in_time, overdue)))
             .where(opened | closed | overdue).group_by(WorkOrder.kind, WorkOrder.tier)
             .order_by(WorkOrder.kind, WorkOrder.tier))
    return [OrderFigures(*row) for row in session.execute(query)]


def ratings_by_service(session: Session, *, period: Period) -> list[RatingCount]:
    """Ratings given in the period, per kind of order and rating."""
    return _ratings(session, WorkOrder.kind, period)


def ratings_by_staff(session: Session, *, period: Period) -> list[RatingCount]:
    """Ratings given in the period, per staff member who owned the order (orders nobody owned left out)."""
    return _ratings(session, Staff.display_name, period, join=True)


def _ratings(session: Session, key: ColumnElement, period: Period, *, join: bool = False) -> list[RatingCount]:
    count = func.count()
    query = select(key, WorkOrder.rating, count).where(*within(WorkOrder.rated_at, period),
                                                        WorkOrder.rating.is_not(None))
    if join:
        query = query.join(Staff, Staff.id == WorkOrder.owner_id)
    query = query.group_by(key, WorkOrder.rating).order_by(key, WorkOrder.rating)
    return [RatingCount(*row) for row in session.execute(query)]


def _how_many(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _local_day(column: ColumnElement, period: Period, dialect: str) -> ColumnElement:
    """The local date of a UTC timestamp as YYYY-MM-DD text."""
    minutes = int(period.offset.total_seconds() // 60)
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d", column, f"{minutes:+d} minutes")
    return func.to_char(column + period.offset, "YYYY-MM-DD")


def _counted(session: Session, column: ColumnElement, period: Period, *, limit: int | None = None,
             known_only: bool = False) -> list[Count]:
    count = func.count()
    query = select(column, count).where(*within(Asked.at, period)).group_by(column)
    if known_only:
        query = query.where(column.is_not(None))
    query = query.order_by(count.desc(), column.asc().nulls_last()).limit(limit)
    return [Count(key, questions) for key, questions in session.execute(query)]


def _percentiles(session: Session, measure: str, seconds: ColumnElement, where: list[ColumnElement]) -> HandoffTime:
    """Nearest-rank percentiles: count the rows, then read the one at each rank in order.

    SQLite has no percentile function; an ordered OFFSET works in both databases.
    """
    total = session.execute(select(func.count()).select_from(Handoff).where(*where)).scalar_one()
    values: list[float | None] = []
    for share in PERCENTILES:
        if total == 0:
            values.append(None)
            continue
        rank = math.ceil(share * total) - 1
        value = session.execute(select(seconds).where(*where).order_by(seconds).offset(rank).limit(1)).scalar_one()
        values.append(round(float(value) / 60, 2))
    return HandoffTime(measure, total, *values)
