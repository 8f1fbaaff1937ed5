"""A worker in crisis gets hotlines at once and is marked for a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionCrisis(Action):
    """Marks the conversation for a person; the rule has already sent the hotlines (utter_crisis)."""

    def name(self) -> str:
        """Name used in domain and rules."""
        return "action_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Ask for a person (the handoff queue picks this up)."""
        return [SlotSet("handoff_requested", True)]
