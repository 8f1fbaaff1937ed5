"""Courses on SQLite and PostgreSQL: catalogue, search, sign-up under load, waiting list, cancelling."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.store import courses
from bot.store.database import session_scope
from bot.store.models import CourseSession

NOW = dt.datetime(2026, 12, 1, 12, 0)


@pytest.fixture
def catalogue(database, kb) -> str:
    with session_scope(database) as session:
        loaded = courses.sync_catalogue(session, courses=kb.local.courses)
    assert loaded == sum(len(c.sessions) for c in kb.local.courses)
    return database


def sign(url: str, session_id: str, phone: str, conversation: str = "w") -> courses.SignupResult:
    with session_scope(url) as session:
        return courses.sign_up(session, session_id=session_id, worker_name="王建国", phone=phone,
                               conversation_id=conversation, channel="socketio")


def test_search_by_words_weekend_evening_and_street(catalogue, kb):
    def find(text: str, street: str | None = None) -> list[str]:
        with session_scope(catalogue) as session:
            query = courses.parse_query(text, courses=kb.local.courses, street=street)
            return [s.id for s in courses.search(session, query=query, courses=kb.local.courses, now=NOW)]

    assert find("离我近的瑜伽课", street="donghu") == ["yoga-3"]
    assert set(find("想学瑜伽")) == {"yoga-1", "yoga-2", "yoga-3"}
    weekend = find("周末有什么课")
    with session_scope(catalogue) as session:
        assert weekend and all(courses.get_session(session, session_id=s).starts_at.weekday() >= 5 for s in weekend)
    assert all(s.startswith("yoga") for s in find("晚上的瑜伽")) and "yoga-2" not in find("晚上的瑜伽")


@pytest.mark.parametrize("requests, seats", [(40, 5)])
def test_concurrent_sign_ups_never_oversell(catalogue, requests, seats):
    with session_scope(catalogue) as session:
        session.execute(update(CourseSession).where(CourseSession.id == "yoga-2").values(seats=seats, taken=0))
    start = threading.Barrier(requests)

    def one(n: int) -> courses.SignupResult:
        start.wait()
        return sign(catalogue, "yoga-2", f"138{n:08d}", conversation=f"w{n}")

    with ThreadPoolExecutor(max_workers=requests) as pool:
        results = list(pool.map(one, range(requests)))
    confirmed = [r for r in results if r.status == "confirmed"]
    waiting = sorted(r.waiting_position for r in results if r.status == "waiting")
    print(f"\n{catalogue.split(':')[0]}: {requests} requests for {seats} seats -> "
          f"{len(confirmed)} confirmed, {len(waiting)} waiting-listed")
    assert len(confirmed) == seats and waiting == list(range(1, requests - seats + 1))
    with session_scope(catalogue) as session:
        assert courses.get_session(session, session_id="yoga-2").taken == seats
        assert courses.counts(session, session_id="yoga-2") == {"confirmed": seats, "waiting": requests - seats}


def test_the_database_refuses_more_seats_than_exist(catalogue):
    with pytest.raises(IntegrityError), session_scope(catalogue) as session:
        session.execute(update(CourseSession).where(CourseSession.id == "yoga-1").values(taken=3))  # 2 seats


def test_same_phone_twice_is_one_sign_up(catalogue):
    first = sign(catalogue, "yoga-1", "13812345678")
    again = sign(catalogue, "yoga-1", "13812345678")
    assert again.duplicate and again.signup_id == first.signup_id
    with session_scope(catalogue) as session:
        assert courses.get_session(session, session_id="yoga-1").taken == 1


def test_cancelling_a_seat_promotes_the_first_on_the_waiting_list(catalogue):
    mine = sign(catalogue, "yoga-1", "13800000001", conversation="a")
    sign(catalogue, "yoga-1", "13800000002", conversation="b")
    waiting = sign(catalogue, "yoga-1", "13800000003", conversation="c")
    later = sign(catalogue, "yoga-1", "13800000004", conversation="d")
    assert (waiting.status, waiting.waiting_position, later.waiting_position) == ("waiting", 1, 2)
    with session_scope(catalogue) as session:
        with pytest.raises(LookupError):
            courses.cancel(session, signup_id=mine.signup_id, conversation_id="someone else")
        promoted = courses.cancel(session, signup_id=mine.signup_id, conversation_id="a")
    assert (promoted.signup_id, promoted.conversation_id, promoted.channel) == (waiting.signup_id, "c", "socketio")
    with session_scope(catalogue) as session:
        [now_mine] = courses.signups_of(session, conversation_id="c")
        [still_waiting] = courses.signups_of(session, conversation_id="d")
        assert courses.get_session(session, session_id="yoga-1").taken == 2
    assert now_mine.status == "confirmed" and still_waiting.waiting_position == 1


def test_cancelling_with_nobody_waiting_frees_the_seat(catalogue):
    mine = sign(catalogue, "yoga-2", "13800000001", conversation="a")
    with session_scope(catalogue) as session:
        assert courses.cancel(session, signup_id=mine.signup_id, conversation_id="a") is None
        assert courses.get_session(session, session_id="yoga-2").taken == 0
        assert courses.signups_of(session, conversation_id="a") == []


def test_resyncing_the_catalogue_keeps_taken_seats(catalogue, kb):
    sign(catalogue, "yoga-1", "13800000001")
    with session_scope(catalogue) as session:
        courses.sync_catalogue(session, courses=kb.local.courses)
        assert courses.get_session(session, session_id="yoga-1").taken == 1
