"""Actions with tracker fixtures: the exact events and messages each one returns."""

import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionDefaultFallback, ActionHandoff
from actions.knowledge import ActionAnswer, ActionQuoteArticle
from tests.conftest import make_parse


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


LISTEN = FollowupAction("action_listen")  # the answer ends the turn outside a form (actions.common.turn_over)


def tracker(parse: dict, loop: str | None = None, **slots) -> Tracker:
    return Tracker("worker-1", slots, parse, [], False, None, {"name": loop} if loop else {}, "action_listen")


async def test_answer_sends_entry_with_citations_buttons_and_remembers_topic(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("contract.severance", 0.9)], text="被辞退了有没有补偿")
    events = await ActionAnswer().run(dispatcher, tracker(parse), {})
    entry = kb.overview("contract.severance")
    assert events == [SlotSet("topic", "contract.severance"), SlotSet("last_entry", entry.id),
                      SlotSet("fallback_count", 0), LISTEN]
    [message] = dispatcher.messages
    assert message["text"].startswith(entry.answer)
    assert "\n\n依据：《中华人民共和国劳动合同法》" in message["text"]
    assert message["buttons"][-1] == {"title": "转人工", "payload": "/request_human"}


async def test_answer_asks_between_close_topics_without_changing_the_topic(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("wage.arrears", 0.3), ("contract.resign", 0.29)])
    events = await ActionAnswer().run(dispatcher, tracker(parse, topic="injury.benefits"), {})
    assert events == [LISTEN]
    assert dispatcher.messages[0]["text"] == kb.replies["clarify"].text
    assert len(dispatcher.messages[0]["buttons"]) == 2


async def test_answer_admits_it_does_not_know(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("time.holidays", 0.03)])
    assert await ActionAnswer().run(dispatcher, tracker(parse), {}) == [LISTEN]
    assert dispatcher.messages[0] == {**dispatcher.messages[0], **kb.replies["unknown"].render()}


async def test_inside_a_form_the_answer_leaves_the_next_step_to_the_form(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("contract.severance", 0.9)], text="被辞退了有没有补偿")
    events = await ActionAnswer().run(dispatcher, tracker(parse, loop="legal_aid_form"), {})
    assert LISTEN not in events and SlotSet("topic", "contract.severance") in events


async def test_quote_article(kb, dispatcher):
    parse = {"text": "劳动合同法第八十二条", "intent": {"name": "ask_article"},
             "entities": [{"entity": "statute", "value": "labor-contract-law"}]}
    assert await ActionQuoteArticle().run(dispatcher, tracker(parse), {}) == [LISTEN]
    [message] = dispatcher.messages
    statute = kb.statutes["labor-contract-law"]
    assert message["text"] == f"《中华人民共和国劳动合同法》第八十二条：\n{statute.article_text(82)}"


async def test_quote_article_without_statute_lists_what_can_be_quoted(dispatcher):
    parse = {"text": "第八十二条", "intent": {"name": "ask_article"}, "entities": []}
    await ActionQuoteArticle().run(dispatcher, tracker(parse), {})
    assert dispatcher.messages[0]["text"].startswith("没有找到这一条")
    assert "《中华人民共和国劳动合同法》" in dispatcher.messages[0]["text"]


async def test_handoff_also_answers_a_clear_question(kb, dispatcher, use_database, monkeypatch):
    monkeypatch.setattr("actions.handoff.utcnow", lambda: dt.datetime(2026, 12, 7, 2, 0))  # Monday 10:00 in Beijing
    parse = make_parse(kb, "request_human", [("insurance.social", 0.9)], text="转人工 另外公司不交社保")
    events = await ActionHandoff().run(dispatcher, tracker(parse), {})
    assert events[0] == SlotSet("handoff_requested", True)
    assert SlotSet("topic", "insurance.social") in events
    answer, queued = dispatcher.messages
    assert answer["text"].startswith(kb.overview("insurance.social").answer)
    assert "法律咨询工作人员" in queued["text"]  # social insurance goes to the legal team


async def test_fallback_rephrase_once_then_offer_a_person(kb, dispatcher):
    first = await ActionDefaultFallback().run(dispatcher, tracker({"text": "嗯嗯啊"}), {})
    assert first == [UserUtteranceReverted(), SlotSet("fallback_count", 1)]
    second = await ActionDefaultFallback().run(dispatcher, tracker({"text": "啊"}, fallback_count=1), {})
    assert second == [UserUtteranceReverted(), SlotSet("fallback_count", 0)]
    assert [m["text"] for m in dispatcher.messages] == [kb.replies["ask_rephrase"].text, kb.replies["offer_human"].text]
    assert dispatcher.messages[1]["buttons"][0] == {"title": "转人工", "payload": "/request_human"}


async def test_answer_declines_what_is_outside_the_knowledge_base(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("none", 0.7), ("wage.deduction", 0.1)])
    assert await ActionAnswer().run(dispatcher, tracker(parse), {}) == [LISTEN]
    assert dispatcher.messages[0]["response"] == "utter_out_of_scope"


async def test_centre_answer_shows_the_centre_of_the_named_street(kb, dispatcher):
    street = kb.local.streets[1]
    centre = kb.local.centre(street.centre)
    parse = make_parse(kb, "ask_knowledge", [("service.centers", 0.9)], text=f"{street.name}的职工服务中心在哪",
                       entities=({"entity": "street", "value": street.id},))
    await ActionAnswer().run(dispatcher, tracker(parse), {})
    assert len(dispatcher.messages) == 2
    assert dispatcher.messages[1]["text"].startswith(f"{centre.name}\n地址：{centre.address}")


async def test_hotline_answer_lists_the_deployments_hotlines(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("service.hotlines", 0.9)], text="有哪些热线电话")
    await ActionAnswer().run(dispatcher, tracker(parse), {})
    listed = dispatcher.messages[-1]["text"]
    assert all(h.number in listed for h in kb.local.hotlines)


async def test_another_area_of_law_gets_a_kind_referral_with_local_services(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("law:family", 0.8)], text="离婚孩子抚养权归谁")
    events = await ActionAnswer().run(dispatcher, tracker(parse, topic="wage.arrears"), {})
    assert events == [SlotSet("topic", None), SlotSet("last_entry", None), LISTEN]
    [message] = dispatcher.messages
    assert kb.law_areas["family"].name in message["text"] and "不属于劳动法" in message["text"]
    assert "12348" in message["text"]
    for service in kb.local.legal_services:
        assert service.name in message["text"] and service.phone in message["text"]


async def test_the_labor_side_of_a_commute_accident_follows_the_referral(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("law:traffic", 0.6), ("injury.commute", 0.3)],
                       text="上班路上被车撞了，对方全责")
    events = await ActionAnswer().run(dispatcher, tracker(parse), {})
    assert [m["text"].split("\n")[0] for m in dispatcher.messages[1:2]] == [kb.replies["labor_angle"].text]
    assert dispatcher.messages[2]["text"].startswith(kb.overview("injury.commute").answer)
    assert SlotSet("topic", "injury.commute") in events


async def test_the_second_problem_is_the_first_button_under_the_answer(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("injury.recognition", 0.6), ("wage.arrears", 0.3)])
    await ActionAnswer().run(dispatcher, tracker(parse), {})
    first = dispatcher.messages[0]["buttons"][0]
    assert first["title"] == f"另外问：{kb.overview('wage.arrears').title}"
    assert kb.overview("wage.arrears").id in first["payload"]


async def test_possible_distress_adds_the_hotline_and_a_person_to_the_answer(kb, dispatcher):
    parse = {**make_parse(kb, "ask_knowledge", [("wage.arrears", 0.9)]), "risk": {"level": "possible"}}
    await ActionAnswer().run(dispatcher, tracker(parse), {})
    assert dispatcher.messages[-1]["text"] == kb.replies["possible_risk"].text
    assert "12356" in dispatcher.messages[-1]["text"]
    assert dispatcher.messages[-1]["buttons"] == [{"title": "找人聊聊", "payload": "/request_human"}]


async def test_markup_alone_is_asked_again_with_a_person_one_tap_away(kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("law:consumer", 0.6)], text="<b></b>")
    await ActionAnswer().run(dispatcher, tracker(parse), {})
    asked = dispatcher.messages[0]
    assert asked["text"] == kb.replies["ask_rephrase"].text
    assert {"title": "转人工", "payload": "/request_human"} in asked["buttons"]
