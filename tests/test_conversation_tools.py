"""The conversation view's services: handing to a colleague, notes, the worker's record, canned, search."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.notify import Notifier
from bot.rasa_api import RasaClient
from bot.settings import load_settings
from bot.staff import canned
from bot.staff.accounts import create_staff
from bot.store import activity, aid, cases, handoff, orders
from bot.store.database import session_scope
from bot.store.models import AuditEntry
from bot.store.roles import StaffMember
from bot.tools.services import free_port
from bot.web.console import tracker_facts
from bot.web.console.knowledge import search
from tests.sample_terms import terms
from tests.test_cases import LAWYER, draft

ROOT = Path(__file__).parent.parent


def people(url: str, *roles_and_names: tuple[str, str]) -> list[StaffMember]:
    with session_scope(url) as session:
        return [create_staff(session, username=name, display_name=name, role=role, password="long enough 1")
                for role, name in roles_and_names]


def ask_person(url: str, conversation: str = "w1", skill: str = "legal") -> int:
    with session_scope(url) as session:
        return handoff.request(session, conversation_id=conversation, channel="socketio", skill=skill,
                               reason="asked", minutes_per_conversation=8, terms=terms()).handoff_id


def order(url: str, handoff_id: int, staff: StaffMember) -> orders.OrderView:
    with session_scope(url) as session:
        return orders.of_request(session, staff=staff, kind="handoff", source_id=handoff_id)


def test_a_conversation_handed_to_a_named_colleague_waits_as_theirs(database):
    first, second, third = people(database, ("legal", "王律师"), ("legal", "赵律师"), ("legal", "钱律师"))
    handoff_id = ask_person(database)
    with session_scope(database) as session:
        handoff.take(session, staff=first, handoff_id=handoff_id)
        assert [c.display_name for c in handoff.colleagues(session, staff=first, skill="legal")] == ["赵律师", "钱律师"]
        moved = handoff.hand_to(session, staff=first, handoff_id=handoff_id, colleague_id=second.id)
    assert (moved.status, moved.skill, moved.staff_id) == ("waiting", "legal", second.id)
    assert order(database, handoff_id, first).owner == "赵律师"
    with session_scope(database) as session:
        [row] = handoff.queue(session, staff=second)
        assert (row.id, row.staff_id) == (handoff_id, second.id)
        with pytest.raises(handoff.HandoffConflict):  # kept for 赵律师: nobody else takes it
            handoff.take(session, staff=third, handoff_id=handoff_id)
    with session_scope(database) as session:
        taken = handoff.take(session, staff=second, handoff_id=handoff_id)
    assert (taken.status, taken.staff_id) == ("active", second.id)
    with session_scope(database) as session, pytest.raises(handoff.HandoffConflict):
        handoff.hand_to(session, staff=first, handoff_id=handoff_id, colleague_id=third.id)  # no longer first's


def test_only_a_colleague_whose_role_answers_the_skill_can_be_named(database):
    legal, counselor, admin = people(database, ("legal", "王律师"), ("counselor", "小李"), ("admin", "管理员"))
    handoff_id = ask_person(database, skill="legal")
    with session_scope(database) as session:
        for wrong in (counselor.id, legal.id, 999):  # no legal role, oneself, nobody
            with pytest.raises(ValueError):
                handoff.hand_to(session, staff=legal, handoff_id=handoff_id, colleague_id=wrong)
        assert handoff.hand_to(session, staff=legal, handoff_id=handoff_id, colleague_id=admin.id).staff_id == admin.id


async def test_a_hand_over_the_worker_never_heard_of_is_undone(use_database):
    first, second = people(use_database, ("counselor", "小李"), ("counselor", "小张"))
    handoff_id = ask_person(use_database, skill="psych")
    with session_scope(use_database) as session:
        handoff.take(session, staff=first, handoff_id=handoff_id)
        before = handoff.snapshot(session, handoff_id=handoff_id)
        after = handoff.hand_to(session, staff=first, handoff_id=handoff_id, colleague_id=second.id)
    nowhere = Notifier(RasaClient(f"http://127.0.0.1:{free_port()}", "t"), load_settings())
    assert not await nowhere.handoff_changed(before, after, "transfer", staff_id=first.id, staff_name="小李")
    with session_scope(use_database) as session:
        back = handoff.get(session, staff=first, handoff_id=handoff_id)
        undone = session.execute(select(AuditEntry.detail).where(AuditEntry.action == "handoff_transfer_undone"))
        assert (back.status, back.staff_id, undone.scalar_one()) == ("active", first.id, "restored")
    assert order(use_database, handoff_id, first).owner == "小李"


def test_internal_notes_go_on_the_handoffs_order_for_its_team_only(database):
    legal, counselor = people(database, ("legal", "王律师"), ("counselor", "小李"))
    handoff_id = ask_person(database, skill="legal")
    number = order(database, handoff_id, legal).number
    with session_scope(database) as session:
        orders.add_note(session, staff=legal, number=number, text="  职工情绪激动，先安抚  ")
    notes = [(s.detail, s.staff) for s in order(database, handoff_id, legal).timeline if s.kind == "note"]
    assert notes == [("职工情绪激动，先安抚", "王律师")]
    assert order(database, handoff_id, counselor) is None  # a legal conversation's order is not the counselor's


def test_the_workers_record_shows_each_role_what_it_may_read(database):
    legal, counselor = people(database, ("legal", "王律师"), ("counselor", "小李"))
    with session_scope(database) as session:
        number = cases.open_case(session, draft=draft(), conversation_id="w1", channel="rest", lawyer=LAWYER,
                                 topic="wage", terms=terms()).number
        cases.open_case(session, draft=draft(), conversation_id="other", channel="rest", lawyer=LAWYER,
                        topic="wage", terms=terms())
        aid.open_referral(session, conversation_id="w1", channel="rest", answers={"lost_job": "yes"},
                          programmes=["seasonal-care"], worker_name="李秀英", worker_phone="13912345678",
                          terms=terms())
    with session_scope(database) as session:
        for_legal = activity.of_conversation(session, staff=legal, conversation_id="w1")
        for_counselor = activity.of_conversation(session, staff=counselor, conversation_id="w1")
    assert [c.number for c in for_legal.cases] == [number] and for_legal.referrals == []
    assert [o.kind for o in for_legal.orders] == ["case"]
    assert for_counselor.cases == [] and [r.programmes for r in for_counselor.referrals] == [["seasonal-care"]]
    assert [o.kind for o in for_counselor.orders] == ["referral"]


EVENTS = [
    {"event": "slot", "name": "case_dispute", "value": "wage"},
    {"event": "slot", "name": "case_facts", "value": "身份证110101199003071234，老板欠我两个月工资"},
    {"event": "slot", "name": "case_phone", "value": "13912345678"},
    {"event": "slot", "name": "case_consent", "value": True},
    {"event": "slot", "name": "case_phone", "value": None},  # the form clears its slots once submitted
    {"event": "slot", "name": "signup_phone", "value": "13800001111"},
    {"event": "slot", "name": "aid_lost_job", "value": "yes"},
]


def test_form_answers_are_labelled_masked_and_kept_to_the_roles_that_may_read_them():
    legal, counselor = StaffMember(1, "l", "l", "legal"), StaffMember(2, "c", "c", "counselor")
    names = {"case_dispute": {"wage": "欠薪"}}
    shown = [(a.label, a.value) for a in tracker_facts.form_answers(EVENTS, staff=legal, names=names)]
    assert shown == [("纠纷类型", "欠薪"), ("事情经过", "身份证110101********1234，老板欠我两个月工资"),
                     ("手机号", "139****5678"), ("手机号", "138****1111")]
    shown = [(a.label, a.value) for a in tracker_facts.form_answers(EVENTS, staff=counselor, names=names)]
    assert shown == [("失业", "是"), ("手机号", "138****1111")]


def test_the_guess_is_about_the_workers_problem_not_their_wish_for_a_person(kb):
    def said(text: str, topic: str, confidence: float) -> dict:
        return {"event": "user", "text": text, "parse_data": {"topic_ranking": [{"topic": topic,
                                                                                 "confidence": confidence}]}}

    def answered(entry: str) -> dict:
        return {"event": "slot", "name": "last_entry", "value": entry}

    tracker = {"events": [said("工资被扣了", "wage.deduction", 0.7), said("加班费怎么算", "wage.overtime_pay", 0.81),
                          answered("wage-overtime-pay-overview"), said("转人工", "service.human_agent", 0.99),
                          answered("service-human-agent-overview"), said("嗯", "injury.scope", 0.1)]}
    assert tracker_facts.guess(tracker, kb) == \
        tracker_facts.Guess("wage.overtime_pay", 0.81, "wage-overtime-pay-overview")
    assert tracker_facts.guess({"events": [said("你好", "none", 0.9)]}, kb) == tracker_facts.Guess(None, None, None)


def test_the_canned_file_loads_and_every_variable_is_filled(kb):
    entries = canned.load(ROOT / "knowledge" / canned.FILE)
    assert len(entries) >= 5
    values = canned.values(kb.local, street=None, staff_name="小李")
    for entry in entries:
        assert "{" not in canned.fill(entry, values), entry.id
    assert values["staff_name"] == "小李" and "12351" in values["hotline"]
    assert "法律援助中心" in values["legal_aid_centre"]
    street = kb.local.street(kb.local.streets[0].id)
    assert kb.local.centre(street.centre).name in canned.values(kb.local, street=street.id, staff_name="")[
        "street_centre"]


def test_canned_edits_are_checked_and_written_whole(tmp_path):
    path = tmp_path / canned.FILE
    shutil.copy(ROOT / "knowledge" / canned.FILE, path)
    before = path.read_text(encoding="utf-8")
    for bad in (canned.Canned("Bad ID", "标题", "正文"), canned.Canned("ok", "", "正文"),
                canned.Canned("ok", "标题", "请拨打{phone}"), canned.Canned("greeting", "重复", "编号重复")):
        with pytest.raises(canned.CannedError):
            canned.save(path, canned=bad)
    assert path.read_text(encoding="utf-8") == before  # a rejected edit changes nothing
    canned.save(path, canned=canned.Canned("night", "夜间", "晚上也可以拨打{hotline}", ("热线",)))
    canned.save(path, canned=canned.Canned("night-2", "夜间", "改过的正文"), replaces="night")
    entries = canned.load(path)
    assert [(c.id, c.text, c.tags) for c in entries if c.id.startswith("night")] == [("night-2", "改过的正文", ())]
    with pytest.raises(canned.CannedError):
        canned.save(path, canned=canned.Canned("x", "标题", "正文"), replaces="gone")
    assert [c.id for c in canned.delete(path, canned_id="night-2")] == [c.id for c in canned.load(path)]
    assert path.read_text(encoding="utf-8") == before and sorted(p.name for p in tmp_path.iterdir()) == [canned.FILE]
    path.write_text("canned:\n  - id: a\n    title: ''\n    text: x\n", encoding="utf-8")
    with pytest.raises(canned.CannedError, match="标题不能为空"):
        canned.load(path)


def test_staff_find_knowledge_entries_by_a_few_words(kb):
    found = search(kb, "加班费")
    assert found and all("加班" in e.title or any("加班" in q for q in e.questions) for e in found)
    assert found[0].id.startswith("wage-overtime-pay")
    assert search(kb, "") == [] and search(kb, "  ！") == [] and search(kb, "量子力学") == []
