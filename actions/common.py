"""What every action module shares: the knowledge base, loaded and checked once per process."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.knowledge import KnowledgeBase, load_cached
from bot.settings import load_settings


def knowledge() -> KnowledgeBase:
    """The checked knowledge base (cached after the first call)."""
    return load_cached(str(load_settings().knowledge_dir))


def latest_parse(tracker: Tracker) -> dict:
    """The NLU result of the worker's last message, with the text the worker typed."""
    return dict(tracker.latest_message or {})
