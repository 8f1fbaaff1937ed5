"""Rasa input channels of our own (WeChat Official Account, the chat page's signed socket.io)."""

from __future__ import annotations

import logging

from bot.kb.knowledge import load_cached
from bot.kb.replies import Reply
from bot.privacy import keep_worker_text_out_of_warnings
from bot.settings import load_settings
from bot.store import handoff
from bot.store.database import StoreUnavailable, in_store

log = logging.getLogger(__name__)
keep_worker_text_out_of_warnings()  # Rasa loads the channels after setting its own warning filters


def replies() -> dict[str, Reply]:
    """What a channel says itself, not the bot (knowledge/replies.yml)."""
    return load_cached(str(load_settings().knowledge_dir)).replies


async def after_silence(conversation_id: str) -> str | None:
    """What to tell a worker whose message the bot left unanswered.

    Nothing while a person holds the conversation (the bot is paused on purpose and staff see the
    message); otherwise something failed (the action server down, say): a worker must never type
    into silence, so they hear that the message arrived and what to do.
    """
    try:
        if await in_store(lambda session: handoff.held_by_staff(session, conversation_id)):
            return None
    except StoreUnavailable:
        log.warning("handoff state unknown (app database unavailable); telling the worker")
    return replies()["no_answer"].text
