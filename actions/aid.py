"""Hardship-aid screening in conversation: a few questions, the programmes that may fit, a referral."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, stored
from actions.forms import Cleaner, FieldsForm, FormStart, clear, yes_no
from bot import field_values
from bot.store import aid, orders

QUESTION_SLOTS = tuple(f"aid_{criterion}" for criterion in aid.CRITERIA)
AID_SLOTS = (*QUESTION_SLOTS, "aid_consent", "aid_name", "aid_phone")


def answer(text: str, parse: dict[str, Any]) -> str | None:
    """是 / 不是 / 不清楚 from buttons or words."""
    if field_values.is_unknown(text):
        return aid.UNKNOWN
    said = yes_no(text, parse)
    return None if said is None else aid.YES if said else aid.NO


def answers_of(tracker: Tracker) -> dict[str, str]:
    """The screening answers by criterion."""
    return {criterion: tracker.get_slot(f"aid_{criterion}") or aid.UNKNOWN for criterion in aid.CRITERIA}


def matches_of(tracker: Tracker) -> list[aid.Match]:
    """Programmes the answers do not rule out."""
    return aid.match(answers_of(tracker), knowledge().local.programmes)


class ValidateAidForm(FieldsForm):
    """Yes / no / unknown for each question; consent, name and phone only when something fits."""

    def name(self) -> str:
        """Rasa calls validate_<form name>."""
        return "validate_aid_form"

    def cleaners(self) -> dict[str, Cleaner]:
        """One rule for every question, then the referral's consent, name and phone."""
        return {**{slot: answer for slot in QUESTION_SLOTS}, "aid_consent": yes_no,
                "aid_name": lambda text, _: field_values.clean_name(text),
                "aid_phone": lambda text, _: field_values.clean_phone(text)}

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict[str, Any]) -> list[str]:
        """Stop after the questions when nothing fits, and after consent when it is refused."""
        if any(tracker.get_slot(slot) is None for slot in QUESTION_SLOTS):
            return domain_slots
        if not matches_of(tracker):
            return list(QUESTION_SLOTS)
        if tracker.get_slot("aid_consent") is False:
            return [*QUESTION_SLOTS, "aid_consent"]
        return domain_slots


class ActionAskAidConsent(Action):
    """The programmes that may fit, what to prepare and where to apply; then: pass it to staff?"""

    def name(self) -> str:
        """Rasa asks for aid_consent through this action."""
        return "action_ask_aid_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """One message per programme, then the consent question."""
        replies = knowledge().replies
        for found in matches_of(tracker):
            programme = found.programme
            dispatcher.utter_message(**replies[f"aid_programme_{found.verdict}"].render(
                name=programme.name, summary=programme.summary, materials="、".join(programme.materials),
                how=programme.how_to_apply))
        dispatcher.utter_message(**replies["aid_ask_consent"].render())
        return []


class ActionSubmitAid(Action):
    """Opens the referral (with consent), or closes the screening with what to do next."""

    def name(self) -> str:
        """Runs when aid_form completes."""
        return "action_submit_aid"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Nothing fits / no consent / a referral; the answers are forgotten once stored."""
        kb = knowledge()
        replies = kb.replies
        matches = matches_of(tracker)
        if not matches:
            dispatcher.utter_message(**replies["aid_no_match"].render())
            return clear(AID_SLOTS)
        if not tracker.get_slot("aid_consent"):
            dispatcher.utter_message(**replies["aid_no_consent"].render())
            return clear(AID_SLOTS)
        referral = await stored(dispatcher, lambda session: aid.open_referral(
            session, conversation_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "rest",
            answers=answers_of(tracker), programmes=[m.programme.id for m in matches],
            worker_name=tracker.get_slot("aid_name"), worker_phone=tracker.get_slot("aid_phone"),
            terms=orders.Terms.of(kb.local)), down="aid_store_down")
        if referral is None:
            return []
        dispatcher.utter_message(**replies["aid_referred"].render())
        return clear(AID_SLOTS)


class ActionStartAid(FormStart):
    """Explains the screening before the first question."""

    service_topic = "union.hardship_aid"

    intro = "aid_intro"

    def name(self) -> str:
        """Runs before aid_form."""
        return "action_start_aid"

    async def prefill(self, tracker: Tracker, parse: dict[str, Any]) -> dict[str, Any]:
        """Nothing is assumed from the request: every question is asked."""
        return {}
