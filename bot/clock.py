"""Time in one place: timestamps are stored in UTC and shown in the union's time zone (Beijing)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def utcnow() -> dt.datetime:
    """Now, as the database stores it: UTC without a zone."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def today() -> dt.date:
    """The union's local date now (deadlines and statistics count local days)."""
    return dt.datetime.now(LOCAL_TIME).date()


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored UTC timestamp in the union's time zone."""
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TIME)
