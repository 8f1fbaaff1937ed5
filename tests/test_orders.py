"""Work orders: tiers and deadlines from the deployment's rules, kept in step with their requests, rated once."""

import datetime as dt

import pytest
from sqlalchemy import update

from bot import clock
from bot.clock import LOCAL_TIME
from bot.kb.local import Tier, TierRule, WorkOrderSettings
from bot.staff.accounts import create_staff
from bot.store import aid, cases, handoff, orders
from bot.store.database import session_scope
from bot.store.models import WorkOrder
from bot.store.roles import PermissionDenied, StaffMember
from bot.workdays import Calendar
from tests.sample_terms import terms
from tests.test_cases import LAWYER, draft

RULES = WorkOrderSettings(
    tiers={"general": Tier(name="一般问题", workdays=3), "complex": Tier(name="特别复杂问题", workdays=15)},
    rules=(TierRule(type="case", topics=("injury",), tier="complex"),), default_tier="general")


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def staff(url: str, role: str, name: str = "") -> StaffMember:
    with session_scope(url) as session:
        return create_staff(session, username=name or role, display_name=name or f"{role}员", role=role,
                            password="long enough 1")


def open_case(url: str, conversation: str = "w1", **changes) -> str:
    with session_scope(url) as session:
        cases.open_case(session, draft=draft(**changes), conversation_id=conversation, channel="rest",
                        lawyer=LAWYER, topic="wage", terms=terms())
        return orders.list_orders(session, staff=staff_in(session, "admin"), kind="case")[-1].number


def staff_in(session, role: str) -> StaffMember:  # noqa: ANN001
    return StaffMember(0, role, role, role)


def ask_person(url: str, conversation: str, *, skill: str = "legal", reason: str = "asked") -> int:
    with session_scope(url) as session:
        return handoff.request(session, conversation_id=conversation, channel="wechat", skill=skill, reason=reason,
                               minutes_per_conversation=8, terms=terms(), topic="wage.arrears").handoff_id


def order_of(url: str, kind: str, conversation: str) -> orders.OrderView:
    with session_scope(url) as session:
        [row] = [r for r in orders.list_orders(session, staff=staff_in(session, "admin"), status=None, kind=kind)
                 if r.conversation_id == conversation]
        return orders.get_order(session, staff=staff_in(session, "admin"), number=row.number)


def test_rules_tier_a_request_by_type_and_topic_group():
    assert RULES.tier_for("case", "injury.recognition") == "complex"
    assert RULES.tier_for("case", "wage.arrears") == "general"
    assert RULES.tier_for("handoff", "injury.recognition") == "general"
    sample = terms().settings
    assert sample.tier_for("referral", "union.hardship_aid") == "difficult"
    assert sample.tier_for("case", "dispute.arbitration") == "complex"


def test_deadlines_count_working_days_and_skip_the_national_day_holiday():
    before_holiday = dt.datetime(2026, 9, 30, 2, 0)  # 10:00 local, the last working day before 国庆
    due = orders.Terms(RULES, Calendar()).due(before_holiday, "general")
    assert due == dt.date(2026, 10, 10)  # 1-7 Oct off; then 8, 9 and Saturday 10 Oct, a make-up working day
    assert orders.Terms(RULES, Calendar()).due(dt.datetime(2026, 11, 30, 2, 0), "general") == dt.date(2026, 12, 3)


def test_a_case_has_one_order_whatever_retries_and_it_closes_with_the_case(database):
    number = open_case(database)
    assert open_case(database) == number  # the same submission again
    view = order_of(database, "case", "w1")
    assert (view.tier, view.team, view.status, view.topic) == ("difficult", "legal", "open", "wage")
    assert view.due_on == terms().due(view.opened_at, "difficult")
    legal = staff(database, "legal")
    with session_scope(database) as session:
        case_number = cases.list_cases(session, staff=legal)[0].number
        cases.change_status(session, staff=legal, number=case_number, status="closed", note="已调解")
    closed = order_of(database, "case", "w1")
    assert closed.status == "closed" and closed.closed_in_time()
    assert [step.kind for step in closed.timeline] == ["opened", "closed"]
    assert closed.timeline[-1].staff == "legal员"
    with session_scope(database) as session:
        cases.change_status(session, staff=legal, number=case_number, status="in_progress", note="职工又来了")
    assert order_of(database, "case", "w1").status == "open"


def test_a_handoff_order_follows_take_transfer_close_and_undo(database):
    legal, admin = staff(database, "legal"), staff(database, "admin")
    handoff_id = ask_person(database, "w2")
    assert order_of(database, "handoff", "w2").owner is None
    with session_scope(database) as session:
        handoff.take(session, staff=legal, handoff_id=handoff_id)
    assert order_of(database, "handoff", "w2").owner == "legal员"
    with session_scope(database) as session:
        handoff.transfer(session, staff=legal, handoff_id=handoff_id, skill="psych")
    moved = order_of(database, "handoff", "w2")
    assert (moved.team, moved.owner, moved.status) == ("psych", None, "open")
    with session_scope(database) as session:
        before = handoff.snapshot(session, handoff_id=handoff_id)
        after = handoff.close(session, staff=admin, handoff_id=handoff_id)
    assert order_of(database, "handoff", "w2").status == "closed"
    with session_scope(database) as session:
        assert handoff.undo(session, before=before, after=after)  # the worker could not be told
    assert order_of(database, "handoff", "w2").status == "open"


def test_a_callback_left_out_of_hours_is_its_own_kind(database):
    ask_person(database, "w3", skill="general", reason="callback")
    assert order_of(database, "callback", "w3").kind == "callback"


def test_staff_see_their_teams_orders_overdue_first(database):
    open_case(database, "w1")
    ask_person(database, "w2", skill="psych", reason="crisis")
    with session_scope(database) as session:
        aid.open_referral(session, conversation_id="w4", channel="rest", answers={}, programmes=["p"],
                          worker_name="李秀英", worker_phone="13912345678", terms=terms())
        session.execute(update(WorkOrder).where(WorkOrder.kind == "case").values(due_on=clock.today()
                                                                                  - dt.timedelta(days=2)))
    counselor, legal, admin = (staff(database, role) for role in ("counselor", "legal", "admin"))
    with session_scope(database) as session:
        assert {r.kind for r in orders.list_orders(session, staff=counselor)} == {"handoff", "referral"}
        assert {r.kind for r in orders.list_orders(session, staff=legal)} == {"case"}
        every = orders.list_orders(session, staff=admin)
        assert [r.kind for r in every][0] == "case" and every[0].urgency(clock.today()) == "overdue"
        assert every[0].days_left(clock.today()) == -2
        due_soon = orders.list_orders(session, staff=admin, due_by=clock.today() + dt.timedelta(days=1))
        assert [r.kind for r in due_soon] == ["case"]
        with pytest.raises(orders.OrderNotFound):
            orders.get_order(session, staff=counselor, number=every[0].number)


def test_the_daily_summary_lists_what_was_overdue_that_day(database):
    number = open_case(database, "w1")
    other = open_case(database, "w2", worker_phone="13812345670")
    today = clock.today()
    with session_scope(database) as session:
        session.execute(update(WorkOrder).values(opened_at=dt.datetime.utcnow() - dt.timedelta(days=10),
                                                 due_on=today - dt.timedelta(days=3)))
        session.execute(update(WorkOrder).where(WorkOrder.number == other).values(
            status="closed", closed_at=utc(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(12), LOCAL_TIME))))
    admin = staff(database, "admin")
    with session_scope(database) as session:
        assert [r.number for r in orders.overdue_on(session, staff=admin, day=today)] == [number]
        assert {r.number for r in orders.overdue_on(session, staff=admin, day=today - dt.timedelta(days=2))} == {
            number, other}
        assert orders.overdue_on(session, staff=admin, day=today - dt.timedelta(days=3)) == []
        with pytest.raises(PermissionDenied):
            orders.overdue_on(session, staff=staff_in(session, "legal"), day=today)


def test_a_tier_change_needs_a_reason_and_moves_the_deadline(database):
    number = open_case(database)
    legal = staff(database, "legal")
    with session_scope(database) as session:
        with pytest.raises(ValueError, match="reason"):
            orders.change_tier(session, staff=legal, number=number, tier="complex", reason=" ", terms=terms())
        orders.change_tier(session, staff=legal, number=number, tier="complex", reason="涉及工伤认定", terms=terms())
        orders.add_note(session, staff=legal, number=number, text="已约职工周三面谈")
    view = order_of(database, "case", "w1")
    assert view.tier == "complex" and view.due_on == terms().due(view.opened_at, "complex")
    assert [(s.kind, s.detail) for s in view.timeline[1:]] == [
        ("tier", "难点问题 → 特别复杂问题：涉及工伤认定"), ("note", "已约职工周三面谈")]


def test_only_referrals_close_on_the_order_page(database):
    number = open_case(database)
    with session_scope(database) as session:
        aid.open_referral(session, conversation_id="w4", channel="rest", answers={}, programmes=["p"],
                          worker_name="李秀英", worker_phone="13912345678", terms=terms())
    counselor, legal = staff(database, "counselor"), staff(database, "legal")
    with session_scope(database) as session, pytest.raises(orders.ClosedElsewhere):
        orders.close(session, staff=legal, number=number)
    referral = order_of(database, "referral", "w4")
    with session_scope(database) as session:
        closed = orders.close(session, staff=counselor, number=referral.number, note="已电话联系，材料齐全")
    assert closed.status == "closed"


def test_a_worker_is_asked_once_rates_once_and_a_bad_rating_goes_back_to_an_admin(database):
    legal, admin = staff(database, "legal"), staff(database, "admin")
    handoff_id = ask_person(database, "w5")
    number = order_of(database, "handoff", "w5").number
    with session_scope(database) as session:
        assert orders.rating_due(session, kind="handoff", source_id=handoff_id) is None  # still open
        handoff.take(session, staff=legal, handoff_id=handoff_id)
        handoff.close(session, staff=legal, handoff_id=handoff_id)
        assert orders.rating_due(session, kind="handoff", source_id=handoff_id).number == number
        assert orders.rating_due(session, kind="handoff", source_id=handoff_id) is None  # never demanded twice
        assert orders.waiting_for_worker(session, conversation_id="w5", rated=False).number == number
        assert orders.rate(session, number=number, conversation_id="someone-else", rating="satisfied") == "unknown"
        assert orders.rate(session, number=number, conversation_id="w5", rating="dissatisfied") == "saved"
        assert orders.rate(session, number=number, conversation_id="w5", rating="very_satisfied") == "already"
        assert orders.waiting_for_worker(session, conversation_id="w5", rated=False) is None
        assert orders.waiting_for_worker(session, conversation_id="w5", rated=True).number == number
        assert orders.add_comment(session, number=number, conversation_id="w5", text="等太久了，我电话13812345678")
        assert not orders.add_comment(session, number=number, conversation_id="w5", text="再说一句")
        assert [r.number for r in orders.follow_ups(session, staff=admin)] == [number]
        orders.follow_up_done(session, staff=admin, number=number, note="已回电致歉，职工表示理解")
        assert orders.follow_ups(session, staff=admin) == []
    view = order_of(database, "handoff", "w5")
    assert (view.rating, view.follow_up) == ("dissatisfied", "done")
    assert view.rating_comment == "等太久了，我电话138****5678"
    assert [s.kind for s in view.timeline][-3:] == ["rated", "comment", "follow_up"]
