"""Legal-aid case service on a temporary database, SQLite and PostgreSQL alike."""

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from bot.kb.local import Lawyer
from bot.staff.accounts import authenticate, create_staff
from bot.store import cases
from bot.store.database import StoreUnavailable, session_scope
from bot.store.roles import PermissionDenied, StaffMember
from tests.sample_terms import terms

LAWYER = Lawyer(name="王律师（示例）", phone="13900000101")


def draft(**changes) -> cases.CaseDraft:
    values = dict(dispute_type="wage", employer="鑫达电子厂", facts="干了三个月 老板跑了 一分钱没拿到",
                  amount="一万五", since="今年8月", street="xincheng", worker_name="王建国",
                  worker_phone="13812345678")
    return cases.CaseDraft(**{**values, **changes})


def open_one(url: str, conversation: str = "worker-1", **changes) -> cases.CaseReceipt:
    with session_scope(url) as session:
        return cases.open_case(session, draft=draft(**changes), conversation_id=conversation, channel="rest",
                               lawyer=LAWYER, topic="wage", terms=terms())


def staff(url: str, role: str) -> StaffMember:
    with session_scope(url) as session:
        return create_staff(session, username=f"{role}-1", display_name="测试", role=role, password="long enough 1")


def test_a_case_gets_a_readable_number_the_street_lawyer_and_a_history(database):
    receipt = open_one(database)
    assert receipt.number == f"FY-{receipt.opened_at.year}-000001"
    assert receipt.lawyer == LAWYER and receipt.status == "assigned" and not receipt.duplicate
    second = open_one(database, conversation="worker-2")
    assert second.number.endswith("-000002")
    with session_scope(database) as session:
        view = cases.get_case(session, staff=staff(database, "legal"), number=receipt.number)
    assert [step[0] for step in view.history] == ["received", "assigned"]
    assert view.worker_phone == "13812345678" and view.channel == "rest"


def test_the_same_submission_twice_is_one_case(database):
    first = open_one(database)
    again = open_one(database)
    assert again.number == first.number and again.duplicate
    changed = open_one(database, worker_phone="13812345679")  # a corrected answer is a new submission
    assert changed.number != first.number


def test_concurrent_deliveries_of_one_submission_make_one_case(database):
    with ThreadPoolExecutor(max_workers=8) as pool:
        receipts = list(pool.map(lambda _: open_one(database), range(8)))
    assert len({r.number for r in receipts}) == 1
    assert sum(not r.duplicate for r in receipts) == 1


def test_a_worker_finds_their_case_only_with_their_phone(database):
    receipt = open_one(database)
    with session_scope(database) as session:
        assert cases.find_for_worker(session, number=receipt.number.lower(), phone="13812345678").status == "assigned"
        with pytest.raises(cases.CaseNotFound):
            cases.find_for_worker(session, number=receipt.number, phone="13900000000")
        with pytest.raises(cases.CaseNotFound):
            cases.find_for_worker(session, number="FY-2026-999999", phone="13812345678")


def test_only_the_legal_role_reads_and_moves_cases(database):
    receipt = open_one(database)
    counselor, legal, admin = staff(database, "counselor"), staff(database, "legal"), staff(database, "admin")
    with session_scope(database) as session:
        with pytest.raises(PermissionDenied):
            cases.list_cases(session, staff=counselor)
        with pytest.raises(PermissionDenied):
            cases.change_status(session, staff=counselor, number=receipt.number, status="closed")
        assert [c.number for c in cases.list_cases(session, staff=admin)] == [receipt.number]
        changed = cases.change_status(session, staff=legal, number=receipt.number, status="in_progress",
                                      note="律师已电话联系")
    assert (changed.number, changed.status, changed.conversation_id, changed.channel) == (
        receipt.number, "in_progress", "worker-1", "rest")
    with session_scope(database) as session:
        assert cases.list_cases(session, staff=legal, status="assigned") == []
        [view] = cases.list_cases(session, staff=legal, status="in_progress", dispute_type="wage", street="xincheng")
    assert view.history[-1][:2] == ("in_progress", "律师已电话联系")


def test_staff_passwords_are_hashed_and_checked(database):
    staff(database, "legal")
    with session_scope(database) as session:
        assert authenticate(session, username="legal-1", password="long enough 1").role == "legal"
        assert authenticate(session, username="legal-1", password="wrong password") is None
        assert authenticate(session, username="nobody", password="long enough 1") is None
        stored = session.execute(text("select password_hash from staff")).scalar()
    assert "long enough" not in stored and stored.startswith("scrypt$")


def test_names_and_phones_stay_out_of_the_log(database, caplog):
    with caplog.at_level(logging.INFO, logger="bot.store.cases"):
        receipt = open_one(database)
    assert receipt.number in caplog.text
    assert "13812345678" not in caplog.text and "王建国" not in caplog.text
    assert "138****5678" in caplog.text


def test_an_unreachable_database_is_reported_as_unavailable(postgres_server):
    closed_port = postgres_server.url.rsplit(":", 1)[0] + ":9/zgfw"  # nothing listens on port 9
    with pytest.raises(StoreUnavailable):
        open_one(closed_port)
