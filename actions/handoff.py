"""Reaching a person: the worker asks, is in crisis, or the bot fails to understand twice."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_parse
from actions.forms import Cleaner, FieldsForm, clear
from actions.say import HUMAN_AGENT, answer_if_clear, distressed, join_queue, offer_support, queue_for_counselor
from bot import field_values
from bot.clock import utcnow
from bot.store import cases, handoff

log = logging.getLogger(__name__)

FALLBACKS_BEFORE_PERSON = 2
CALLBACK_SLOTS = ("callback_phone", "callback_note")


class ActionHandoff(Action):
    """Queues the worker for a person of the right skill (or offers a callback out of hours)."""

    def name(self) -> str:
        """Name used in domain and rules."""
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Answer a clear question asked in the same breath, then queue or offer a callback.

        A worker who showed distress in this conversation goes to a counselor ahead of the line, out of
        hours too: a callback form is the wrong answer to someone who may not be safe tonight.
        """
        events: list[EventType] = [SlotSet("handoff_requested", True)]
        kb = knowledge()
        parse = latest_parse(tracker)
        # "转人工" itself ranks as the topic 人工服务: the queue notice answers that, and the worker's own
        # topic (the slot) still decides which team takes the conversation.
        events += answer_if_clear(dispatcher, parse, kb, skip=(HUMAN_AGENT,))
        if distressed(tracker):
            await queue_for_counselor(dispatcher, tracker, kb, reason="distress")
            return events
        if not handoff.in_service_hours(utcnow(), kb.local.handoff):
            dispatcher.utter_message(**kb.replies["handoff_closed"].render(hours=handoff.hours_text(kb.local.handoff)))
            return events
        topic = next((e["value"] for e in events if e.get("name") == "topic"), tracker.get_slot("topic"))
        await join_queue(dispatcher, tracker, kb, skill=handoff.skill_for(topic, kb.local.handoff), reason="asked")
        return events


class ActionDefaultFallback(Action):
    """Ask to rephrase once; the second time in a row, offer a person instead of guessing."""

    def name(self) -> str:
        """Rasa calls this name when NLU or the policies are unsure."""
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Count consecutive fallbacks in a slot; revert the message so stories are not disturbed."""
        kb = knowledge()
        count = int(tracker.get_slot("fallback_count") or 0) + 1
        person_now = count >= FALLBACKS_BEFORE_PERSON
        dispatcher.utter_message(**kb.replies["offer_human" if person_now else "ask_rephrase"].render())
        offer_support(dispatcher, latest_parse(tracker), kb)
        return [UserUtteranceReverted(), SlotSet("fallback_count", 0 if person_now else count)]


class ValidateCallbackForm(FieldsForm):
    """Out of hours: a phone to call back and, if the worker likes, a few words about the matter."""

    free_text_slots = ("callback_note",)

    def name(self) -> str:
        """Rasa calls validate_<form name>."""
        return "validate_callback_form"

    def cleaners(self) -> dict[str, Cleaner]:
        """Phone as in the legal-aid intake; the note in the worker's own words."""
        limit = field_values.LIMITS["case_facts"]
        return {"callback_phone": lambda text, _: field_values.clean_phone(text),
                "callback_note": lambda text, _: field_values.clean_free_text("case_facts", text[:limit])}


class ActionSubmitCallback(Action):
    """Stores the callback request in the queue, where staff see it when they come in."""

    def name(self) -> str:
        """Runs when callback_form completes."""
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Queue it and say by when someone calls; keep the answers if the store is down."""
        kb = knowledge()
        callback = (tracker.get_slot("callback_phone"), tracker.get_slot("callback_note"))
        skill = handoff.skill_for(tracker.get_slot("topic"), kb.local.handoff)
        if not await join_queue(dispatcher, tracker, kb, skill=skill, reason="callback", announce=False,
                                callback=callback):
            return []
        day = cases.contact_by(utcnow(), kb.local.handoff.callback_within_workdays, kb.local.working_calendar())
        dispatcher.utter_message(**kb.replies["callback_left"].render(by=day.text()))
        return clear(CALLBACK_SLOTS)
