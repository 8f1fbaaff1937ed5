"""Capacity, the on-duty switch, offers in turn and escalation, on SQLite and PostgreSQL."""

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from bot.clock import utcnow
from bot.settings import ROOT
from bot.store import assignment, handoff, orders
from bot.store.database import session_scope
from bot.store.models import AuditEntry, HandoffOffer, OrderEvent, Staff, WorkOrder
from bot.store.roles import StaffMember
from tests.sample_terms import terms
from tests.test_handoff import ask, staff

RULES = assignment.Rules(capacity=3, offer_seconds=60, escalate_after_minutes=5, crisis_escalate_after_minutes=1)


def on_duty(url, *members):
    with session_scope(url) as session:
        for member in members:
            assignment.set_on_duty(session, staff=member, on_duty=True, rules=RULES)


def set_capacity(url, member, capacity):
    with session_scope(url) as session:
        boss = session.execute(select(Staff).where(Staff.username == "boss")).scalar_one_or_none()
    admin = StaffMember(boss.id, "boss", "boss", "admin") if boss else staff(url, "admin", "boss")
    with session_scope(url) as session:
        assignment.set_capacity(session, admin=admin, staff_id=member.id, capacity=capacity, rules=RULES)


def take(url, member, handoff_id):
    with session_scope(url) as session:
        return handoff.take(session, staff=member, handoff_id=handoff_id)


def offer(url, at):
    with session_scope(url) as session:
        return assignment.offer_next(session, rules=RULES, now=at)


def offered_to(url, reader, handoff_id):
    with session_scope(url) as session:
        return handoff.get(session, staff=reader, handoff_id=handoff_id).offered_to_name


def test_the_rules_file_fits_and_a_deployment_without_one_gets_the_defaults(tmp_path):
    shipped = assignment.read_rules(ROOT / "knowledge")
    assert (shipped.capacity, shipped.offer_seconds, shipped.escalate_after_minutes,
            shipped.crisis_escalate_after_minutes) == (3, 60, 5, 1)
    assert assignment.read_rules(tmp_path) == assignment.Rules()
    (tmp_path / "assignment.yml").write_text("capacity: 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="assignment.yml.*capacity"):
        assignment.read_rules(tmp_path)
    (tmp_path / "assignment.yml").write_text("offer_second: 30\n", encoding="utf-8")  # a typo is not a default
    with pytest.raises(ValueError, match="offer_second"):
        assignment.read_rules(tmp_path)


def test_a_full_staff_member_is_refused_but_a_crisis_is_always_taken(database):
    counselor = staff(database, "counselor")
    set_capacity(database, counselor, 2)
    first, second, third = (ask(database, f"w{i}").handoff_id for i in range(3))
    take(database, counselor, first)
    take(database, counselor, second)
    with pytest.raises(assignment.AtCapacity) as refused:
        take(database, counselor, third)
    assert refused.value.message == "您正在接待的会话已达上限（2个），请先结束一个再接入"
    crisis = ask(database, "w-crisis", skill="psych", reason="crisis").handoff_id
    assert take(database, counselor, crisis).staff_id == counselor.id  # nobody in danger waits for capacity
    with session_scope(database) as session:
        handoff.close(session, staff=counselor, handoff_id=first)
        assert assignment.duty_of(session, staff=counselor, rules=RULES).holding == 2
        with pytest.raises(assignment.AtCapacity):  # the crisis counts: two held of two
            handoff.take(session, staff=counselor, handoff_id=third)
    set_capacity(database, counselor, None)  # back to the default of knowledge/assignment.yml (3)
    assert take(database, counselor, third).staff_id == counselor.id


def test_staff_switch_duty_and_admins_see_everyone_s_load(database):
    counselor, legal = staff(database, "counselor", "xiaoli"), staff(database, "legal", "wang")
    admin = staff(database, "admin")
    with session_scope(database) as session:
        assert not assignment.duty_of(session, staff=counselor, rules=RULES).on_duty  # off until switched on
    on_duty(database, counselor)
    take(database, counselor, ask(database, "w1").handoff_id)
    set_capacity(database, legal, 5)
    with session_scope(database) as session:
        people = {p.display_name: p for p in assignment.roster(session, admin=admin, rules=RULES)}
        with pytest.raises(PermissionError):
            assignment.roster(session, admin=counselor, rules=RULES)
        with pytest.raises(ValueError):
            assignment.set_capacity(session, admin=admin, staff_id=legal.id, capacity=0, rules=RULES)
    assert (people["xiaoli"].on_duty, people["xiaoli"].holding, people["xiaoli"].capacity) == (True, 1, 3)
    assert (people["wang"].on_duty, people["wang"].capacity, people["wang"].own_capacity) == (False, 5, 5)
    with session_scope(database) as session:
        assert not assignment.set_on_duty(session, staff=counselor, on_duty=False, rules=RULES).on_duty
        logged = session.execute(select(AuditEntry.action).where(AuditEntry.staff_id == counselor.id)
                                 .order_by(AuditEntry.id)).scalars().all()
    assert logged == ["duty_on", "duty_off"]


def test_offers_go_in_turn_to_those_on_duty_with_room(database):
    a, b, full, away = (staff(database, "counselor", name) for name in ("a", "b", "full", "away"))
    lawyer = staff(database, "legal", "lawyer")
    on_duty(database, a, b, full, lawyer)
    for member in (a, b, full):
        set_capacity(database, member, 2)
    set_capacity(database, full, 1)
    take(database, full, ask(database, "held").handoff_id)
    waiting = [ask(database, f"w{i}", skill="psych").handoff_id for i in range(5)]
    start = utcnow()
    made = [offer(database, start + dt.timedelta(seconds=i)) for i in range(5)]
    assert [(o.handoff_id, o.staff_id) for o in made[:4]] == [(waiting[0], a.id), (waiting[1], b.id),
                                                               (waiting[2], a.id), (waiting[3], b.id)]
    assert made[4] is None  # a and b each have two offered: the fifth waits for room
    crisis = ask(database, "w-crisis", skill="psych", reason="crisis").handoff_id
    # Nobody has room, yet a crisis is offered all the same: to the one whose turn it is (never offered yet).
    assert offer(database, start + dt.timedelta(seconds=5)).staff_id == full.id
    with session_scope(database) as session:
        items = {i.id: i for i in handoff.queue(session, staff=a)}
        offered = set(session.execute(select(HandoffOffer.staff_id)).scalars())
    assert (items[crisis].offered_to, items[crisis].offered_to_name) == (full.id, "full")
    assert items[waiting[4]].offered_to is None
    assert away.id not in offered and lawyer.id not in offered  # off duty; psych is not a lawyer's skill


def test_an_offer_not_taken_in_time_moves_on_and_anyone_may_still_take_it(database):
    a, b, other = (staff(database, "counselor", name) for name in ("a", "b", "other"))
    on_duty(database, a, b)
    ticket = ask(database, "w1")
    start = utcnow()
    assert offer(database, start).staff_id == a.id
    assert offer(database, start + dt.timedelta(seconds=59)) is None  # still a's turn
    assert offer(database, start + dt.timedelta(seconds=61)).staff_id == b.id
    assert offered_to(database, other, ticket.handoff_id) == "b"
    assert offer(database, start + dt.timedelta(seconds=122)).staff_id == a.id
    with session_scope(database) as session:  # a goes off duty: their offer is handed on at once
        assignment.set_on_duty(session, staff=a, on_duty=False, rules=RULES)
    assert offer(database, start + dt.timedelta(seconds=123)).staff_id == b.id
    taken = take(database, other, ticket.handoff_id)  # a hint, not a lock
    assert (taken.staff_id, taken.offered_to) == (other.id, None)
    with session_scope(database) as session:
        offers = session.execute(select(HandoffOffer.staff_id).order_by(HandoffOffer.id)).scalars().all()
    assert offers == [a.id, b.id, a.id, b.id]  # kept for statistics


def test_concurrent_passes_never_offer_one_conversation_twice(database):
    team = [staff(database, "counselor", f"c{i}") for i in range(4)]
    on_duty(database, *team)
    waiting = [ask(database, f"w{i}").handoff_id for i in range(10)]
    now, start = utcnow(), threading.Barrier(4)
    made: list[assignment.Offer] = []
    failures: list[BaseException] = []

    def pass_() -> None:
        try:
            start.wait()
            while (one := offer(database, now)) is not None:
                made.append(one)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=pass_) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert sorted(o.handoff_id for o in made) == waiting  # each offered, and once
    with session_scope(database) as session:
        assert sorted(session.execute(select(HandoffOffer.handoff_id)).scalars()) == waiting
    per_person = Counter(o.staff_id for o in made)
    assert max(per_person.values()) <= RULES.capacity and len(per_person) == 4


def test_a_wait_too_long_is_escalated_once_crisis_sooner_with_audit_and_timeline(database):
    usual, crisis = ask(database, "w-usual").handoff_id, ask(database, "w-crisis", skill="psych",
                                                                  reason="crisis").handoff_id
    with session_scope(database) as session:
        handoff.request(session, conversation_id="w-night", channel="rest", skill="general", reason="callback",
                        minutes_per_conversation=8, terms=terms(),
                        callback_phone="13812345678")
    admin = staff(database, "admin")
    start = utcnow()

    def escalate(after):
        with session_scope(database) as session:
            return [e.handoff_id for e in assignment.escalate_overdue(session, rules=RULES, now=start + after)]

    assert escalate(dt.timedelta(seconds=30)) == []
    assert escalate(dt.timedelta(seconds=61)) == [crisis]
    assert escalate(dt.timedelta(minutes=3)) == []
    assert escalate(dt.timedelta(minutes=5, seconds=1)) == [usual]  # the callback waits for its work order
    assert escalate(dt.timedelta(minutes=30)) == []  # once
    with session_scope(database) as session:
        items = {i.id: i for i in handoff.queue(session, staff=admin)}
        assert items[usual].escalated and items[crisis].escalated
        audit = session.execute(select(AuditEntry.target, AuditEntry.detail)
                                .where(AuditEntry.action == "handoff_escalated").order_by(AuditEntry.id)).all()
        steps = session.execute(select(WorkOrder.source_id, OrderEvent.detail).join(OrderEvent.order)
                                .where(OrderEvent.kind == "escalated").order_by(OrderEvent.id)).all()
    assert audit == [("w-crisis", "1分钟无人接入"), ("w-usual", "5分钟无人接入")]
    assert steps == [(crisis, "等待超过1分钟"), (usual, "等待超过5分钟")]
    assert orders.EVENTS["escalated"]
    taken = take(database, admin, usual)
    assert not taken.escalated
    with session_scope(database) as session:  # back in line for another team: a new wait
        moved = handoff.transfer(session, staff=admin, handoff_id=usual, skill="legal")
    assert not moved.escalated


def test_the_web_server_does_not_start_on_rules_that_do_not_fit(tmp_path):
    from bot.settings import load_settings
    from bot.web.app import create_app
    from tests.conftest import write_knowledge_copy

    knowledge = write_knowledge_copy(tmp_path)
    (knowledge / "assignment.yml").write_text("capacity: lots\n", encoding="utf-8")
    with pytest.raises(ValueError, match="capacity"):
        create_app(load_settings().copy(update={"knowledge_dir": knowledge}), name="bad_rules")


def test_concurrent_passes_escalate_each_conversation_once(database):
    waiting = [ask(database, f"w{i}").handoff_id for i in range(6)]
    later, start = utcnow() + dt.timedelta(minutes=10), threading.Barrier(3)
    escalated: list[int] = []

    def pass_() -> None:
        start.wait()
        with session_scope(database) as session:
            escalated.extend(e.handoff_id for e in assignment.escalate_overdue(session, rules=RULES, now=later))

    threads = [threading.Thread(target=pass_) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(escalated) == waiting
    with session_scope(database) as session:
        assert session.query(AuditEntry).filter_by(action="handoff_escalated").count() == len(waiting)


def test_a_conversation_handed_to_a_named_colleague_is_not_offered_to_anyone_else(database):
    first, colleague, other = (staff(database, "counselor", name) for name in ("first", "colleague", "other"))
    on_duty(database, other)
    handoff_id = ask(database, "handed", skill="psych").handoff_id
    take(database, first, handoff_id)
    with session_scope(database) as session:
        handoff.hand_to(session, staff=first, handoff_id=handoff_id, colleague_id=colleague.id)
    assert offer(database, utcnow()) is None  # it waits for the colleague, not for a turn
    assert offered_to(database, colleague, handoff_id) is None
