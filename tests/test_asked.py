"""The question log: one masked row per decision of the knowledge action, and no lost answer without it."""

import datetime as dt
import logging

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.knowledge import ActionAnswer
from bot.clock import utcnow
from bot.store.database import session_scope
from bot.store.models import Asked
from tests.conftest import make_parse

STORY = "我叫张三，电话13812345678，身份证110101199003071234，公司把我辞退了有没有补偿"


def tracker(parse: dict, channel: str = "wechat") -> Tracker:
    said = {"event": "user", "text": parse.get("text"), "parse_data": parse, "input_channel": channel}
    return Tracker("worker-7", {"case_name": "张三", "case_phone": "13812345678"}, parse, [said], False, None, {},
                   "action_listen")


def logged(url: str) -> list[Asked]:
    with session_scope(url) as session:
        return session.execute(select(Asked).order_by(Asked.id)).scalars().all()


async def test_an_answer_is_logged_once_with_the_workers_text_masked(kb, use_database):
    parse = make_parse(kb, "ask_knowledge", [("contract.severance", 0.9)], text=STORY)
    before = utcnow()
    await ActionAnswer().run(CollectingDispatcher(), tracker(parse), {})
    [row] = logged(use_database)
    assert (row.conversation_id, row.channel, row.outcome) == ("worker-7", "wechat", "answer")
    assert (row.topic, row.topic_group, row.entry_id) == ("contract.severance", "contract",
                                                          kb.overview("contract.severance").id)
    assert row.confidence == pytest.approx(0.9)
    assert before - dt.timedelta(seconds=1) <= row.at <= utcnow()
    assert row.text == "我叫**，电话138****5678，身份证110101********1234，公司把我辞退了有没有补偿"


async def test_declines_clarifications_and_long_questions_are_logged_too(kb, use_database):
    dispatcher = CollectingDispatcher()
    outside = make_parse(kb, "ask_knowledge", [("none", 0.7)], text="天气怎么样")
    await ActionAnswer().run(dispatcher, tracker(outside), {})
    close = make_parse(kb, "ask_knowledge", [("wage.arrears", 0.3), ("contract.resign", 0.29)], text="工资" * 300)
    await ActionAnswer().run(dispatcher, tracker(close, channel="socketio"), {})
    declined, clarified = logged(use_database)
    assert (declined.outcome, declined.topic, declined.topic_group, declined.entry_id) == ("decline", None, None, None)
    assert (clarified.outcome, clarified.topic, clarified.topic_group) == ("clarify", "wage.arrears", "wage")
    assert clarified.channel == "socketio" and len(clarified.text) == 200


async def test_the_worker_is_answered_when_the_database_is_down(kb, monkeypatch, caplog):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody:x@127.0.0.1:9/nothing")  # nothing listens on 9
    parse = make_parse(kb, "ask_knowledge", [("contract.severance", 0.9)], text=STORY)
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.WARNING):
        await ActionAnswer().run(dispatcher, tracker(parse), {})
    assert dispatcher.messages[0]["text"].startswith(kb.overview("contract.severance").answer)
    assert "question log not written" in caplog.text
    assert "13812345678" not in caplog.text and "张三" not in caplog.text and "辞退" not in caplog.text
