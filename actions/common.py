"""What every action module shares: the knowledge base, the last parse, and the app database call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot.kb.knowledge import KnowledgeBase, load_cached
from bot.settings import load_settings
from bot.store.database import StoreUnavailable, in_store

log = logging.getLogger(__name__)
T = TypeVar("T")


def knowledge() -> KnowledgeBase:
    """The checked knowledge base (cached after the first call)."""
    return load_cached(str(load_settings().knowledge_dir))


def latest_parse(tracker: Tracker) -> dict:
    """The NLU result of the worker's last message, with the text the worker typed."""
    return dict(tracker.latest_message or {})


def turn_over(tracker: Tracker) -> list[EventType]:
    """Listen next without asking the policies, unless a form waits for this answer.

    Outside a form the rules always listen after an answer (tests/test_turn_end.py holds the
    training data to that); predicting it with TED, memoization and the rules again cost about
    a fifth of a knowledge turn (`make bench`).
    """
    return [] if tracker.active_loop_name else [FollowupAction("action_listen")]


async def stored(dispatcher: CollectingDispatcher | None, work: Callable[[Session], T], *, down: str) -> T | None:
    """One unit of work off the event loop; None when the database is down, and the worker is told (reply `down`).

    `work` must not return None itself. The worker's answers stay in the slots, so nothing they
    typed is lost: they can try again, or ask for a person.
    """
    try:
        return await in_store(work)
    except StoreUnavailable as error:
        log.warning("app database unavailable (%s): %s", down, error)
        if dispatcher is not None:
            dispatcher.utter_message(**knowledge().replies[down].render())
        return None
