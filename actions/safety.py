"""A worker in crisis gets hotlines at once and goes to the front of the counselors' line."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_parse
from actions.say import answer_if_clear, queue_for_counselor
from bot.kb import answering
from bot.store import handoff


class ActionCrisis(Action):
    """Queues the conversation for a counselor with priority; the rule has already sent the hotlines."""

    def name(self) -> str:
        """Name used in domain and rules."""
        return "action_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Queue first (even out of hours, so the first counselor in sees it); say what happens next."""
        kb = knowledge()
        await queue_for_counselor(dispatcher, tracker, kb, reason="crisis")
        # "工资要不回来，不想活了": the person first, then the labor answer they also asked for.
        psych = tuple(t for t in kb.topics if handoff.skill_for(t, kb.local.handoff) == "psych")
        labor = answer_if_clear(dispatcher, latest_parse(tracker), kb, floor=answering.SECOND_FROM, skip=psych)
        return [SlotSet("handoff_requested", True), *labor]
