"""Legal-aid actions with tracker fixtures: the form's checks, submitting, retrying, looking up."""

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ActionCancelForm
from actions.legal_aid import (
    FORM_SLOTS,
    ActionAskCaseConfirmed,
    ActionCaseStatus,
    ActionStartLegalAid,
    ActionSubmitLegalAid,
    ValidateLegalAidForm,
)
from bot.settings import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
FILLED = dict(case_consent=True, case_dispute="wage", case_employer="鑫达电子厂", case_facts="三个月没发工资",
              case_amount="一万五", case_since="今年8月", case_street="xincheng", case_name="王建国",
              case_phone="13812345678", case_confirmed=True)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def parse(text: str, intent: str = "ask_knowledge", entities: tuple = ()) -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)}


def form_tracker(message: dict, requested: str | None, **slots) -> Tracker:
    return Tracker("worker-1", {"requested_slot": requested, **slots}, message,
                   [{"event": "user", "text": message["text"]}], False, None,
                   {"name": "legal_aid_form"}, "action_listen")


async def validate(message: dict, requested: str | None, dispatcher, **slots) -> list:
    return await ValidateLegalAidForm().run(dispatcher, form_tracker(message, requested, **slots), DOMAIN)


async def test_a_valid_answer_fills_the_slot_asked(dispatcher):
    events = await validate(parse("138 1234 5678", "inform"), "case_phone", dispatcher)
    assert events == [SlotSet("case_phone", "13812345678")]
    assert dispatcher.messages == []


async def test_an_invalid_phone_is_re_asked_with_the_reason(kb, dispatcher):
    events = await validate(parse("1381234", "inform"), "case_phone", dispatcher)
    assert events == [SlotSet("case_phone", None)]
    assert dispatcher.messages[0]["text"] == kb.replies["invalid_case_phone"].text


async def test_a_question_mid_form_is_left_to_the_rules(dispatcher):
    assert await validate(parse("加班费怎么算？"), "case_employer", dispatcher) == []
    # ... but a description that is phrased as a question is still the facts
    events = await validate(parse("老板跑了工资怎么办", "ask_knowledge"), "case_facts", dispatcher)
    assert events == [SlotSet("case_facts", "老板跑了工资怎么办")]


async def test_requests_for_a_person_or_to_cancel_are_never_taken_as_answers(dispatcher):
    for intent in ("request_human", "cancel", "crisis"):
        assert await validate(parse("不办了", intent), "case_employer", dispatcher) == []


async def test_street_from_entity_or_name(dispatcher):
    events = await validate(parse("我在东湖那边", "inform"), "case_street", dispatcher)
    assert events == [SlotSet("case_street", "donghu")]
    entity = {"entity": "street", "value": "hexi"}
    assert await validate(parse("河西镇", "inform", (entity,)), "case_street", dispatcher) == \
        [SlotSet("case_street", "hexi")]


async def test_no_consent_ends_the_form_and_nothing_is_kept(kb, dispatcher):
    events = await validate(parse("/deny", "deny"), "case_consent", dispatcher)
    assert events == [SlotSet("case_consent", False), SlotSet("requested_slot", None)]
    tracker = form_tracker(parse("/deny", "deny"), None, case_consent=False)
    events = await ActionSubmitLegalAid().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[-1]["text"] == kb.replies["case_no_consent"].text
    assert SlotSet("case_consent", None) in events


async def test_a_correction_at_the_summary_clears_that_field(dispatcher):
    events = await validate(parse("电话填错了", "deny"), "case_confirmed", dispatcher, **FILLED)
    assert events == [SlotSet("case_phone", None), SlotSet("case_confirmed", None), SlotSet("case_correcting", None)]


async def test_no_at_the_summary_offers_one_button_per_field(kb, dispatcher):
    events = await validate(parse("/deny", "deny"), "case_confirmed", dispatcher, **FILLED)
    assert events == [SlotSet("case_confirmed", None), SlotSet("case_correcting", True)]
    tracker = form_tracker(parse("/deny", "deny"), "case_confirmed", **{**FILLED, "case_correcting": True})
    assert await ActionAskCaseConfirmed().run(dispatcher, tracker, DOMAIN) == [SlotSet("case_correcting", None)]
    buttons = dispatcher.messages[-1]["buttons"]
    assert buttons[-1] == {"title": "手机号", "payload": '/correct_field{"field":"case_phone"}'}
    assert len(buttons) == 8


async def test_summary_shows_labels_not_codes(dispatcher):
    await ActionAskCaseConfirmed().run(dispatcher, form_tracker(parse("x"), "case_confirmed", **FILLED), DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert "纠纷类型：欠薪" in text and "新城街道" in text and "13812345678" in text


async def test_start_carries_over_the_dispute_type(dispatcher):
    tracker = Tracker("worker-1", {"topic": "injury.recognition"}, parse("我要申请法律援助", "request_legal_aid"),
                      [], False, None, {}, "action_listen")
    events = await ActionStartLegalAid().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("case_dispute", "injury")]


async def test_cancel_forgets_the_answers(kb, dispatcher):
    tracker = form_tracker(parse("不办了", "cancel"), "case_name", **FILLED)
    events = await ActionCancelForm().run(dispatcher, tracker, DOMAIN)
    assert events[0] == ActiveLoop(None)
    assert {e["name"] for e in events[1:]} == {*FORM_SLOTS, "requested_slot"}
    assert all(e["value"] is None for e in events[1:])
    assert dispatcher.messages[0]["text"] == kb.replies["form_cancelled"].text


async def test_submitting_twice_opens_one_case(use_database, dispatcher):
    tracker = form_tracker(parse("/affirm", "affirm"), None, **FILLED)
    first = await ActionSubmitLegalAid().run(dispatcher, tracker, DOMAIN)
    second = await ActionSubmitLegalAid().run(dispatcher, tracker, DOMAIN)
    number = next(e["value"] for e in first if e["name"] == "case_number")
    assert number.startswith("FY-") and SlotSet("case_number", number) in second
    assert "王律师（示例）" in dispatcher.messages[0]["text"]
    assert "工资条" in dispatcher.messages[0]["text"]  # the wage evidence checklist


async def test_database_down_keeps_the_answers_and_schedules_a_retry(kb, postgres_server, monkeypatch, dispatcher):
    monkeypatch.setenv("DATABASE_URL", postgres_server.url.rsplit(":", 1)[0] + ":9/zgfw")
    tracker = form_tracker(parse("/affirm", "affirm"), None, **FILLED)
    events = await ActionSubmitLegalAid().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["text"] == kb.replies["case_store_down"].text
    assert events[0] == SlotSet("case_retries", 1)
    assert events[1]["event"] == "reminder" and events[1]["intent"] == "retry_submission"
    assert not any(e.get("name") in FORM_SLOTS for e in events)  # nothing the worker typed is dropped


async def test_status_lookup_needs_the_matching_phone(use_database, kb, dispatcher):
    submitted = await ActionSubmitLegalAid().run(dispatcher, form_tracker(parse("/affirm", "affirm"), None, **FILLED),
                                                 DOMAIN)
    number = next(e["value"] for e in submitted if e["name"] == "case_number")
    for phone, reply in (("13812345678", "case_status"), ("13900000000", "case_not_found")):
        lookup = CollectingDispatcher()
        tracker = Tracker("worker-1", {"lookup_number": number, "lookup_phone": phone}, parse("x"), [], False,
                          None, {}, "case_status_form")
        await ActionCaseStatus().run(lookup, tracker, DOMAIN)
        assert lookup.messages[0]["text"].startswith(kb.replies[reply].text.split("{")[0])


def test_a_slot_hook_written_the_sdk_way_is_an_error_not_silently_skipped():
    from actions.forms import FieldsForm

    with pytest.raises(TypeError, match="validate_case_phone would never run"):
        class ValidateSomethingForm(FieldsForm):
            def name(self) -> str:
                return "validate_something_form"

            def cleaners(self) -> dict:
                return {}

            async def validate_case_phone(self, value, dispatcher, tracker, domain) -> dict:
                return {"case_phone": value}
