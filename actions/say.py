"""What more than one action says: an entry's answer, the classes that match, a place in the line.

Action modules import only this, `common` and `forms`, never each other: a crisis, a request for a
person and a knowledge question each compose these pieces in their own order.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_parse, stored
from bot.clock import local_time, utcnow
from bot.kb import answering, local
from bot.kb.knowledge import Entry, KnowledgeBase
from bot.nlu.crisis import CRISIS, POSSIBLE
from bot.store import courses, handoff, orders

COURSES_DOWN = "courses_down"  # what a worker hears when the class list cannot be read or written
HUMAN_AGENT = "service.human_agent"  # the topic of asking how to reach a person


def utter_entry(dispatcher: CollectingDispatcher, entry: Entry, kb: KnowledgeBase,
                parse: dict[str, Any], also: Entry | None = None) -> list[EventType]:
    """Send an entry's answer with its citation line, next-step buttons and local details; remember the topic.

    `also` (the other problem of a two-problem message) is offered as the first button.
    """
    if entry.citations:
        message = kb.replies["kb_answer"].render(answer=entry.answer, citations=answering.citation_line(entry, kb))
    else:
        message = kb.replies["kb_answer_plain"].render(answer=entry.answer)
    offered = [answering.entry_button(also, kb.replies["also_ask"].render(title=also.title)["text"])] if also else []
    dispatcher.utter_message(text=message["text"], buttons=[*offered, *answering.buttons(entry, kb)])
    for detail in local.details(entry, parse, kb):
        dispatcher.utter_message(text=detail)
    return [SlotSet("topic", entry.topic), SlotSet("last_entry", entry.id), SlotSet("fallback_count", 0)]


def answer_if_clear(dispatcher: CollectingDispatcher, parse: dict[str, Any], kb: KnowledgeBase, *,
                    floor: float = answering.CLARIFY_BELOW, skip: tuple[str, ...] = ()) -> list[EventType]:
    """Answer a clear labor question asked in the same breath as a request for a person (or a cry for help).

    `skip` names topics the reply already covers (a crisis reply already is the psychological help).
    """
    decision = answering.decide(parse, answering.Context(), kb)
    if decision.kind != "answer" or decision.entry is None:
        return []
    candidate = next((c for c in decision.candidates if c.topic not in skip), None)
    if candidate is None or candidate.score < floor:
        return []
    entry = decision.entry if candidate.topic == decision.entry.topic else kb.entries[candidate.entry]
    return utter_entry(dispatcher, entry, kb, parse)


def offer_support(dispatcher: CollectingDispatcher, parse: dict[str, Any], kb: KnowledgeBase) -> None:
    """The second safety tier: distress that may be a risk gets the hotline and an offer of a person."""
    if (parse.get("risk") or {}).get("level") == POSSIBLE:
        dispatcher.utter_message(**kb.replies["possible_risk"].render())


async def support(dispatcher: CollectingDispatcher, tracker: Tracker, parse: dict[str, Any],
                  decision: answering.Decision, kb: KnowledgeBase) -> list[EventType]:
    """The second safety tier under an answer; a counselor at once when the distress is all there is to answer.

    "不知道还能找谁 快救我" ranks first as psychological help, "能不能找个真人跟我说说话 我快撑不住了"
    as reaching a person: a button to tap is one step too many for someone who may not be safe, so the
    counselor is lined up (ahead of the line, behind a crisis). A labor question with distress in it
    ("讨薪讨到心灰意冷") keeps the answer and the offer.
    """
    best = decision.candidates[0].topic if decision.candidates else None
    wants_person = best == HUMAN_AGENT or handoff.skill_for(best, kb.local.handoff) == "psych"
    if (parse.get("risk") or {}).get("level") != POSSIBLE or not wants_person:
        offer_support(dispatcher, parse, kb)
        return []
    dispatcher.utter_message(**kb.replies["possible_risk_queued"].render())
    await queue_for_counselor(dispatcher, tracker, kb, reason="distress")
    return [SlotSet("handoff_requested", True)]


def distressed(tracker: Tracker) -> bool:
    """Whether a message of this session showed distress (the detector's `possible` or `crisis`).

    A worker who said "半夜了 快坚持不下去了" and then taps 找人聊聊 needs a counselor soon, not the
    legal team's line in the order of arrival.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "user" and ((event.get("parse_data") or {}).get("risk") or {}).get("level") in (
                POSSIBLE, CRISIS):
            return True
    return False


async def queue_for_counselor(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, *,
                              reason: str) -> None:
    """Queue for a counselor ahead of others, even out of hours so the first one in sees it; say what happens."""
    on_duty = handoff.in_service_hours(utcnow(), kb.local.handoff)
    if not on_duty:
        dispatcher.utter_message(**kb.replies[f"{reason}_out_of_hours"].render())
    await join_queue(dispatcher, tracker, kb, skill="psych", reason=reason, announce=on_duty)


async def join_queue(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, *, skill: str,
               reason: str, announce: bool = True, callback: tuple[str, str] | None = None) -> bool:
    """Put the conversation in line (telling the worker their place); False if the store is down."""
    phone, note = callback or (None, None)
    ticket = await stored(dispatcher, lambda session: handoff.request(
        session, conversation_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "rest",
        skill=skill, reason=reason, minutes_per_conversation=kb.local.handoff.minutes_per_conversation,
        terms=orders.Terms.of(kb.local), topic=tracker.get_slot("topic"), callback_phone=phone,
        callback_note=note), down="handoff_store_down")
    if ticket is None:
        return False
    if announce:
        dispatcher.utter_message(**kb.replies["handoff_queued"].render(
            position=ticket.position, minutes=max(ticket.expected_minutes, 1), skill=handoff.SKILLS[skill]))
    return True


def session_button(kb: KnowledgeBase, view: courses.SessionView, payload: str) -> dict[str, str]:
    """One class meeting as a button: name, time, street and free seats."""
    seats = kb.replies["course_seats_short" if view.seats_left else "course_full_short"].render(left=view.seats_left)
    title = kb.replies["course_button"].render(name=view.course_name, when=view.when(),
                                               street=kb.local.street(view.street).name, seats=seats["text"])
    return {"title": title["text"], "payload": payload}


async def find(tracker: Tracker, kb: KnowledgeBase, dispatcher: CollectingDispatcher | None) -> list | None:
    """Upcoming sessions matching the worker's last message (all upcoming if it names nothing)."""
    parse = latest_parse(tracker)
    text = parse.get("text") or ""
    query = courses.parse_query(text, courses=kb.local.courses, street=kb.local.street_asked(text, parse))
    now = local_time(utcnow()).replace(tzinfo=None)  # the catalogue's times are local
    return await stored(dispatcher, lambda session: courses.search(
        session, query=query, courses=kb.local.courses, now=now), down=COURSES_DOWN)


def utter_sessions(dispatcher: CollectingDispatcher, kb: KnowledgeBase, found: list) -> None:
    """Sessions as buttons that open their details."""
    buttons = [session_button(kb, v, f'/course_details{{"course_session":"{v.id}"}}') for v in found]
    dispatcher.utter_message(text=kb.replies["courses_found"].text, buttons=buttons)


async def offer_courses(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Under a knowledge answer: the matching sessions, if there are any (silent otherwise)."""
    kb = knowledge()
    found = await find(tracker, kb, None)
    if found:
        utter_sessions(dispatcher, kb, found)
