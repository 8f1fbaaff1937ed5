"""Working days as China's official calendar has them: public holidays off, make-up days (调休) on.

The State Council publishes each year's schedule late in the year before; `chinese_calendar` carries
the published years. A year it does not carry yet can be entered in knowledge/local (`calendar:
off / work`) as soon as the schedule is out; until then the fixed-date holidays of the 全国年节及
纪念日放假办法 are skipped and every promised date says it moves if a holiday falls in between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

# Holidays on fixed solar dates (元旦, 劳动节, 国庆节): known whatever the year's schedule says.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


@dataclass(frozen=True)
class Promise:
    """A date promised to a worker, and whether every day up to it was in a published schedule."""

    day: dt.date
    certain: bool

    def text(self) -> str:
        """"12月9日", or "1月5日（如遇节假日顺延）" when the schedule was not published yet."""
        words = f"{self.day.month}月{self.day.day}日"
        return words if self.certain else f"{words}（如遇节假日顺延）"


@dataclass(frozen=True)
class Calendar:
    """The official calendar plus the deployment's own entries (which win)."""

    off: frozenset[dt.date] = frozenset()
    work: frozenset[dt.date] = frozenset()

    def published(self, day: dt.date) -> bool:
        """Whether the day's year is in the official data or entered locally."""
        return _official(day) is not None or any(d.year == day.year for d in self.off | self.work)

    def is_workday(self, day: dt.date) -> bool:
        """Local entries first, then the official schedule, then weekdays minus fixed holidays."""
        if day in self.off or day in self.work:
            return day in self.work
        official = _official(day)
        if official is not None:
            return official
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS

    def after(self, start: dt.date, workdays: int) -> Promise:
        """The day `workdays` working days after `start` (a case opened before 国庆 waits it out)."""
        day, certain = start, True
        while workdays > 0:
            day += dt.timedelta(days=1)
            certain = certain and self.published(day)
            workdays -= self.is_workday(day)
        return Promise(day, certain)


def _official(day: dt.date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year not published when the package was released
        return None
