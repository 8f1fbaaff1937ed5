"""Console sign-in throttling: per name and address, a growing wait, an admin's unlock (both databases)."""

import datetime as dt

import pytest
from sqlalchemy import select

from bot.staff.accounts import create_staff
from bot.staff.sessions import login
from bot.staff.throttle import TooManyAttempts, unlock, wait_after
from bot.store.database import session_scope
from bot.store.models import AuditEntry
from tests.conftest import STAFF_PASSWORD as PASSWORD


def attempt(database: str, password: str, address: str = "198.51.100.7") -> str:
    try:
        with session_scope(database) as session:
            return "ok" if login(session, username="xiaoli", password=password, address=address) else "wrong"
    except TooManyAttempts:
        return "wait"


@pytest.fixture
def accounts(database: str) -> dict:
    with session_scope(database) as session:
        return {"counselor": create_staff(session, username="xiaoli", display_name="小李", role="counselor",
                                          password=PASSWORD),
                "admin": create_staff(session, username="boss", display_name="管理员", role="admin",
                                      password=PASSWORD)}


def test_the_wait_grows_with_each_failure_up_to_the_window():
    assert [wait_after(n).total_seconds() / 60 for n in range(3, 10)] == [0, 0, 1, 2, 4, 8, 15]


def test_guessing_from_one_address_does_not_lock_the_counselor_out_elsewhere(database, accounts):
    assert [attempt(database, f"guess {n}") for n in range(5)] == ["wrong"] * 5
    assert attempt(database, PASSWORD) == "wait"  # the guesser's address waits, even with the right password
    assert attempt(database, PASSWORD, address="203.0.113.9") == "ok"  # the counselor at her desk does not


def test_the_wait_ends_and_an_admin_can_end_it_at_once(database, accounts):
    for n in range(5):
        attempt(database, f"guess {n}")
    assert attempt(database, PASSWORD) == "wait"
    with session_scope(database) as session:  # two minutes pass (the fifth failure costs one)
        for entry in session.execute(select(AuditEntry)).scalars():
            entry.at -= dt.timedelta(minutes=2)
    assert attempt(database, PASSWORD) == "ok"
    for n in range(6):
        attempt(database, f"again {n}")
    assert attempt(database, PASSWORD) == "wait"
    with session_scope(database) as session:
        unlock(session, admin=accounts["admin"], username="xiaoli")
    assert attempt(database, PASSWORD) == "ok"


def test_only_an_admin_unlocks(database, accounts):
    from bot.store.roles import PermissionDenied

    with session_scope(database) as session, pytest.raises(PermissionDenied):
        unlock(session, admin=accounts["counselor"], username="xiaoli")


def test_a_wrong_name_costs_the_same_scrypt_work_as_a_wrong_password(database, accounts, monkeypatch):
    import hashlib

    from bot.staff import accounts as staff

    runs = []
    real = hashlib.scrypt
    monkeypatch.setattr(staff.hashlib, "scrypt", lambda *a, **k: runs.append(1) or real(*a, **k))
    with session_scope(database) as session:
        staff.authenticate(session, username="nobody-here", password="x")  # makes the reference hash, once
        runs.clear()
        staff.authenticate(session, username="nobody-here", password="x")
        unknown = len(runs)
        runs.clear()
        staff.authenticate(session, username="xiaoli", password="wrong password")
        known = len(runs)
    assert unknown == known == 1
