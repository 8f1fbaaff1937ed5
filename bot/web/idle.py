"""Conversations staff took and then left: closed after a while, and the worker is told.

Without this a taken conversation keeps the bot paused for ever (a shift ends, a browser closes)
and the worker writes into silence. How long counts as left is `handoff.idle_close_minutes` in
knowledge/local.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sanic import Sanic

from bot.kb.knowledge import load_cached
from bot.store import audit, handoff
from bot.store.database import StoreUnavailable, in_store

log = logging.getLogger(__name__)
CHECK_EVERY_S = 60


async def close_idle(app: Sanic) -> int:
    """One pass: close what was left, tell each worker, undo what could not be told; how many were closed."""
    kb = load_cached(str(app.ctx.settings.knowledge_dir))
    idle_for = dt.timedelta(minutes=kb.local.handoff.idle_close_minutes)
    closed = await in_store(lambda session: handoff.close_idle(session, idle_for=idle_for))
    told = 0
    for before, item in closed:  # one not told now is reopened by the notifier; the next pass tries again
        if await app.ctx.notify.handoff_changed(before, item, "idle_close", staff_id=None):
            await in_store(lambda session, i=item: audit.record(session, staff_id=None, action="handoff_idle_close",
                                                                target=i.conversation_id))
            told += 1
    return told


async def keep_closing_idle(app: Sanic) -> None:
    """Every minute, for the life of the web server."""
    while True:
        await asyncio.sleep(CHECK_EVERY_S)
        try:
            await close_idle(app)
        except StoreUnavailable as error:
            log.warning("idle handoffs not checked: database unavailable (%s)", error)
