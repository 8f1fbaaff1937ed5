"""The date range a console page reads from its query string.

Shared by the statistics page and the page of unanswered questions, so both read `from` and `to`
the same way and explain bad dates in the same words.
"""

from __future__ import annotations

import datetime as dt

from sanic.request import Request

from bot import clock
from bot.store.period import Period

DEFAULT_DAYS = 30
MAX_DAYS = 366


def default_period() -> Period:
    """The last 30 days, today included."""
    today = clock.today()
    return Period(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)


def period_from(request: Request) -> Period:
    """The range in the query string (`from`, `to`; one of them alone is one day), else the default.

    Raises:
        ValueError: with the reason in Chinese, when the dates cannot be used.
    """
    sent_from, sent_to = request.args.get("from"), request.args.get("to")
    if not sent_from and not sent_to:
        return default_period()
    try:
        first = dt.date.fromisoformat(sent_from or sent_to)
        last = dt.date.fromisoformat(sent_to or sent_from)
    except ValueError:
        raise ValueError("日期格式不对（应为 2026-01-31 这样）") from None
    if first > last:
        raise ValueError("开始日期晚于结束日期")
    if (last - first).days >= MAX_DAYS:
        raise ValueError("日期范围最长一年")
    return Period(first, last)


def range_text(period: Period) -> str:
    """The range as the audit log records it (2026-01-01..2026-01-31)."""
    return f"{period.first.isoformat()}..{period.last.isoformat()}"

