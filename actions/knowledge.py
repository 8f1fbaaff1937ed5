"""Answering from the knowledge base: questions, follow-ups, topic choices and statute articles."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import knowledge, latest_parse, turn_over
from actions.say import offer_courses, support, utter_entry
from bot.kb import answering, local
from bot.kb.articles import find_article
from bot.kb.knowledge import KnowledgeBase
from bot.kb.statutes import article_label
from bot.store import asked, courses
from bot.store.database import StoreUnavailable, in_store

log = logging.getLogger(__name__)


def refer(dispatcher: CollectingDispatcher, decision: answering.Decision, kb: KnowledgeBase,
          parse: dict[str, Any]) -> list[EventType]:
    """Another area of law: say so kindly, say where to go, and give the labor side if there is one."""
    area = decision.area
    dispatcher.utter_message(**kb.replies["refer_other_law"].render(
        area=area.name, where=area.where, services=local.legal_services(kb)))
    if decision.also is None:
        return [SlotSet("topic", None), SlotSet("last_entry", None)]
    dispatcher.utter_message(**kb.replies["labor_angle"].render())
    return utter_entry(dispatcher, decision.also, kb, parse)


async def log_question(tracker: Tracker, decision: answering.Decision, parse: dict[str, Any]) -> None:
    """Add the decision to the question log (bot.store.asked) for the statistics page.

    The log is for counting, the answer is for the worker: when the database is down the worker
    still gets the answer, and the warning names the failure, never what the worker typed.
    """
    best = decision.candidates[0] if decision.candidates else None
    topic = decision.topic or (best.topic if best and decision.kind in ("unknown", "ask_topic_first") else None)

    def write(session: Session) -> None:
        asked.record(session, conversation_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "rest",
                     outcome=decision.kind, topic=topic, confidence=best.score if best else None,
                     entry_id=decision.entry.id if decision.entry else None, text=parse.get("text") or "")

    try:
        await in_store(write)
    except StoreUnavailable as error:
        log.warning("question log not written, the answer goes on (%s)", error)


async def answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Decide (bot.kb.answering) and say it: the answer, a choice of topics, a referral, or 'not sure'."""
    kb = knowledge()
    parse = latest_parse(tracker)
    decision = answering.decide(parse, answering.Context(tracker.get_slot("topic")), kb)
    await log_question(tracker, decision, parse)
    events: list[EventType] = []
    if decision.kind == "answer" and decision.entry is not None:
        events = utter_entry(dispatcher, decision.entry, kb, parse, also=decision.also)
        if decision.entry.topic.startswith("course.") and courses.parse_query(parse.get("text") or "",
                                                                              courses=kb.local.courses).specific:
            await offer_courses(dispatcher, tracker)  # "想学电工": the answer, then the classes that match
    elif decision.kind == "refer":
        events = refer(dispatcher, decision, kb, parse)
    elif decision.kind == "clarify":
        dispatcher.utter_message(text=kb.replies["clarify"].text, buttons=answering.clarify_buttons(decision, kb))
    elif decision.kind == "decline":
        dispatcher.utter_message(response="utter_out_of_scope")
    else:
        dispatcher.utter_message(**kb.replies[decision.kind].render())
    return events + await support(dispatcher, tracker, parse, decision, kb)


class ActionAnswer(Action):
    """Answers knowledge questions, follow-ups and service requests from knowledge/."""

    def name(self) -> str:
        """Name used in domain and rules."""
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """See `answer`; the turn ends with it unless a form goes on."""
        return [*await answer(dispatcher, tracker), *turn_over(tracker)]


class ActionQuoteArticle(Action):
    """Quotes a statute article the worker names, from the texts in knowledge/laws."""

    def name(self) -> str:
        """Name used in domain and rules."""
        return "action_quote_article"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Quote the article, or say which statutes can be looked up."""
        kb = knowledge()
        parse = latest_parse(tracker)
        named = [e["value"] for e in parse.get("entities") or [] if e.get("entity") == "statute"]
        ref = find_article(parse.get("text") or "", named, kb.statutes)
        if ref is None:
            titles = "、".join(f"《{s.title}》" for s in kb.statutes.values())
            dispatcher.utter_message(**kb.replies["article_not_found"].render(statutes=titles))
            return turn_over(tracker)
        dispatcher.utter_message(**kb.replies["article"].render(
            statute=ref.statute.title, article=article_label(ref.number),
            article_text=ref.statute.article_text(ref.number)))
        return turn_over(tracker)
