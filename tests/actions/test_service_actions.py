"""Course and aid actions with tracker fixtures, on a temporary database."""

import datetime as dt

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.say
from actions.aid import AID_SLOTS, ActionAskAidConsent, ActionSubmitAid, ValidateAidForm
from actions.courses import (
    ActionCancelSignup,
    ActionCourseDetails,
    ActionMyCourses,
    ActionStartSignup,
    ActionSubmitSignup,
)
from actions.knowledge import ActionAnswer
from bot.settings import ROOT
from bot.store import courses
from bot.store.database import session_scope
from tests.conftest import make_parse

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
DECEMBER_FIRST = dt.datetime(2026, 12, 1, 4, 0)  # noon in Beijing, before every sample class


@pytest.fixture
def catalogue(use_database, kb, monkeypatch) -> str:
    monkeypatch.setattr(actions.say, "utcnow", lambda: DECEMBER_FIRST)  # the class list starts from now
    with session_scope(use_database) as session:
        courses.sync_catalogue(session, courses=kb.local.courses)
    return use_database


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def tracker(text: str, intent: str = "ask_knowledge", entities: tuple = (), sender: str = "w1",
            **slots) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)}
    return Tracker(sender, {"requested_slot": None, **slots}, message,
                   [{"event": "user", "text": text, "input_channel": "socketio"}], False, None, {}, "action_listen")


async def test_a_question_naming_a_class_lists_the_sessions(catalogue, kb, dispatcher):
    parse = make_parse(kb, "ask_knowledge", [("course.catalog", 0.8)], text="想学瑜伽 有什么课")
    events = await ActionAnswer().run(dispatcher, Tracker("w1", {}, parse, [], False, None, {}, "action_listen"),
                                      DOMAIN)
    assert SlotSet("topic", "course.catalog") in events  # follow-ups stay on courses
    answer, message = dispatcher.messages
    assert answer["text"].startswith(kb.overview("course.catalog").answer)
    assert message["text"] == kb.replies["courses_found"].text
    assert [b["payload"] for b in message["buttons"]] == [f'/course_details{{"course_session":"yoga-{n}"}}'
                                                         for n in (1, 2, 3)]
    first = kb.local.course("yoga").sessions[0]  # sample classes move ahead by whole weeks: weekday and time stay
    assert message["buttons"][0]["title"] == \
        f"职工瑜伽（入门） {first.start.month}月{first.start.day}日（周二）19:00-20:30 新城街道 余2位"


async def test_details_then_a_sign_up_button(catalogue, dispatcher):
    entity = {"entity": "course_session", "value": "calligraphy-1"}
    await ActionCourseDetails().run(dispatcher, tracker("/course_details", "course_details", (entity,)), DOMAIN)
    details, follow = dispatcher.messages
    assert "30元材料费" in details["text"] and "还剩 20 个名额" in details["text"]
    assert follow["buttons"][0]["payload"] == '/course_signup{"course_session":"calligraphy-1"}'


async def test_the_only_matching_session_is_chosen_for_the_worker(catalogue, dispatcher):
    events = await ActionStartSignup().run(dispatcher, tracker("我要报乒乓球 晚上的", "course_signup"), DOMAIN)
    assert events == [SlotSet("course_session", "pingpong-1"), SlotSet("topic", "course.enrollment")]


async def test_full_class_waiting_list_and_promotion(catalogue, kb, dispatcher, monkeypatch):
    told = []

    async def fake_say(self, conversation_id, text, **kwargs):  # noqa: ANN001, ANN003, ANN202 - records only
        told.append((conversation_id, text))

    monkeypatch.setattr("bot.rasa_api.RasaClient.say", fake_say)
    for n, sender in enumerate(("a", "b", "c")):
        done = CollectingDispatcher()
        slots = dict(course_session="yoga-1", signup_name="王建国", signup_phone=f"1380000000{n}",
                     signup_confirmed=True)
        events = await ActionSubmitSignup().run(done, tracker("/affirm", "affirm", sender=sender, **slots), DOMAIN)
        assert SlotSet("course_session", None) in events
    assert done.messages[0]["text"].startswith("这节课已经报满了") and "第 1 位" in done.messages[0]["text"]
    await ActionMyCourses().run(dispatcher, tracker("我报了哪些课", "my_courses", sender="a"), DOMAIN)
    [listing] = dispatcher.messages
    assert "已报上" in listing["text"]
    signup = listing["buttons"][0]["payload"].split('"')[-2]
    cancel = {"entity": "signup", "value": signup}
    await ActionCancelSignup().run(dispatcher, tracker("/cancel_signup", "cancel_signup", (cancel,), sender="a"),
                                   DOMAIN)
    assert dispatcher.messages[-1]["text"] == kb.replies["signup_cancelled"].text
    assert told and told[0][0] == "c" and told[0][1].startswith("好消息")


async def test_someone_else_cannot_cancel_my_sign_up(catalogue, kb, dispatcher):
    slots = dict(course_session="yoga-2", signup_name="王建国", signup_phone="13800000001", signup_confirmed=True)
    await ActionSubmitSignup().run(CollectingDispatcher(), tracker("/affirm", "affirm", sender="me", **slots), DOMAIN)
    with session_scope(catalogue) as session:
        [mine] = courses.signups_of(session, conversation_id="me")
    cancel = {"entity": "signup", "value": str(mine.signup_id)}
    await ActionCancelSignup().run(dispatcher, tracker("/cancel_signup", "cancel_signup", (cancel,),
                                                       sender="intruder"), DOMAIN)
    assert dispatcher.messages[-1]["text"] == kb.replies["signup_not_found"].text


def aid_tracker(text: str, intent: str, requested: str | None, **slots) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker("w1", {"requested_slot": requested, **slots}, message, [{"event": "user", "text": text}], False,
                   None, {"name": "aid_form"}, "action_listen")


ANSWERS = dict(aid_union_member="yes", aid_serious_illness="yes", aid_child_in_school="no", aid_lost_job="no",
               aid_income_below_local_standard="unknown")


async def test_aid_screening_answers_and_when_it_stops(dispatcher):
    events = await ValidateAidForm().run(dispatcher, aid_tracker("不清楚", "out_of_scope", "aid_flexible_employment",
                                                                 **ANSWERS), DOMAIN)
    assert events == [SlotSet("aid_flexible_employment", "unknown")]  # something fits: the form asks consent next
    no_fit = {**ANSWERS, "aid_union_member": "no", "aid_serious_illness": "no", "aid_income_below_local_standard": "no"}
    events = await ValidateAidForm().run(dispatcher, aid_tracker("/deny", "deny", "aid_flexible_employment",
                                                                 **no_fit), DOMAIN)
    assert events[-1] == SlotSet("requested_slot", None)  # nothing fits: no personal data asked


async def test_results_then_a_referral_with_consent(use_database, kb, dispatcher):
    slots = {**ANSWERS, "aid_flexible_employment": "no", "aid_consent": True, "aid_name": "李秀英",
             "aid_phone": "13912345678"}
    await ActionAskAidConsent().run(dispatcher, aid_tracker("x", "affirm", "aid_consent", **slots), DOMAIN)
    assert dispatcher.messages[0]["text"].startswith("【大病二次救助】您很可能符合")
    assert dispatcher.messages[-1]["text"] == kb.replies["aid_ask_consent"].text
    events = await ActionSubmitAid().run(dispatcher, aid_tracker("/affirm", "affirm", None, **slots), DOMAIN)
    assert dispatcher.messages[-1]["text"] == kb.replies["aid_referred"].text
    assert {e["name"] for e in events} == {*AID_SLOTS, "requested_slot"}
