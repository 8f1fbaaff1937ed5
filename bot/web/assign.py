"""Waiting conversations offered to staff in turn, and escalated when nobody takes them, every few seconds.

Each web process runs this; the store's conditional updates keep two processes from offering one
conversation twice or escalating it twice. The rules are knowledge/assignment.yml.
"""

from __future__ import annotations

import asyncio
import logging

from bot.clock import utcnow
from bot.store import assignment
from bot.store.database import StoreUnavailable, in_store

log = logging.getLogger(__name__)
CHECK_EVERY_S = 5  # an offer moves on within this long after its time is up
MAX_OFFERS_PER_PASS = 200  # a bound, not a limit anyone reaches: each offer leaves the line of those due


async def assign_once(rules: assignment.Rules) -> tuple[int, int]:
    """One pass: escalate what waited too long, then make every offer that is due; (escalated, offered)."""
    now = utcnow()
    escalated = await in_store(lambda session: assignment.escalate_overdue(session, rules=rules, now=now))
    offered = 0
    while offered < MAX_OFFERS_PER_PASS and await in_store(
            lambda session: assignment.offer_next(session, rules=rules, now=now)) is not None:
        offered += 1
    return len(escalated), offered


async def keep_assigning(rules: assignment.Rules) -> None:
    """Every few seconds, for the life of the web server."""
    while True:
        await asyncio.sleep(CHECK_EVERY_S)
        try:
            escalated, offered = await assign_once(rules)
        except StoreUnavailable as error:
            log.warning("waiting handoffs not offered: database unavailable (%s)", error)
            continue
        if escalated:
            log.warning("%d handoffs escalated: nobody took them in time", escalated)
        if offered:
            log.info("%d handoffs offered to staff in turn", offered)
