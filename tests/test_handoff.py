"""The handoff queue service on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from bot.kb.local import Span
from bot.staff.accounts import create_staff
from bot.store import handoff
from bot.store.database import session_scope
from bot.store.roles import StaffMember
from bot.web.console.queue import item_json
from tests.sample_terms import terms


def staff(url: str, role: str, name: str | None = None) -> StaffMember:
    with session_scope(url) as session:
        return create_staff(session, username=name or role, display_name=name or role, role=role,
                            password="long enough 1")


def ask(url: str, conversation: str, *, skill: str = "general", reason: str = "asked") -> handoff.Ticket:
    with session_scope(url) as session:
        return handoff.request(session, conversation_id=conversation, channel="socketio", skill=skill, reason=reason,
                               minutes_per_conversation=8, terms=terms())


def test_a_worker_waits_once_and_learns_their_place(database):
    first = ask(database, "w1")
    assert (first.position, first.expected_minutes, first.already_waiting) == (1, 0, False)
    second = ask(database, "w2")
    assert (second.position, second.expected_minutes) == (2, 8)
    again = ask(database, "w2")
    assert again.already_waiting and again.handoff_id == second.handoff_id and again.position == 2


def test_crisis_goes_first_and_to_counselors(database):
    ask(database, "w1", skill="psych")
    crisis = ask(database, "w2", skill="psych", reason="crisis")
    assert crisis.position == 1
    counselor, legal = staff(database, "counselor"), staff(database, "legal")
    with session_scope(database) as session:
        assert [i.conversation_id for i in handoff.queue(session, staff=counselor)] == ["w2", "w1"]
        assert handoff.queue(session, staff=legal) == []


def test_a_waiting_worker_moves_up_when_distress_or_a_crisis_follows_and_never_down(database):
    ask(database, "w1", skill="general")
    ask(database, "w2", skill="general")
    ask(database, "w2", skill="psych", reason="distress")  # "找人聊聊" after a message of distress
    ask(database, "w1", skill="psych", reason="crisis")
    ask(database, "w1", skill="psych", reason="distress")
    counselor = staff(database, "counselor")
    with session_scope(database) as session:
        rows = [(i.conversation_id, i.skill, i.reason, i.priority) for i in handoff.queue(session, staff=counselor)]
    assert rows == [("w1", "psych", "asked", 10), ("w2", "psych", "asked", 5)]


def test_only_one_staff_member_takes_a_conversation(database):
    ticket = ask(database, "w1", skill="legal")
    first, second = staff(database, "legal", "a"), staff(database, "legal", "b")
    with session_scope(database) as session:
        taken = handoff.take(session, staff=first, handoff_id=ticket.handoff_id)
    assert (taken.status, taken.staff_id) == ("active", first.id)
    with session_scope(database) as session, pytest.raises(handoff.HandoffConflict):
        handoff.take(session, staff=second, handoff_id=ticket.handoff_id)
    with session_scope(database) as session, pytest.raises(handoff.HandoffConflict):
        handoff.handling(session, staff=second, handoff_id=ticket.handoff_id)  # nor reply in it


def test_transfer_and_close_then_a_new_request_opens_a_new_handoff(database):
    ticket = ask(database, "w1", skill="legal")
    legal, counselor = staff(database, "legal"), staff(database, "counselor")
    with session_scope(database) as session:
        handoff.take(session, staff=legal, handoff_id=ticket.handoff_id)
        moved = handoff.transfer(session, staff=legal, handoff_id=ticket.handoff_id, skill="psych")
    assert (moved.status, moved.skill, moved.staff_id) == ("waiting", "psych", None)
    with session_scope(database) as session:
        with pytest.raises(LookupError):
            handoff.get(session, staff=legal, handoff_id=ticket.handoff_id)  # no longer a legal conversation
        handoff.take(session, staff=counselor, handoff_id=ticket.handoff_id)
        assert handoff.close(session, staff=counselor, handoff_id=ticket.handoff_id).status == "closed"
    assert ask(database, "w1").handoff_id != ticket.handoff_id


def test_a_callback_request_keeps_the_phone_for_staff(database):
    with session_scope(database) as session:
        handoff.request(session, conversation_id="w1", channel="rest", skill="general", reason="callback",
                        minutes_per_conversation=8, terms=terms(), callback_phone="13812345678",
                        callback_note="想问工伤")
    with session_scope(database) as session:
        [item] = handoff.queue(session, staff=staff(database, "admin"))
    assert (item.reason, item.callback_phone, item.callback_note) == ("callback", "13812345678", "想问工伤")


def test_service_hours_and_skills(kb):
    duty = kb.local.handoff.copy(update={"hours": (Span(days=(1, 2, 3, 4, 5), from_="09:00", to="21:00"),)})
    monday_10_beijing = dt.datetime(2026, 12, 7, 2, 0)
    assert handoff.in_service_hours(monday_10_beijing, duty)
    assert not handoff.in_service_hours(monday_10_beijing + dt.timedelta(hours=12), duty)  # 22:00
    assert not handoff.in_service_hours(monday_10_beijing - dt.timedelta(days=1), duty)  # Sunday
    assert handoff.hours_text(duty) == "周一至周五 09:00-21:00"
    assert handoff.skill_for("union.psych_support", kb.local.handoff) == "psych"
    assert handoff.skill_for("wage.arrears", kb.local.handoff) == "legal"
    assert handoff.skill_for("course.catalog", kb.local.handoff) == "general"


def test_service_days_are_named_as_they_are():
    assert handoff.days_text([1, 2, 3, 4, 5]) == "周一至周五"
    assert handoff.days_text([1, 3, 5]) == "周一、周三、周五"
    assert handoff.days_text([6, 7]) == "周六、周日"
    assert handoff.days_text([5, 1, 2, 3, 7]) == "周一至周三、周五、周日"


def test_the_console_marks_a_crisis_by_its_priority_and_distress_apart(database):
    ask(database, "asked-then-crisis", skill="general")
    ask(database, "asked-then-crisis", skill="psych", reason="crisis")  # the reason stays 职工要求
    ask(database, "distressed", skill="psych", reason="distress")
    ask(database, "calm", skill="psych")
    with session_scope(database) as session:
        rows = [item_json(i) for i in handoff.queue(session, staff=staff(database, "counselor"))]
    assert [(r["conversation_id"], r["reason_name"], r["crisis"], r["distress"]) for r in rows] == [
        ("asked-then-crisis", "职工要求", True, False), ("distressed", "情绪困扰", False, True),
        ("calm", "职工要求", False, False)]
