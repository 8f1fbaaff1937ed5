"""What the assistant could not answer: selection rules, grouping, marks, export and masking.

The selection and the marks run on SQLite and on PostgreSQL against a seeded log dated relative to
today (tests/unanswered_history.py); the grouping is checked on labelled phrasings written for it.
"""

import datetime as dt

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.knowledge import ActionAnswer
from bot.kb import answering
from bot.staff.accounts import create_staff
from bot.store import similar, unanswered
from bot.store.database import session_scope
from bot.store.models import Asked
from bot.store.period import Period
from bot.store.roles import PermissionDenied, StaffMember
from bot.web.console.unanswered import background, export_text, yaml_item
from tests import unanswered_history
from tests.conftest import STAFF_PASSWORD, make_parse
from tests.stats_history import today
from tests.unanswered_phrasings import PHRASINGS

MASKED = "我叫**，电话138****5678，身份证110101********1234，公积金断缴了怎么办"


def last_days(days: int) -> Period:
    return Period(today() - dt.timedelta(days=days - 1), today())


@pytest.fixture
def history(database: str) -> tuple[str, dict[str, int], StaffMember, StaffMember]:
    with session_scope(database) as session:
        ids = unanswered_history.seed(session)
        admin = create_staff(session, username="editor", display_name="编辑老周", role="admin", password=STAFF_PASSWORD)
        legal = create_staff(session, username="lawyer", display_name="王律师", role="legal", password=STAFF_PASSWORD)
    return database, ids, admin, legal


def read(url: str, kb, days: int = 30) -> unanswered.Unanswered:  # noqa: ANN001
    with session_scope(url) as session:
        return unanswered.unanswered(session, period=last_days(days), background=background(kb))


def test_each_rule_selects_its_questions_and_nothing_else(history):
    url, _, _, _ = history
    with session_scope(url) as session:
        found, capped = unanswered.questions(session, period=last_days(30))
    assert not capped
    assert {question.text: question.reasons for question in found} == unanswered_history.EXPECTED
    # left out: a good answer, a follow-up in its topic, picked clarifications (tap and typed), a referral
    # followed by a handoff, a handoff half an hour later, a crisis handoff, the question before the last
    # one before a handoff, and anything 40 days ago
    with session_scope(url) as session:
        found, _ = unanswered.questions(session, period=last_days(45))
    assert "外卖骑手受伤了平台管不管" in {question.text for question in found}


def test_the_low_confidence_line_is_the_answering_threshold(history):
    url, ids, _, _ = history
    with session_scope(url) as session:
        row = session.get(Asked, ids["外卖骑手算不算公司员工啊"])
        row.confidence = answering.CLARIFY_BELOW
    with session_scope(url) as session:
        found, _ = unanswered.questions(session, period=last_days(30))
    assert "外卖骑手算不算公司员工啊" not in {question.text for question in found}


def test_a_day_range_is_local_days(history):
    url, _, _, _ = history
    with session_scope(url) as session:
        found, _ = unanswered.questions(session, period=Period(today(), today()))
    assert [question.text for question in found] == ["仲裁要多久"]  # 00:12 today in Beijing is yesterday in UTC


def test_retypes_of_a_missing_topic_are_one_group_with_the_guessed_topic(history, kb):
    url, ids, _, _ = history
    found = read(url, kb)
    [riders] = [group for group in found.open if "外卖骑手算不算员工" in group.texts]
    assert riders.count == 3 and riders.key == ids["外卖骑手算不算员工"] == min(riders.ids)
    assert set(riders.examples) == {"外卖骑手算不算员工", "送外卖的骑手算不算员工", "外卖骑手算不算公司员工啊"}
    assert riders.topic == "contract.written"  # guessed twice; the decline guessed nothing
    assert dict(riders.reasons) == {"not_answered": 2, "low_confidence": 1, "handoff": 1}
    assert found.open[0] is riders  # the most asked first
    assert sum(group.count for group in found.open) == len(unanswered_history.EXPECTED)
    assert found.marked == []


def test_texts_are_masked_again_when_read(history, kb):
    url, ids, _, _ = history
    with session_scope(url) as session:  # a row stored before masking covered it
        assert session.get(Asked, ids[unanswered_history.RAW_PERSONAL]).text == unanswered_history.RAW_PERSONAL
    texts = [text for group in read(url, kb).open for text in group.texts]
    assert MASKED in texts
    assert not any("13812345678" in text or "199003071234" in text or "张三" in text for text in texts)


def test_marking_a_group_moves_it_and_an_entry_must_exist(history, kb):
    url, _, admin, _ = history
    riders = read(url, kb).open[0]
    with session_scope(url) as session, pytest.raises(unanswered.UnknownEntry):
        unanswered.mark(session, staff=admin, ids=riders.ids, verdict="covered", entry_id="no-such-entry", kb=kb)
    with session_scope(url) as session:
        assert unanswered.mark(session, staff=admin, ids=riders.ids, verdict="covered",
                               entry_id="contract-written-no-contract", kb=kb) == 3
    found = read(url, kb)
    assert riders.key not in {group.key for group in found.open}
    [marked] = found.marked
    assert (marked.key, marked.count, marked.review.verdict, marked.review.entry_id, marked.review.staff) == (
        riders.key, 3, "covered", "contract-written-no-contract", "编辑老周")

    with session_scope(url) as session:  # a second verdict replaces the first
        unanswered.mark(session, staff=admin, ids=riders.ids, verdict="new_entry", entry_id="ignored", kb=kb)
    [marked] = read(url, kb).marked
    assert (marked.review.verdict, marked.review.entry_id) == ("new_entry", None)

    with session_scope(url) as session:
        assert unanswered.unmark(session, staff=admin, ids=riders.ids) == 3
    found = read(url, kb)
    assert found.marked == [] and found.open[0].ids == riders.ids


def test_only_admins_mark(history, kb):
    url, _, _, lawyer = history
    riders = read(url, kb).open[0]
    for change in (lambda s: unanswered.mark(s, staff=lawyer, ids=riders.ids, verdict="new_entry", entry_id=None,
                                              kb=kb),
                   lambda s: unanswered.unmark(s, staff=lawyer, ids=riders.ids)):
        with session_scope(url) as session, pytest.raises(PermissionDenied):
            change(session)
    assert read(url, kb).marked == []


def test_the_export_is_questions_lists_to_paste_into_an_entry(history, kb):
    url, _, admin, _ = history
    riders = read(url, kb).open[0]
    with session_scope(url) as session:
        unanswered.mark(session, staff=admin, ids=riders.ids, verdict="new_entry", entry_id=None, kb=kb)
    text = export_text(read(url, kb), last_days(30), kb)
    new, rest = text.split("# ===== 已有条目覆盖")
    assert f"    # 猜测的主题：{kb.topics['contract.written'].title}（contract.written），3 次\n" in new
    assert "    questions:\n      - 外卖骑手算不算员工\n" in new
    assert "还没有标记：5 组" in rest and f"      - {MASKED}" in rest
    pasted = yaml.safe_load("entries:\n  - id: new\n" + new.split("=====\n\n", 1)[1])
    assert set(pasted["entries"][0]["questions"]) == set(riders.texts)
    for line in text.splitlines():  # every line is a comment, a questions key, a list item or blank
        assert line == "" or line.lstrip().startswith(("#", "questions:", "- "))


@pytest.mark.parametrize("text", ["老板说: 明天再发", "*** 号码", "- 开头的横线", "问题 # 不是注释", "'引号", "yes",
                                  "12345"])
def test_a_question_that_yaml_would_misread_is_quoted(text):
    assert yaml.safe_load(f"- {yaml_item(text)}") == [text]


def test_phrasings_of_one_topic_group_together_and_topics_stay_apart(kb):
    texts = [text for phrasings in PHRASINGS.values() for text in phrasings]
    label = {text: topic for topic, phrasings in PHRASINGS.items() for text in phrasings}
    groups = [[texts[i] for i in group] for group in similar.groups_of(texts, background(kb))]
    assert [group for group in groups if len({label[text] for text in group}) > 1] == []
    together = {text: set(group) for group in groups for text in group}
    retypes = {"送外卖的骑手算劳动关系吗": "送外卖的骑手算不算劳动关系", "公积金断缴了怎么办": "公积金断缴了咋整",
               "工资条上的个税扣多了 怎么退回来": "工资条上个税扣多了怎么退"}
    for retyped, first in retypes.items():
        assert first in together[retyped]
    for topic in ("platform", "housing_fund", "income_tax", "dormitory", "retirement"):  # 5+ phrasings each
        assert max(len(group) for group in groups if label[group[0]] == topic) >= 2
        assert len([group for group in groups if label[group[0]] == topic]) < len(PHRASINGS[topic])


def tracker(parse: dict) -> Tracker:
    said = {"event": "user", "text": parse.get("text"), "parse_data": parse, "input_channel": "socketio"}
    return Tracker("worker-9", {}, parse, [said], False, None, {}, "action_listen")


async def test_a_clarification_tapped_as_the_action_logs_it_is_not_a_miss(kb, use_database):
    close = make_parse(kb, "ask_knowledge", [("wage.arrears", 0.3), ("contract.resign", 0.29)], text="工资的事")
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, tracker(close), {})
    payload = dispatcher.messages[0]["buttons"][0]["payload"]
    entry = kb.overview("wage.arrears").id
    tapped = {**make_parse(kb, "ask_knowledge", [], text=payload),
              "entities": [{"entity": "topic", "value": "wage.arrears"}, {"entity": "entry", "value": entry}]}
    await ActionAnswer().run(CollectingDispatcher(), tracker(tapped), {})
    with session_scope(use_database) as session:
        logged = session.execute(select(Asked.outcome, Asked.confidence, Asked.text).order_by(Asked.id)).all()
        found, _ = unanswered.questions(session, period=last_days(1))
    assert [(outcome, text[:1]) for outcome, _, text in logged] == [("clarify", "工"), ("answer", "/")]
    assert logged[1].confidence is None
    assert found == []
