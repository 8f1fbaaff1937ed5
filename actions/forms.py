"""What every intake form shares: answers cleaned, bad ones re-asked, questions let through.

Each form fills the slot it asked from the worker's words, cleans it, re-asks in Chinese when
the answer does not fit, and lets questions and requests pass to their rules.

A form subclasses FieldsForm with one cleaner per slot (text in, clean value or None out) and
replies named `invalid_<slot>` in knowledge/replies.yml for the re-prompts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.common import knowledge, latest_parse
from bot import consent
from bot.kb import answering

# Intents a form never swallows as an answer: the rules for them run, then the form resumes.
PASS_THROUGH = {"crisis", "request_human", "cancel"}
QUESTION_INTENTS = {"ask_knowledge", "follow_up", "ask_article", "main_menu", "bot_challenge"}

Cleaner = Callable[[str, dict[str, Any]], Any]


def is_question(parse: dict[str, Any]) -> bool:
    """A question asked mid-form: a question intent and question words (a bare name is not one)."""
    intent = (parse.get("intent") or {}).get("name")
    text = parse.get("text") or ""
    return intent in QUESTION_INTENTS and any(word in text for word in knowledge().terms.question_words)


def intent_of(parse: dict[str, Any]) -> str | None:
    """The intent name of an NLU result."""
    return (parse.get("intent") or {}).get("name")


class FieldsForm(FormValidationAction, ABC):
    """Validation action of a form whose slots are filled only from the slot being asked."""

    # Slots whose answer is free text: a question there is the answer ("老板跑了怎么办").
    free_text_slots: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse the SDK's per-slot hooks: this class replaces the code that would call them.

        A `validate_<slot>` or `extract_<slot>` method written the way Rasa's documentation says
        would be skipped without a word; failing at import says where the check belongs.
        """
        super().__init_subclass__(**kwargs)
        hooks = sorted(name for name in vars(cls) if name.startswith(("validate_", "extract_")))
        if hooks:
            raise TypeError(f"{cls.__name__}: {', '.join(hooks)} would never run; FieldsForm checks slots "
                            "with cleaners() (text -> value or None) and corrections()")

    @abstractmethod
    def cleaners(self) -> dict[str, Cleaner]:
        """Slot name -> function of (text, parse) giving the clean value, or None to re-ask."""

    def corrections(self, tracker: Tracker, parse: dict[str, Any]) -> dict[str, Any] | None:
        """Slots to clear when the worker corrects an earlier answer; None when this is no correction."""
        return None

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[EventType]:
        """Take the worker's message for the requested slot, unless it is something else."""
        parse = latest_parse(tracker)
        requested = tracker.get_slot("requested_slot")
        if intent_of(parse) in PASS_THROUGH:
            return []
        if requested is None:  # activation: only the prefilled values are checked
            return []
        corrected = self.corrections(tracker, parse)
        if corrected is not None:
            return [SlotSet(slot, value) for slot, value in corrected.items()]
        text = (parse.get("text") or "").strip()
        button_intent = text.startswith("/") and intent_of(parse) not in {"affirm", "deny"}
        if not text or button_intent or (requested not in self.free_text_slots and is_question(parse)):
            return []
        return [SlotSet(requested, text)]

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[EventType]:
        """Clean every slot set this turn; re-ask with the slot's own reply when it does not fit."""
        parse = latest_parse(tracker)
        cleaners = self.cleaners()
        replies = knowledge().replies
        events: list[EventType] = []
        for slot, value in tracker.slots_to_validate().items():
            if slot in cleaners and isinstance(value, str):
                value = cleaners[slot](value, parse)
                if value is None:
                    dispatcher.utter_message(**replies[f"invalid_{slot}"].render())
            events.append(SlotSet(slot, value))
        return events


class FormStart(Action, ABC):
    """Runs before a form: fills what the request already tells, then the form asks the rest."""

    intro: str | None = None  # reply said before the first question
    service_topic: str | None = None  # the conversation's topic when it had none

    @abstractmethod
    async def prefill(self, tracker: Tracker, parse: dict[str, Any]) -> dict[str, Any]:
        """Slot values known from the request's words or the conversation so far."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Say the intro and set the known slots (the form validates them on activation)."""
        if self.intro:
            dispatcher.utter_message(**knowledge().replies[self.intro].render())
        parse = latest_parse(tracker)
        values = {**await self.prefill(tracker, parse), "topic": self.topic_of(parse)}
        return [SlotSet(slot, value) for slot, value in values.items() if value and tracker.get_slot(slot) is None]

    def topic_of(self, parse: dict[str, Any]) -> str | None:
        """What the request is about: a topic the worker clearly named, else the service's own topic.

        Follow-ups after the form ("要准备什么材料") are then answered in that topic.
        """
        if self.service_topic is None:
            return None
        decision = answering.decide(parse, answering.Context(), knowledge())
        confident = decision.kind == "answer" and decision.candidates \
            and decision.candidates[0].score >= answering.CLARIFY_BELOW
        return decision.entry.topic if confident and decision.entry else self.service_topic


def clear(slots: tuple[str, ...]) -> list[EventType]:
    """Forget a form's answers (after submitting or cancelling)."""
    return [SlotSet(slot, None) for slot in slots] + [SlotSet("requested_slot", None)]


def deactivate(slots: tuple[str, ...]) -> list[EventType]:
    """End the form and forget its answers."""
    return [ActiveLoop(None), *clear(slots)]


def yes_no(text: str, parse: dict[str, Any]) -> bool | None:
    """Yes, no or unclear: a button's payload (/affirm, /deny) by its intent, typed words by bot.consent.

    DIET's affirm/deny is not trusted for typed text: it has read "不提交" as a yes.
    """
    if text.strip().startswith("/") and intent_of(parse) in {"affirm", "deny"}:
        return intent_of(parse) == "affirm"
    return consent.read(text, knowledge().terms.consent)


class ActionCancelForm(Action):
    """'取消' during any form: end it and forget its answers; nothing is stored."""

    def name(self) -> str:
        """Rule: cancel while a form is active."""
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """The form's own slots come from the domain, so every form cancels the same way."""
        form = tracker.active_loop.get("name")
        slots = tuple((domain.get("forms") or {}).get(form, {}).get("required_slots") or ())
        dispatcher.utter_message(**knowledge().replies["form_cancelled"].render())
        return deactivate(slots)


class AskWithChoices(Action, ABC):
    """Asks for a slot with one button per choice taken from knowledge/ (lists a union edits)."""

    reply: str

    @abstractmethod
    def choices(self) -> list[str]:
        """Button titles; the title is sent back as the answer."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """The question and its buttons."""
        buttons = [{"title": title, "payload": title} for title in self.choices()]
        dispatcher.utter_message(text=knowledge().replies[self.reply].text, buttons=buttons)
        return []
