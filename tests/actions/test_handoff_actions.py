"""Handoff actions with tracker fixtures: queueing, out of hours, crisis, callbacks."""

import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.handoff
import actions.say
from actions.handoff import ActionHandoff, ActionSubmitCallback
from actions.knowledge import ActionAnswer
from actions.safety import ActionCrisis
from bot.kb.knowledge import KnowledgeBase
from bot.staff.accounts import create_staff
from bot.store import handoff
from bot.store.database import session_scope
from tests.conftest import make_parse

MONDAY_10_BEIJING = dt.datetime(2026, 12, 7, 2, 0)
MONDAY_23_BEIJING = dt.datetime(2026, 12, 7, 15, 0)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def at(monkeypatch, moment: dt.datetime) -> None:
    for module in (actions.handoff, actions.say):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


def tracker(text: str, sender: str = "worker-1", **slots) -> Tracker:
    message = {"text": text, "intent": {"name": "request_human", "confidence": 1.0}, "entities": []}
    return Tracker(sender, slots, message, [{"event": "user", "text": text, "input_channel": "socketio"}], False,
                   None, {}, "action_listen")


def after_distress(sender: str, *, earlier_session: bool = False) -> Tracker:
    """A worker taps 找人聊聊 under the hotline offer that followed "半夜了 快坚持不下去了"."""
    said = {"event": "user", "text": "半夜了 快坚持不下去了", "input_channel": "socketio",
            "parse_data": {"intent": {"name": "ask_knowledge"}, "risk": {"level": "possible", "score": 0.3}}}
    tapped = {"event": "user", "text": "/request_human", "input_channel": "socketio",
              "parse_data": {"intent": {"name": "request_human"}, "risk": {"level": "none", "score": 0.0}}}
    events = [said, {"event": "bot", "text": "听起来您最近压力很大。"}]
    events += [{"event": "session_started"}] if earlier_session else []
    return Tracker(sender, {"topic": "union.psych_support"}, tapped["parse_data"] | {"text": tapped["text"]},
                   [*events, tapped], False, None, {}, "action_listen")


def queue(url: str) -> list[handoff.QueueItem]:
    with session_scope(url) as session:
        admin = create_staff(session, username="admin", display_name="a", role="admin", password="long enough 1")
        return handoff.queue(session, staff=admin)


async def test_asking_for_a_person_queues_by_topic_and_tells_the_place(use_database, kb, monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    events = await ActionHandoff().run(dispatcher, tracker("转人工", topic="wage.arrears"), {})
    assert events == [SlotSet("handoff_requested", True)]
    assert dispatcher.messages[-1]["text"] == kb.replies["handoff_queued"].render(
        position=1, minutes=1, skill="法律咨询")["text"]
    [item] = queue(use_database)
    assert (item.conversation_id, item.skill, item.reason, item.channel) == ("worker-1", "legal", "asked", "socketio")


async def test_a_request_for_a_person_after_a_labor_question_goes_to_the_legal_team(use_database, kb, monkeypatch,
                                                                                  dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    asked = tracker("转人工", topic="wage.overtime_pay")
    asked.latest_message = make_parse(kb, "request_human", [("service.human_agent", 0.99)], text="转人工")
    events = await ActionHandoff().run(dispatcher, asked, {})
    assert events == [SlotSet("handoff_requested", True)]  # no 人工服务 entry answered, the topic kept
    [item] = queue(use_database)
    assert item.skill == "legal"


async def test_out_of_hours_offers_a_callback_and_queues_nothing(use_database, kb, monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_23_BEIJING)
    await ActionHandoff().run(dispatcher, tracker("转人工"), {})
    assert dispatcher.messages[-1]["text"].startswith("现在不是人工服务时间")
    assert dispatcher.messages[-1]["buttons"][0]["payload"] == "/leave_callback"
    assert queue(use_database) == []


async def test_a_callback_is_stored_with_the_phone(use_database, kb, monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_23_BEIJING)
    events = await ActionSubmitCallback().run(
        dispatcher, tracker("想问工伤", callback_phone="13812345678", callback_note="想问工伤认定"), {})
    assert SlotSet("callback_phone", None) in events
    assert dispatcher.messages[-1]["text"].startswith("已经记下了")
    [item] = queue(use_database)
    assert (item.reason, item.callback_phone) == ("callback", "13812345678")


async def test_crisis_goes_to_the_front_of_the_counselors_line(use_database, kb, monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    await ActionHandoff().run(CollectingDispatcher(), tracker("转人工", sender="calm", topic="union.psych_support"), {})
    events = await ActionCrisis().run(dispatcher, tracker("不想活了", sender="in-crisis"), {})
    assert events == [SlotSet("handoff_requested", True)]
    assert "前面还有 1 位" in dispatcher.messages[-1]["text"]
    assert [i.conversation_id for i in queue(use_database)] == ["in-crisis", "calm"]


async def test_crisis_out_of_hours_still_reaches_the_queue(use_database, kb, monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_23_BEIJING)
    await ActionCrisis().run(dispatcher, tracker("不想活了"), {})
    assert dispatcher.messages == [{**dispatcher.messages[0], **kb.replies["crisis_out_of_hours"].render()}]
    assert [i.reason for i in queue(use_database)] == ["crisis"]


async def test_a_worker_who_showed_distress_waits_behind_a_crisis_and_ahead_of_the_line(use_database, kb,
                                                                                         monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    await ActionHandoff().run(CollectingDispatcher(), tracker("转人工", sender="calm", topic="wage.arrears"), {})
    events = await ActionHandoff().run(dispatcher, after_distress("distressed"), {})
    await ActionCrisis().run(CollectingDispatcher(), tracker("不想活了", sender="in-crisis"), {})
    assert events == [SlotSet("handoff_requested", True)]
    assert dispatcher.messages[-1]["text"] == kb.replies["handoff_queued"].render(
        position=1, minutes=1, skill="心理咨询")["text"]
    assert [(i.conversation_id, i.skill, i.reason) for i in queue(use_database)] == [
        ("in-crisis", "psych", "crisis"), ("distressed", "psych", "distress"), ("calm", "legal", "asked")]


async def test_asking_for_a_person_in_words_of_distress_goes_to_a_counselor_first(use_database, kb, monkeypatch,
                                                                                 dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    text = "能不能找个真人跟我说说话 我快撑不住了"
    parse = {"text": text, "intent": {"name": "request_human"}, "risk": {"level": "possible", "score": 0.3}}
    asked = Tracker("holding-on", {}, parse, [{"event": "user", "text": text, "parse_data": parse}], False, None, {},
                    "action_listen")
    await ActionHandoff().run(dispatcher, asked, {})
    [item] = queue(use_database)
    assert (item.skill, item.reason, item.priority > 0) == ("psych", "distress", True)


async def test_distress_in_an_earlier_session_does_not_jump_the_line(use_database, kb, monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    await ActionHandoff().run(dispatcher, after_distress("next-day", earlier_session=True), {})
    [item] = queue(use_database)
    assert (item.reason, item.priority) == ("asked", 0)


async def test_distress_out_of_hours_is_queued_with_the_hotline_not_a_callback_form(use_database, kb, monkeypatch,
                                                                                    dispatcher):
    at(monkeypatch, MONDAY_23_BEIJING)
    await ActionHandoff().run(dispatcher, after_distress("at-night"), {})
    assert [m["text"] for m in dispatcher.messages] == [kb.replies["distress_out_of_hours"].text]
    assert "12356" in dispatcher.messages[0]["text"]
    assert [i.reason for i in queue(use_database)] == ["distress"]


async def answer_in_distress(kb: KnowledgeBase, dispatcher: CollectingDispatcher, text: str, topic: str) -> list:
    """The knowledge answer to a message the detector called `possible`, ranked first as `topic`."""
    asked = tracker(text, sender=topic)
    asked.latest_message = {**make_parse(kb, "ask_knowledge", [(topic, 0.8)], text=text), "risk": {"level": "possible"}}
    return await ActionAnswer().run(dispatcher, asked, {})


async def test_distress_that_is_all_the_message_asks_about_lines_up_a_counselor(use_database, kb, monkeypatch,
                                                                               dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    events = await answer_in_distress(kb, dispatcher, "不知道还能找谁 快救我", "union.psych_support")
    assert SlotSet("handoff_requested", True) in events
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[-2:] == [kb.replies["possible_risk_queued"].text, kb.replies["handoff_queued"].render(
        position=1, minutes=1, skill="心理咨询")["text"]]
    assert [(i.skill, i.reason, i.priority > 0) for i in queue(use_database)] == [("psych", "distress", True)]


async def test_distress_that_asks_how_to_reach_a_person_lines_up_a_counselor(use_database, kb, monkeypatch,
                                                                            dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    events = await answer_in_distress(kb, dispatcher, "能不能找个真人跟我说说话 我快撑不住了", "service.human_agent")
    assert SlotSet("handoff_requested", True) in events
    assert [(i.skill, i.reason) for i in queue(use_database)] == [("psych", "distress")]


async def test_distress_inside_a_labor_question_keeps_the_offer_and_queues_nobody(use_database, kb, monkeypatch,
                                                                                 dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    events = await answer_in_distress(kb, dispatcher, "讨薪讨到心灰意冷", "wage.arrears")
    assert SlotSet("handoff_requested", True) not in events
    assert dispatcher.messages[-1]["buttons"] == [{"title": "找人聊聊", "payload": "/request_human"}]
    assert queue(use_database) == []


async def test_database_down_sends_the_worker_to_the_hotline(kb, postgres_server, monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    monkeypatch.setenv("DATABASE_URL", postgres_server.url.rsplit(":", 1)[0] + ":9/zgfw")
    await ActionHandoff().run(dispatcher, tracker("转人工"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["handoff_store_down"].text
