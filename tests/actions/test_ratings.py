"""Rating a closed work order from the buttons the console sent, and the sentence a worker adds."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.ratings import ActionRateService, ActionSaveRatingComment, ActionStartRatingComment
from bot.staff.accounts import create_staff
from bot.store import handoff, orders
from bot.store.database import session_scope
from tests.sample_terms import terms


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def tracker(intent: str, sender: str = "worker-1", text: str = "", **values) -> Tracker:
    entities = [{"entity": name, "value": value} for name, value in values.items() if name in ("order", "rating")]
    slots = {name: value for name, value in values.items() if name not in ("order", "rating")}
    message = {"text": text or f"/{intent}", "intent": {"name": intent, "confidence": 1.0}, "entities": entities}
    return Tracker(sender, slots, message, [], False, None, {}, "action_listen")


def closed_handoff(url: str, *, asked: bool = True) -> str:
    """A worker's handoff, taken and closed by staff; the console asked for a rating (unless `asked` is False)."""
    with session_scope(url) as session:
        ticket = handoff.request(session, conversation_id="worker-1", channel="socketio", skill="legal",
                                 reason="asked", minutes_per_conversation=8, terms=terms())
        legal = create_staff(session, username="l", display_name="张律师", role="legal", password="long enough 1")
        handoff.take(session, staff=legal, handoff_id=ticket.handoff_id)
        handoff.close(session, staff=legal, handoff_id=ticket.handoff_id)
        if asked:
            return orders.rating_due(session, kind="handoff", source_id=ticket.handoff_id).number
        return orders.list_orders(session, staff=legal, status="closed")[0].number


def order(url: str, number: str) -> orders.OrderView:
    with session_scope(url) as session:
        return orders.get_order(session, staff=create_staff(session, username="a", display_name="a", role="admin",
                                                            password="long enough 1"), number=number)


async def test_a_tapped_rating_is_kept_once_and_a_bad_one_is_followed_up(use_database, kb, dispatcher):
    number = closed_handoff(use_database)
    await ActionRateService().run(dispatcher, tracker("rate_service", order=number, rating="dissatisfied"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_sorry"].text
    comment = {"title": "补充意见", "payload": f'/rate_comment{{"order":"{number}"}}'}
    assert dispatcher.messages[-1]["buttons"] == [comment]
    await ActionRateService().run(dispatcher, tracker("rate_service", order=number, rating="very_satisfied"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_already"].text
    view = order(use_database, number)
    assert (view.rating, view.follow_up) == ("dissatisfied", "needed")


async def test_nobody_rates_another_workers_order(use_database, kb, dispatcher):
    number = closed_handoff(use_database)
    await ActionRateService().run(dispatcher, tracker("rate_service", sender="stranger", order=number,
                                                      rating="very_satisfied"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_nothing"].text
    assert order(use_database, number).rating is None


async def test_typing_i_want_to_rate_brings_the_buttons_of_the_order_asked_about(use_database, kb, dispatcher):
    await ActionRateService().run(dispatcher, tracker("rate_service", text="我要评价"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_nothing"].text
    closed_handoff(use_database, asked=False)  # closed, but never asked: nothing to rate yet
    await ActionRateService().run(dispatcher, tracker("rate_service", text="我要评价"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_nothing"].text


async def test_typing_i_want_to_rate_after_the_prompt(use_database, kb, dispatcher):
    number = closed_handoff(use_database)
    await ActionRateService().run(dispatcher, tracker("rate_service", text="我要评价"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_ask"].render(number=number, service="转人工")["text"]
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]] == ["很满意", "满意", "一般", "不满意"]


async def test_the_added_sentence_is_kept_once_with_numbers_masked(use_database, kb, dispatcher):
    number = closed_handoff(use_database)
    await ActionRateService().run(dispatcher, tracker("rate_service", order=number, rating="satisfied"), {})
    events = await ActionStartRatingComment().run(dispatcher, tracker("rate_comment", order=number), {})
    assert events == [SlotSet("rating_order", number), FollowupAction("rating_comment_form")]
    events = await ActionSaveRatingComment().run(dispatcher, tracker(
        "ask_knowledge", text="律师很耐心", rating_order=number, rating_comment="律师很耐心，有事打13812345678"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_comment_saved"].text
    assert SlotSet("rating_comment", None) in events
    assert order(use_database, number).rating_comment == "律师很耐心，有事打138****5678"
    await ActionStartRatingComment().run(dispatcher, tracker("rate_comment", text="我想补充意见"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_comment_nothing"].text


async def test_a_database_that_is_down_is_said_and_nothing_is_lost(kb, dispatcher, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'app.db'}")
    events = await ActionSaveRatingComment().run(dispatcher, tracker(
        "ask_knowledge", rating_order="GD-2026-000001", rating_comment="等了很久"), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["rating_store_down"].text
    assert events == []  # the sentence stays in its slot for the next try
