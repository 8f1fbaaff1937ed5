"""Union classes in conversation: finding one, its details, signing up, my classes, cancelling."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_parse, stored
from actions.forms import Cleaner, FieldsForm, FormStart, clear, yes_no
from actions.say import COURSES_DOWN, find, session_button, utter_sessions
from bot import field_values
from bot.kb.knowledge import KnowledgeBase
from bot.notify import Notifier
from bot.rasa_api import RasaUnavailable
from bot.settings import load_settings
from bot.store import courses

log = logging.getLogger(__name__)
T = TypeVar("T")

SIGNUP_SLOTS = ("course_session", "signup_confirmed")


def entity(parse: dict[str, Any], name: str) -> str | None:
    """The first value of an entity (button payloads carry ids this way)."""
    return next((str(e["value"]) for e in parse.get("entities") or [] if e.get("entity") == name), None)


def place_name(kb: KnowledgeBase, centre_id: str) -> str:
    """A centre id as its name and address."""
    centre = kb.local.centre(centre_id)
    return kb.replies["course_place"].render(name=centre.name, address=centre.address)["text"]


async def show_courses(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Matching sessions as buttons that open their details; a clear answer when none match."""
    kb = knowledge()
    found = await find(tracker, kb, dispatcher)
    if found == []:
        dispatcher.utter_message(**kb.replies["courses_none"].render())
    elif found:
        utter_sessions(dispatcher, kb, found)
    return []


class ActionCourseDetails(Action):
    """What a class is, when and where, what it costs, seats left; a button to sign up."""

    def name(self) -> str:
        """Runs for the details button under a search result."""
        return "action_course_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Details of the session in the payload (or a search if there is none)."""
        kb = knowledge()
        session_id = entity(latest_parse(tracker), "course_session") or ""
        found = await stored(dispatcher, lambda session: [courses.get_session(session, session_id=session_id)],
                             down=COURSES_DOWN)
        if found is None:  # the worker has been told the store is down
            return []
        view = found[0]
        if view is None:  # no such class (an old button): show what there is
            return await show_courses(dispatcher, tracker)
        course = kb.local.course(view.course_id)
        seats = kb.replies["course_seats" if view.seats_left else "course_full"].render(left=view.seats_left)["text"]
        dispatcher.utter_message(**kb.replies["course_details"].render(
            name=view.course_name, description=course.description, when=view.when(),
            place=place_name(kb, view.place), cost=view.cost, seats=seats))
        dispatcher.utter_message(**kb.replies["course_details_next"].render(session=view.id))
        return []


class ActionStartSignup(FormStart):
    """Carries the chosen session (from a button, or the only one the words match) into the form."""

    service_topic = "course.enrollment"

    def name(self) -> str:
        """Runs before signup_form."""
        return "action_start_signup"

    async def prefill(self, tracker: Tracker, parse: dict[str, Any]) -> dict[str, Any]:
        """The session id from the payload, or the single session the message points at."""
        chosen = entity(parse, "course_session")
        if chosen is None and courses.parse_query(parse.get("text") or "", courses=knowledge().local.courses).specific:
            found = await find(tracker, knowledge(), None) or []
            chosen = found[0].id if len(found) == 1 else None
        return {"course_session": chosen}


class ActionAskCourseSession(Action):
    """Which class: the sessions matching what the worker said, as buttons."""

    def name(self) -> str:
        """Rasa asks for course_session through this action."""
        return "action_ask_course_session"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Buttons send the session id back as the answer."""
        kb = knowledge()
        found = await find(tracker, kb, dispatcher)
        if found is None:
            return []
        buttons = [session_button(kb, view, view.id) for view in found]
        dispatcher.utter_message(text=kb.replies["signup_which_session"].text, buttons=buttons)
        return []


class ValidateSignupForm(FieldsForm):
    """Session, name and phone, each checked; a summary to confirm."""

    def name(self) -> str:
        """Rasa calls validate_<form name>."""
        return "validate_signup_form"

    def cleaners(self) -> dict[str, Cleaner]:
        """A session that exists, a name, a mobile number, a yes."""
        return {"course_session": self._session, "signup_name": lambda text, _: field_values.clean_name(text),
                "signup_phone": lambda text, _: field_values.clean_phone(text),
                "signup_confirmed": lambda text, parse: yes_no(text, parse) or None}

    @staticmethod
    def _session(text: str, parse: dict[str, Any]) -> str | None:
        wanted = entity(parse, "course_session") or text.strip()
        ids = {s.id for c in knowledge().local.courses for s in c.sessions}
        return wanted if wanted in ids else None


class ActionAskSignupConfirmed(Action):
    """The sign-up summary with confirm and cancel buttons."""

    def name(self) -> str:
        """Rasa asks for signup_confirmed through this action."""
        return "action_ask_signup_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Course, time, place, name and phone."""
        kb = knowledge()
        view = await stored(dispatcher, lambda session: courses.get_session(
            session, session_id=tracker.get_slot("course_session")), down=COURSES_DOWN)
        if view is None:
            return []
        dispatcher.utter_message(**kb.replies["signup_summary"].render(
            name=view.course_name, when=view.when(), place=place_name(kb, view.place),
            worker=tracker.get_slot("signup_name"), phone=tracker.get_slot("signup_phone")))
        return []


class ActionSubmitSignup(Action):
    """Takes a seat or a waiting-list place; the database guarantees no session is oversold."""

    def name(self) -> str:
        """Runs when signup_form completes."""
        return "action_submit_signup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Sign up and say where the worker stands; keep the answers if the store is down."""
        kb = knowledge()
        result = await stored(dispatcher, lambda session: courses.sign_up(
            session, session_id=tracker.get_slot("course_session"), worker_name=tracker.get_slot("signup_name"),
            phone=tracker.get_slot("signup_phone"), conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "rest"), down="signup_store_down")
        if result is None:
            return []
        view = result.session
        values = {"name": view.course_name, "when": view.when(), "place": place_name(kb, view.place),
                  "position": result.waiting_position}
        reply = "signup_confirmed" if result.status == "confirmed" else "signup_waiting"
        dispatcher.utter_message(**kb.replies[reply].render(**values))
        return clear(SIGNUP_SLOTS)


class ActionMyCourses(Action):
    """The classes signed up for in this conversation, each with a cancel button."""

    def name(self) -> str:
        """Runs for '我报了哪些课'."""
        return "action_my_courses"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Seats and waiting places, soonest first."""
        kb = knowledge()
        mine = await stored(dispatcher, lambda session: courses.signups_of(session, conversation_id=tracker.sender_id),
                            down=COURSES_DOWN)
        if mine is None:
            return []
        if not mine:
            dispatcher.utter_message(**kb.replies["my_courses_none"].render())
            return []
        lines = [kb.replies["my_course_line"].render(
            name=r.session.course_name, when=r.session.when(),
            state=kb.replies["my_course_confirmed" if r.status == "confirmed" else "my_course_waiting"].render(
                position=r.waiting_position)["text"])["text"] for r in mine]
        buttons = [{"title": kb.replies["my_course_cancel_button"].render(
                        name=r.session.course_name, when=r.session.when())["text"],
                    "payload": f'/cancel_signup{{"signup":"{r.signup_id}"}}'} for r in mine]
        dispatcher.utter_message(text=kb.replies["my_courses"].render(lines="\n".join(lines))["text"], buttons=buttons)
        return []


class ActionCancelSignup(Action):
    """Cancels one of the worker's sign-ups; a freed seat goes to the waiting list, who are told."""

    def name(self) -> str:
        """Runs for a cancel button (or '取消报名', which lists the sign-ups first)."""
        return "action_cancel_signup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Cancel, then tell the promoted worker on their own channel."""
        kb = knowledge()
        signup = entity(latest_parse(tracker), "signup")
        if signup is None or not signup.isdigit():
            return await ActionMyCourses().run(dispatcher, tracker, domain)
        try:  # a list, because no promotion (None) is an answer too
            cancelled = await stored(dispatcher, lambda session: [courses.cancel(
                session, signup_id=int(signup), conversation_id=tracker.sender_id)], down=COURSES_DOWN)
        except LookupError:
            dispatcher.utter_message(**kb.replies["signup_not_found"].render())
            return []
        if cancelled is None:
            return []
        promotion = cancelled[0]
        dispatcher.utter_message(**kb.replies["signup_cancelled"].render())
        if promotion is None:
            return []
        view = promotion.session
        values = {"name": view.course_name, "when": view.when(), "place": place_name(kb, view.place)}
        if promotion.conversation_id == tracker.sender_id:
            # Their own waiting place moved up: this very turn holds the conversation's lock, so
            # telling them through Rasa would wait on ourselves. Say it here.
            dispatcher.utter_message(**kb.replies["signup_promoted"].render(**values))
            return []
        try:
            await Notifier.from_settings(load_settings()).tell(promotion.conversation_id, "signup_promoted", **values)
        except RasaUnavailable as error:
            log.warning("could not tell signup %s of its promotion: %s", promotion.signup_id, error)
        return []

