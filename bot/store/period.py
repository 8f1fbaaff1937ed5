"""A range of local dates as the app database reads it: UTC bounds computed once, never row by row.

The statistics page and the page of unanswered questions both filter by it. The database stores UTC;
the union's zone (Asia/Shanghai) has had no daylight saving since 1991, so one offset is exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.sql import ColumnElement

from bot.clock import LOCAL_TIME


@dataclass(frozen=True)
class Period:
    """Local dates from `first` to `last`, both included."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        """The first local midnight, in UTC as stored."""
        return _utc(self.first)

    @property
    def end(self) -> dt.datetime:
        """The local midnight after the last day, in UTC as stored (excluded)."""
        return _utc(self.last + dt.timedelta(days=1))

    @property
    def offset(self) -> dt.timedelta:
        """How far local time is ahead of UTC in this period."""
        return dt.datetime.combine(self.first, dt.time(), LOCAL_TIME).utcoffset()


def within(column: ColumnElement, period: Period) -> list[ColumnElement]:
    """The conditions that put a stored UTC timestamp inside the period."""
    return [column >= period.start, column < period.end]


def seconds_between(start: ColumnElement, end: ColumnElement, dialect: str) -> ColumnElement:
    """Seconds from one timestamp to another, in SQL (SQLite and PostgreSQL spell it differently)."""
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def _utc(day: dt.date) -> dt.datetime:
    local_midnight = dt.datetime.combine(day, dt.time(), LOCAL_TIME)
    return local_midnight.astimezone(dt.timezone.utc).replace(tzinfo=None)
