"""Rasa's SQL tracker store, with its queries off the event loop and no count before every save.

Rasa 3.6's SQLTrackerStore runs its queries on the event loop that serves every worker, and each
save first counts the conversation's stored events (a query with a subquery) to know which events
are new: 6% of a knowledge turn in the profile. Here the queries run on a worker thread, and a
tracker this store loaded or saved carries how many of its events are stored, so only a tracker it
never saw is counted. Between a turn's load and its save nobody else writes that conversation: the
lock store serialises turns, and staff events come in through Rasa's API, which takes the same lock.

SQLite (the embedded default) keeps a few connections open instead of opening the file for every
query, and runs in WAL mode: a save is one append (0.2 ms instead of 0.9 ms for a rewritten
journal here), and the web server's read-only look at the events (bot/store/tracker_events.py)
neither waits for it nor stops it. Rows are the ones Rasa writes, so Rasa reads them back unchanged,
but written in one statement and read as their `data` column only: building an ORM object for every
event was two thirds of a save's CPU (2.3 ms for a knowledge turn's 12 events here).

Registered in endpoints.yml as `tracker_store: {type: bot.store.tracker_store.ThreadedSQLTrackerStore, ...}`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.store.database import SQLITE_BUSY_TIMEOUT_MS

STORED = "_events_in_store"  # attribute of a tracker: how many of its events are in the store


def _sqlite_wal(connection: Any, _record: Any) -> None:  # noqa: ANN401 - DB-API objects
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The columns Rasa's SQLTrackerStore writes for one event."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


class ThreadedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore's tables and rows, queried off the event loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - Rasa's own arguments
        """Rasa's set-up (tables made, PostgreSQL waited for), then SQLite's engine replaced by a pooled one."""
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = create_engine(url, poolclass=QueuePool, connect_args={
                "check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(self.engine, "connect", _sqlite_wal)
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        return await asyncio.to_thread(self._load, sender_id, fetch_events_from_all_sessions)

    def _load(self, sender_id: str, all_sessions: bool) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions)
            events = [json.loads(data) for data, in query.with_entities(self.SQLEvent.data)]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not all_sessions:  # the count a save compares with is of the latest session
            setattr(tracker, STORED, len(events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events the store does not have yet (and tell the event broker, as Rasa does)."""
        await self.stream_events(tracker)
        stored = await asyncio.to_thread(self._append_new, tracker)
        setattr(tracker, STORED, stored)

    def _append_new(self, tracker: DialogueStateTracker) -> int:
        events = list(tracker.events)
        with self.session_scope() as session:
            known = getattr(tracker, STORED, None)
            new = events[known:] if known is not None else list(self._additional_events(session, tracker))
            rows = [_row(tracker.sender_id, item) for item in new]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        return len(events)
