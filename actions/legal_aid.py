"""Legal-aid intake in conversation: the form's checks, submitting the case, and status lookup."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, ReminderCancelled, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, stored
from actions.forms import AskWithChoices, Cleaner, FieldsForm, FormStart, clear, intent_of, yes_no
from bot import field_values
from bot.clock import local_time
from bot.kb import legal_aid
from bot.kb.knowledge import KnowledgeBase
from bot.store import cases, orders
from bot.store.database import StoreUnavailable, in_store

log = logging.getLogger(__name__)

FORM_SLOTS = ("case_consent", *legal_aid.FIELDS, "case_confirmed")
LOOKUP_SLOTS = ("lookup_number", "lookup_phone")
RETRY_AFTER = dt.timedelta(seconds=60)
MAX_RETRIES = 10
RETRY_REMINDER = "retry_submission"


class ValidateLegalAidForm(FieldsForm):
    """Checks each intake answer; a bad one is re-asked with the reason, nothing else is lost."""

    free_text_slots = ("case_facts",)

    def name(self) -> str:
        """Rasa calls validate_<form name>."""
        return "validate_legal_aid_form"

    def cleaners(self) -> dict[str, Cleaner]:
        """One rule per field (bot.field_values)."""
        kb = knowledge()
        content = kb.legal_aid
        return {
            "case_consent": yes_no,
            "case_dispute": lambda text, _: content.dispute_in_text(text),
            "case_employer": lambda text, _: field_values.clean_free_text("case_employer", text),
            "case_facts": lambda text, _: field_values.clean_free_text(
                "case_facts", text[:field_values.LIMITS["case_facts"]]),
            "case_amount": lambda text, _: field_values.UNKNOWN if field_values.is_unknown(text)
            else field_values.clean_free_text("case_amount", text),
            "case_since": lambda text, _: field_values.UNKNOWN if field_values.is_unknown(text)
            else field_values.clean_free_text("case_since", text),
            "case_street": lambda text, parse: kb.local.street_asked(text, parse),
            "case_name": lambda text, _: field_values.clean_name(text),
            "case_phone": lambda text, _: field_values.clean_phone(text),
            "case_confirmed": self._confirmed,
        }

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict[str, Any]) -> list[str]:
        """Without consent nothing more is asked, and the submit action keeps nothing."""
        return ["case_consent"] if tracker.get_slot("case_consent") is False else domain_slots

    def _confirmed(self, text: str, parse: dict[str, Any]) -> bool | None:
        answer = yes_no(text, parse)
        return True if answer else None  # "no" means: change something (handled in corrections)

    def corrections(self, tracker: Tracker, parse: dict[str, Any]) -> dict[str, Any] | None:
        """'电话填错了' or a field button: clear that field (and the confirmation) so it is asked again."""
        text = parse.get("text") or ""
        named = [e["value"] for e in parse.get("entities") or [] if e.get("entity") == "field"]
        field = named[0] if named else knowledge().legal_aid.field_in_text(text)
        at_summary = tracker.get_slot("requested_slot") == "case_confirmed"
        if intent_of(parse) != "correct_field" and not (at_summary and (field or yes_no(text, parse) is False)):
            return None
        if field not in legal_aid.FIELDS:
            return {"case_confirmed": None, "case_correcting": True}
        return {field: None, "case_confirmed": None, "case_correcting": None}


class ActionStartLegalAid(FormStart):
    """Explains the intake and carries over the dispute type the worker already named."""

    service_topic = "legalaid.union_service"

    intro = "case_intro"

    def name(self) -> str:
        """Runs before legal_aid_form."""
        return "action_start_legal_aid"

    async def prefill(self, tracker: Tracker, parse: dict[str, Any]) -> dict[str, Any]:
        """The dispute type from the request's words or the topic already being discussed."""
        content = knowledge().legal_aid
        return {"case_dispute": content.dispute_in_text(parse.get("text") or "")
                or content.dispute_for_topic(tracker.get_slot("topic"))}


class ActionAskCaseDispute(AskWithChoices):
    """Dispute types from knowledge/legal_aid.yml as buttons."""

    reply = "case_ask_dispute"

    def name(self) -> str:
        """Rasa asks for case_dispute through this action."""
        return "action_ask_case_dispute"

    def choices(self) -> list[str]:
        """The labels (欠薪, 工伤, ...)."""
        return [dispute.label for dispute in knowledge().legal_aid.dispute_types.values()]


class ActionAskCaseStreet(AskWithChoices):
    """The roster's streets and towns as buttons."""

    reply = "case_ask_street"

    def name(self) -> str:
        """Rasa asks for case_street through this action."""
        return "action_ask_case_street"

    def choices(self) -> list[str]:
        """Street and town names from knowledge/local."""
        return [street.name for street in knowledge().local.streets]


class ActionAskCaseConfirmed(Action):
    """Shows the summary the worker confirms before anything is stored, or which field to change."""

    def name(self) -> str:
        """Rasa asks for case_confirmed through this action."""
        return "action_ask_case_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Summary with confirm / change / cancel buttons; after 'change', one button per field."""
        kb = knowledge()
        if tracker.get_slot("case_correcting"):
            buttons = [{"title": kb.legal_aid.fields[f].label, "payload": f'/correct_field{{"field":"{f}"}}'}
                       for f in legal_aid.FIELDS]
            dispatcher.utter_message(text=kb.replies["case_which_field"].text, buttons=buttons)
            return [SlotSet("case_correcting", None)]
        dispatcher.utter_message(**kb.replies["case_summary"].render(**summary_values(tracker, kb)))
        return []


def summary_values(tracker: Tracker, kb: KnowledgeBase) -> dict[str, str]:
    """The intake answers as the worker reads them back (labels, not codes)."""
    values = {slot: str(tracker.get_slot(slot) or "") for slot in legal_aid.FIELDS}
    values["case_dispute"] = kb.legal_aid.dispute_types[values["case_dispute"]].label
    values["case_street"] = kb.local.street(values["case_street"]).name
    return values


class ActionSubmitLegalAid(Action):
    """Opens the case once the worker confirmed; keeps everything and retries if the database is down."""

    def name(self) -> str:
        """Runs when legal_aid_form completes, and on a retry."""
        return "action_submit_legal_aid"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Submit, or say why not and what happens next."""
        kb = knowledge()
        replies = kb.replies
        if tracker.get_slot("case_consent") is False:
            dispatcher.utter_message(**replies["case_no_consent"].render())
            return clear(FORM_SLOTS)
        if not tracker.get_slot("case_confirmed"):
            dispatcher.utter_message(**replies["case_nothing_pending"].render())
            return []
        draft = cases.CaseDraft(
            dispute_type=tracker.get_slot("case_dispute"), employer=tracker.get_slot("case_employer"),
            facts=tracker.get_slot("case_facts"), amount=tracker.get_slot("case_amount"),
            since=tracker.get_slot("case_since"), street=tracker.get_slot("case_street"),
            worker_name=tracker.get_slot("case_name"), worker_phone=tracker.get_slot("case_phone"))
        try:
            receipt = await in_store(lambda session: cases.open_case(
                session, draft=draft, conversation_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "rest",
                lawyer=kb.local.street(draft.street).lawyer,
                topic=kb.legal_aid.dispute_types[draft.dispute_type].topics[0], terms=orders.Terms.of(kb.local)))
        except StoreUnavailable as error:
            return self._later(dispatcher, tracker, kb, error)
        contact = cases.contact_by(receipt.opened_at, kb.local.legal_aid.contact_within_workdays,
                                   kb.local.working_calendar())
        evidence = "\n".join(f"· {item}" for item in kb.legal_aid.dispute_types[draft.dispute_type].evidence)
        dispatcher.utter_message(**replies["case_opened"].render(
            number=receipt.number, lawyer=receipt.lawyer.name, lawyer_phone=receipt.lawyer.phone,
            contact_by=contact.text(), evidence=evidence))
        # A retry the worker tapped has done the job: the scheduled one must not say "nothing pending".
        return [*clear(FORM_SLOTS), SlotSet("case_number", receipt.number), SlotSet("case_retries", None),
                ReminderCancelled(name=RETRY_REMINDER)]

    @staticmethod
    def _later(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase,
               error: StoreUnavailable) -> list[EventType]:
        retries = int(tracker.get_slot("case_retries") or 0) + 1
        log.warning("case store unavailable (%s); attempt %d for conversation kept", error, retries)
        if retries > MAX_RETRIES:
            dispatcher.utter_message(**kb.replies["case_store_gave_up"].render())
            return [SlotSet("case_retries", 0)]
        dispatcher.utter_message(**kb.replies["case_store_down"].render())
        retry = ReminderScheduled("retry_submission", dt.datetime.now() + RETRY_AFTER, name=RETRY_REMINDER,
                                  kill_on_user_message=False)
        return [SlotSet("case_retries", retries), retry]


class ValidateCaseStatusForm(FieldsForm):
    """Case number and phone: both must match before a worker hears anything about a case."""

    def name(self) -> str:
        """Rasa calls validate_<form name>."""
        return "validate_case_status_form"

    def cleaners(self) -> dict[str, Cleaner]:
        """Number in any case and spacing; phone as in the field_values."""
        return {"lookup_number": lambda text, _: field_values.clean_case_number(text),
                "lookup_phone": lambda text, _: field_values.clean_phone(text)}



class ActionStartCaseStatus(FormStart):
    """Takes the case number from the question, or the case opened in this conversation."""

    def name(self) -> str:
        """Runs before case_status_form."""
        return "action_start_case_status"

    async def prefill(self, tracker: Tracker, parse: dict[str, Any]) -> dict[str, Any]:
        """Only the number: the phone is always asked, it is what proves the case is theirs."""
        typed = field_values.clean_case_number(parse.get("text") or "")
        return {"lookup_number": typed or tracker.get_slot("case_number")}


class ActionCaseStatus(Action):
    """Tells the worker where their case stands."""

    def name(self) -> str:
        """Runs when case_status_form completes."""
        return "action_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Status, lawyer and last change; the same 'not found' whether the number or the phone is wrong."""
        kb = knowledge()
        try:
            view = await stored(dispatcher, lambda session: cases.find_for_worker(
                session, number=tracker.get_slot("lookup_number"), phone=tracker.get_slot("lookup_phone")),
                down="case_lookup_down")
        except cases.CaseNotFound:
            dispatcher.utter_message(**kb.replies["case_not_found"].render())
            return clear(LOOKUP_SLOTS)
        if view is None:
            return clear(LOOKUP_SLOTS)
        changed = local_time(view.updated_at)
        dispatcher.utter_message(**kb.replies["case_status"].render(
            number=view.number, status=cases.STATUSES[view.status], lawyer=view.lawyer.name,
            lawyer_phone=view.lawyer.phone, updated=changed.strftime("%Y-%m-%d %H:%M")))
        return clear(LOOKUP_SLOTS)
