"""Handoff actions with tracker fixtures: queueing, out of hours, crisis, callbacks."""

import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.handoff
import actions.safety
from actions.handoff import ActionHandoff, ActionSubmitCallback
from actions.safety import ActionCrisis
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
    for module in (actions.handoff, actions.safety):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


def tracker(text: str, sender: str = "worker-1", **slots) -> Tracker:
    message = {"text": text, "intent": {"name": "request_human", "confidence": 1.0}, "entities": []}
    return Tracker(sender, slots, message, [{"event": "user", "text": text, "input_channel": "socketio"}], False,
                   None, {}, "action_listen")


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


async def test_database_down_sends_the_worker_to_the_hotline(kb, postgres_server, monkeypatch, dispatcher):
    at(monkeypatch, MONDAY_10_BEIJING)
    monkeypatch.setenv("DATABASE_URL", postgres_server.url.rsplit(":", 1)[0] + ":9/zgfw")
    await ActionHandoff().run(dispatcher, tracker("转人工"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["handoff_store_down"].text
