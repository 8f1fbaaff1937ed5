"""Reaching a person: the worker asks for one, or the bot fails to understand twice."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_parse
from actions.knowledge import utter_entry
from bot import answering

FALLBACKS_BEFORE_PERSON = 2


class ActionHandoff(Action):
    """Tells the worker how a person will reach them; answers a question asked in the same breath."""

    def name(self) -> str:
        """Name used in domain and rules."""
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Mark the request (the rule has confirmed it); answer a clear question asked with it."""
        events: list[EventType] = [SlotSet("handoff_requested", True)]
        kb = knowledge()
        parse = latest_parse(tracker)
        decision = answering.decide(parse, answering.Context(), kb)
        if decision.kind == "answer" and decision.entry and decision.candidates \
                and decision.candidates[0].score >= answering.CLARIFY_BELOW:
            events += utter_entry(dispatcher, decision.entry, kb, parse)
        return events


class ActionDefaultFallback(Action):
    """Ask to rephrase once; the second time in a row, offer a person instead of guessing."""

    def name(self) -> str:
        """Rasa calls this name when NLU or the policies are unsure."""
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Count consecutive fallbacks in a slot; revert the message so stories are not disturbed."""
        replies = knowledge().replies
        count = int(tracker.get_slot("fallback_count") or 0) + 1
        if count >= FALLBACKS_BEFORE_PERSON:
            dispatcher.utter_message(**replies["offer_human"].render())
            return [UserUtteranceReverted(), SlotSet("fallback_count", 0)]
        dispatcher.utter_message(**replies["ask_rephrase"].render())
        return [UserUtteranceReverted(), SlotSet("fallback_count", count)]
