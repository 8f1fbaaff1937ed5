"""Satisfaction after service: the worker rates a closed work order with one tap, and may add a sentence.

The console asks once an order closes (bot.notify); the buttons carry the order number, so a
rating lands on the order it was asked for. Typed "我要评价" or "补充意见" find the conversation's
latest order still waiting for that. Nothing here blocks a question: each step is one turn.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_parse, stored
from actions.forms import Cleaner, FieldsForm, clear
from bot import field_values
from bot.store import orders

COMMENT_SLOTS = ("rating_order", "rating_comment")


def entities(tracker: Tracker) -> dict[str, str]:
    """The button's values (order number, rating) by entity name."""
    return {e["entity"]: str(e["value"]) for e in latest_parse(tracker).get("entities") or []}


async def waiting(dispatcher: CollectingDispatcher, tracker: Tracker, *, rated: bool) -> orders.OrderRow | str | None:
    """The order a typed request is about; "" when there is none, None when the store is down (worker told)."""
    return await stored(dispatcher, lambda session: orders.waiting_for_worker(
        session, conversation_id=tracker.sender_id, rated=rated) or "", down="rating_store_down")


class ActionRateService(Action):
    """Keeps a rating once per order; a 不满意 is passed to an admin for a call back."""

    def name(self) -> str:
        """Rule: intent rate_service."""
        return "action_rate_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """A tapped rating is kept; a typed "我要评价" gets the buttons of the order that waits for one."""
        replies = knowledge().replies
        values = entities(tracker)
        number, rating = values.get("order"), values.get("rating")
        if not number or not rating:
            order = await waiting(dispatcher, tracker, rated=False)
            if order:
                dispatcher.utter_message(**replies["rating_ask"].render(number=order.number,
                                                                        service=orders.KINDS[order.kind]))
            elif order == "":
                dispatcher.utter_message(**replies["rating_nothing"].render())
            return []
        result = await stored(dispatcher, lambda session: orders.rate(
            session, number=number, conversation_id=tracker.sender_id, rating=rating), down="rating_store_down")
        if result == "saved":
            reply = "rating_sorry" if rating == "dissatisfied" else "rating_thanks"
            dispatcher.utter_message(**replies[reply].render(number=number.upper()))
        elif result is not None:
            dispatcher.utter_message(**replies["rating_already" if result == "already" else "rating_nothing"].render())
        return []


class ActionStartRatingComment(Action):
    """"补充意见": ask for the sentence if an order waits for one (the form takes the next message)."""

    def name(self) -> str:
        """Rule: intent rate_comment."""
        return "action_start_rating_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Start rating_comment_form for the tapped (or latest rated) order, or say there is nothing to add to."""
        number = entities(tracker).get("order")
        if not number:
            order = await waiting(dispatcher, tracker, rated=True)
            if order is None:
                return []
            number = order.number if order else None
        if not number:
            dispatcher.utter_message(**knowledge().replies["rating_comment_nothing"].render())
            return []
        return [SlotSet("rating_order", number.upper()), FollowupAction("rating_comment_form")]


class ValidateRatingCommentForm(FieldsForm):
    """The worker's own words about the service, in one message."""

    free_text_slots = ("rating_comment",)

    def name(self) -> str:
        """Rasa calls validate_<form name>."""
        return "validate_rating_comment_form"

    def cleaners(self) -> dict[str, Cleaner]:
        """Free text, as long as a case's facts may be."""
        limit = field_values.LIMITS["case_facts"]
        return {"rating_comment": lambda text, _: field_values.clean_free_text("case_facts", text[:limit])}


class ActionSaveRatingComment(Action):
    """Adds the sentence to the order (once); staff read it beside the rating."""

    def name(self) -> str:
        """Runs when rating_comment_form completes."""
        return "action_save_rating_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Keep it, or say it was there already; the slots are forgotten either way (kept if the store is down)."""
        number, text = tracker.get_slot("rating_order"), tracker.get_slot("rating_comment")
        if not number or not text:
            return clear(COMMENT_SLOTS)
        added = await stored(dispatcher, lambda session: orders.add_comment(
            session, number=number, conversation_id=tracker.sender_id, text=text), down="rating_store_down")
        if added is None:
            return []
        dispatcher.utter_message(**knowledge().replies["rating_comment_saved" if added
                                                        else "rating_comment_nothing"].render())
        return clear(COMMENT_SLOTS)
