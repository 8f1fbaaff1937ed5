"""The statistics queries against a seeded history with known answers, on SQLite and on PostgreSQL."""

import datetime as dt

import pytest

from bot.store import statistics
from bot.store.database import session_scope
from bot.store.statistics import (
    Count,
    DayChannel,
    HandoffCount,
    HandoffTime,
    OrderFigures,
    OutcomeCount,
    Period,
    RatingCount,
)
from tests import stats_history
from tests.stats_history import at, today


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


@pytest.fixture
def history(database: str) -> str:
    with session_scope(database) as session:
        stats_history.seed(session)
    return database


def read(url: str, query, first: int, last: int):  # noqa: ANN001, ANN201
    with session_scope(url) as session:
        return query(session, period=Period(days_ago(first), days_ago(last)))


def test_a_period_is_local_days_converted_once_to_utc_bounds():
    period = Period(days_ago(2), days_ago(1))
    assert period.start == at(2, 0, 0) and period.end == at(0, 0, 0)
    assert period.start.hour == 16 and period.offset == dt.timedelta(hours=8)  # Beijing midnight is 16:00 UTC


def test_conversations_are_counted_once_per_local_day_and_channel(history):
    assert read(history, statistics.conversations_per_day, 2, 1) == [
        DayChannel(days_ago(2).isoformat(), "socketio", 3), DayChannel(days_ago(1).isoformat(), "wechat", 2)]
    # 00:30 in Beijing yesterday is the day before in UTC: it still counts on yesterday, and only there
    assert read(history, statistics.conversations_per_day, 2, 2) == [
        DayChannel(days_ago(2).isoformat(), "socketio", 3)]
    assert read(history, statistics.conversations_per_day, 0, 0) == [DayChannel(today().isoformat(), "rest", 1)]


def test_questions_by_topic_group_and_topic(history):
    assert read(history, statistics.questions_by_group, 2, 1) == [
        Count("wage", 2), Count(None, 2), Count("contract", 1), Count("injury", 1)]
    assert read(history, statistics.questions_by_topic, 2, 1) == [
        Count("contract.resign", 1), Count("injury.recognition", 1), Count("wage.arrears", 1),
        Count("wage.overtime_pay", 1)]
    assert read(history, statistics.questions_by_topic, 45, 0)[0] == Count("wage.arrears", 2)


def test_outcomes_with_their_shares(history):
    assert read(history, statistics.outcomes, 2, 1) == [
        OutcomeCount("answer", 3, 0.5), OutcomeCount("clarify", 1, 0.1667), OutcomeCount("decline", 1, 0.1667),
        OutcomeCount("refer", 1, 0.1667)]
    assert read(history, statistics.outcomes, 1, 1) == [OutcomeCount("answer", 1, 0.5), OutcomeCount("refer", 1, 0.5)]


def test_handoffs_by_skill_and_reason(history):
    assert read(history, statistics.handoffs_by_skill, 2, 1) == [
        HandoffCount("general", "fallback", 1), HandoffCount("legal", "asked", 3), HandoffCount("psych", "crisis", 2)]


def test_handoff_wait_and_duration_percentiles(history):
    # waits 1, 2, 3, 4, 10 minutes (one still waiting); durations 5, 10, 15, 20 (one still being handled)
    assert read(history, statistics.handoff_times, 2, 1) == [
        HandoffTime("wait", 5, 3.0, 10.0), HandoffTime("duration", 4, 10.0, 20.0)]
    assert read(history, statistics.handoff_times, 1, 1) == [
        HandoffTime("wait", 2, 4.0, 10.0), HandoffTime("duration", 1, 20.0, 20.0)]
    assert read(history, statistics.handoff_times, 45, 0) == [
        HandoffTime("wait", 6, 3.0, 100.0), HandoffTime("duration", 5, 15.0, 100.0)]


def test_an_empty_period_has_no_rows_and_no_percentiles(history):
    assert read(history, statistics.conversations_per_day, 100, 90) == []
    assert read(history, statistics.outcomes, 100, 90) == []
    assert read(history, statistics.handoff_times, 100, 90) == [
        HandoffTime("wait", 0, None, None), HandoffTime("duration", 0, None, None)]


def test_work_orders_opened_closed_in_time_and_overdue_now(history):
    with session_scope(history) as session:
        figures = statistics.work_orders(session, period=Period(days_ago(2), days_ago(1)), today=today())
    assert figures == [
        OrderFigures("callback", "general", 1, 0, 0, 0), OrderFigures("case", "difficult", 2, 2, 1, 0),
        OrderFigures("handoff", "general", 1, 1, 1, 0), OrderFigures("referral", "difficult", 0, 0, 0, 1)]


def test_ratings_by_service_and_by_staff_member(history):
    assert read(history, statistics.ratings_by_service, 2, 0) == [
        RatingCount("case", "dissatisfied", 1), RatingCount("case", "satisfied", 1),
        RatingCount("handoff", "very_satisfied", 1)]
    assert read(history, statistics.ratings_by_staff, 2, 0) == [
        RatingCount("小李", "very_satisfied", 1), RatingCount("王律师", "dissatisfied", 1),
        RatingCount("王律师", "satisfied", 1)]
    assert read(history, statistics.ratings_by_service, 100, 90) == []
