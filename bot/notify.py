"""The one way to tell a worker something outside their own turn: staff words, a case moved, a seat freed.

The text goes through Rasa's HTTP API (a `bot` event with side effects), so it reaches the worker
on the channel they last used and stays in the transcript staff read. What it reports is committed
before (no transaction waits on Rasa); a handoff change the worker could not be told is undone,
so the queue never shows a conversation as taken or closed while the worker still waits.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.orm import Session

from bot.kb.knowledge import load_cached
from bot.rasa_api import RasaClient, RasaUnavailable
from bot.settings import Settings
from bot.store import audit, handoff, orders
from bot.store.database import StoreUnavailable, in_store

log = logging.getLogger(__name__)

# What the worker hears when staff change their handoff; taking pauses the bot, the others resume it.
HANDOFF_NOTICES = {"take": "staff_joined", "reply": "staff_message", "transfer": "staff_transferred",
                   "close": "staff_closed", "idle_close": "staff_idle_closed"}
PAUSING, RESUMING = {"take"}, {"transfer", "close", "idle_close"}


class Notifier:
    """Renders a reply from knowledge/replies.yml and sends it to one conversation."""

    def __init__(self, rasa: RasaClient, settings: Settings) -> None:
        """Rasa's API client, and the settings that say where the replies are."""
        self.rasa = rasa
        self.knowledge_dir = str(settings.knowledge_dir)
        self._asking: set[asyncio.Task] = set()  # rating prompts under way (the loop keeps only weak references)

    @classmethod
    def from_settings(cls, settings: Settings) -> Notifier:
        """For a process that has no Rasa client of its own (the action server)."""
        return cls(RasaClient(settings.rasa_url, settings.rasa_token), settings)

    def text(self, reply: str, **values: Any) -> str:
        """A reply's text with its values filled in."""
        return load_cached(self.knowledge_dir).replies[reply].render(**values)["text"]

    async def tell(self, conversation_id: str, reply: str, *, staff: str | None = None, pause: bool = False,
                   resume: bool = False, **values: Any) -> None:
        """Send one reply with its buttons; raises RasaUnavailable when Rasa did not take it."""
        message = load_cached(self.knowledge_dir).replies[reply].render(**values)
        await self.rasa.say(conversation_id, message["text"], buttons=message["buttons"], staff=staff, pause=pause,
                            resume=resume)

    def ask_rating_soon(self, kind: str, source_id: int) -> None:
        """Ask for the rating after the staff member has their answer (Rasa may be busy with the worker's turn)."""
        task = asyncio.get_running_loop().create_task(self.ask_rating(kind, source_id))
        self._asking.add(task)
        task.add_done_callback(self._asking.discard)

    async def ask_rating(self, kind: str, source_id: int) -> bool:
        """Once a request's work order has closed, ask the worker how it went: once per order, never again.

        A prompt that could not be sent is not retried (asking twice would be worse than not asking);
        the worker can still type "我要评价".
        """
        try:
            order = await in_store(lambda session: orders.rating_due(session, kind=kind, source_id=source_id))
            if order is None:
                return False
            await self.tell(order.conversation_id, "rating_ask", number=order.number, service=orders.KINDS[kind])
        except (RasaUnavailable, StoreUnavailable) as error:
            log.warning("rating of a closed %s not asked: %s", kind, error)
            return False
        return True

    async def handoff_changed(self, before: handoff.Snapshot, item: handoff.QueueItem, verb: str, *,
                              staff_id: int | None, staff_name: str | None = None, text: str = "") -> bool:
        """Tell the worker about a committed handoff change, or undo it; whether the worker was told."""
        values = {"take": {"name": staff_name}, "reply": {"name": staff_name, "text": text},
                  "transfer": {"skill": handoff.SKILLS[item.skill]}}.get(verb, {})
        try:
            await self.tell(item.conversation_id, HANDOFF_NOTICES[verb], staff=staff_name, pause=verb in PAUSING,
                            resume=verb in RESUMING, **values)
        except RasaUnavailable as error:
            log.warning("worker not told of handoff %s, change undone: %s", verb, error)
            await in_store(lambda session: _undo(session, staff_id, verb, before, item))
            return False
        if verb in RESUMING and item.status == "closed":
            self.ask_rating_soon(handoff.order_kind(item.reason), item.id)
        return True


def _undo(session: Session, staff_id: int | None, verb: str, before: handoff.Snapshot,
          item: handoff.QueueItem) -> None:
    """Put the queue back and say so in the audit trail."""
    restored = handoff.undo(session, before=before, after=item)
    audit.record(session, staff_id=staff_id, action=f"handoff_{verb}_undone", target=item.conversation_id,
                 detail="restored" if restored else "changed since")
