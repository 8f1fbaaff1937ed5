"""Promised call-back dates follow China's official calendar, and say so when next year's is not out yet."""

import datetime as dt

from bot.kb.local import CalendarDays, _calendar_problems
from bot.kb.schema import parse
from bot.store import cases
from bot.workdays import Calendar


def test_a_case_opened_before_national_day_is_called_after_it():
    evening_before = dt.datetime(2026, 9, 30, 10, 0)  # 18:00 on 30 September in Beijing
    promise = cases.contact_by(evening_before, 1, Calendar())
    assert promise.day == dt.date(2026, 10, 8) and promise.text() == "10月8日"


def test_a_make_up_saturday_is_a_working_day_and_a_plain_weekend_is_not():
    calendar = Calendar()
    assert calendar.is_workday(dt.date(2026, 10, 10))  # Saturday worked in exchange for the holiday
    assert not calendar.is_workday(dt.date(2026, 12, 12))
    friday_evening = dt.datetime(2026, 12, 4, 10, 0)
    assert cases.contact_by(friday_evening, 2, calendar).day == dt.date(2026, 12, 8)


def test_an_unpublished_year_skips_fixed_holidays_and_says_the_date_may_move():
    promise = Calendar().after(dt.date(2026, 12, 31), 1)
    assert promise.day == dt.date(2027, 1, 4)  # 1 January is a holiday whatever the schedule; then a weekend
    assert promise.text() == "1月4日（如遇节假日顺延）"


def test_local_entries_win_and_make_the_year_known():
    calendar = CalendarDays(off=["2027-01-04"], work=["2027-01-09"])
    calendar = Calendar(frozenset(calendar.off), frozenset(calendar.work))
    assert not calendar.is_workday(dt.date(2027, 1, 4)) and calendar.is_workday(dt.date(2027, 1, 9))
    promise = calendar.after(dt.date(2026, 12, 31), 1)
    assert promise.day == dt.date(2027, 1, 5) and promise.certain


def test_kb_check_wants_this_years_schedule_and_real_dates(kb):
    assert _calendar_problems(kb.local, today=dt.date(2026, 12, 6)) == []
    assert "2031 holiday schedule is missing" in _calendar_problems(kb.local, today=dt.date(2031, 3, 1))[0]
    problems: list[str] = []
    assert parse(CalendarDays, {"off": ["2031-02-30"]}, "local/deployment.yml", problems) is None
    assert problems == ["local/deployment.yml: off #1: 日期应写成 2026-12-01 / invalid date format"]
