"""Live pages without polling: one watcher per web process, fanned out to its open pages' event streams.

The watcher reads the change log (bot/store/live.py) and the tracker store's new messages
(bot/store/tracker_events.py) a few times a second and hands each batch to every stream of this
process. It reads whether or not a page is open: a page takes its snapshot and then relies on the
watcher, which must not start reading after a change the snapshot missed. A stream (a `Feed`)
decides what its reader may see and sends server-sent events; a browser's EventSource reconnects
by itself, and every (re)connection starts with a full snapshot, so nothing missed while away is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sanic import Sanic
from sanic.request import Request
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.store import live, tracker_events
from bot.store.database import in_store

log = logging.getLogger(__name__)
WATCH_EVERY_S = 0.15
KEEPALIVE_S = 15.0  # a comment line keeps proxies from closing an idle stream; sessions are checked then
COALESCE_S = 0.03  # changes that come together are answered with one snapshot
RETRY_MS = 2000
PRUNE_EVERY_S = 600.0
SAID = "said"  # the kind of a Change made from a tracker message
Event = tuple[str, dict[str, Any]]


class Feed(Protocol):
    """What one open page is sent: a snapshot on (re)connection, then what changes mean for it."""

    async def start(self) -> list[Event]:
        """The events that bring a freshly connected page up to date."""

    async def on(self, changes: list[live.Change]) -> list[Event] | None:
        """The events these changes call for; None ends the stream (signed out)."""

    async def alive(self) -> bool:
        """Checked at each keepalive: False ends the stream (the session expired)."""


class Hub:
    """The open streams of this process, each with its own queue of changes."""

    def __init__(self) -> None:
        """No stream yet."""
        self.queues: set[asyncio.Queue[list[live.Change] | None]] = set()

    def publish(self, changes: list[live.Change]) -> None:
        """Give a batch to every stream."""
        for queue in self.queues:
            queue.put_nowait(changes)

    def close(self) -> None:
        """The server is stopping: every stream ends (browsers reconnect to another process)."""
        for queue in self.queues:
            queue.put_nowait(None)

    async def serve(self, request: Request, feed: Feed) -> None:
        """Answer the request with an event stream that lasts until the page goes or the feed ends it."""
        response = await request.respond(content_type="text/event-stream; charset=utf-8",
                                         headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        queue: asyncio.Queue[list[live.Change] | None] = asyncio.Queue()
        self.queues.add(queue)
        try:
            await response.send(f"retry: {RETRY_MS}\n\n" + _encode(await feed.start()))
            while True:
                try:
                    changes = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except asyncio.TimeoutError:
                    if not await feed.alive():
                        await response.send(_encode([("signout", {})]))
                        break
                    await response.send(": keepalive\n\n")
                    continue
                if changes is None:
                    break
                await asyncio.sleep(COALESCE_S)
                changes = _together(changes, queue)
                try:
                    events = await feed.on(changes)
                except Exception as error:  # noqa: BLE001 - the page reconnects and starts again from a snapshot
                    log.warning("live stream ended: %s", type(error).__name__)
                    break
                if events is None:
                    await response.send(_encode([("signout", {})]))
                    break
                if events:
                    await response.send(_encode(events))
        finally:
            self.queues.discard(queue)
        await response.eof()


def _together(changes: list[live.Change], queue: asyncio.Queue[list[live.Change] | None]) -> list[live.Change]:
    """The batch with those that came since; the end-of-stream mark stays in the queue."""
    while not queue.empty():
        more = queue.get_nowait()
        if more is None:
            queue.put_nowait(None)
            break
        changes = changes + more
    return changes


def _encode(events: list[Event]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in events)


class Watcher:
    """Reads past the last change and the last tracker event this process has seen."""

    def __init__(self, settings: Settings, hub: Hub) -> None:
        """Start from nothing: the first reads take the newest ids (what came before is in every snapshot)."""
        self.hub = hub
        self.tracker_url = settings.tracker.read_only_url
        self.last_change: int | None = None
        self.last_event: int | None = None
        self.pruned_at = 0.0

    async def read_changes(self) -> None:
        """One read of the change log; what is new goes to every open stream."""
        if self.last_change is None:
            self.last_change = await in_store(live.latest, read_only=True)
        changes = await in_store(lambda session: live.since(session, self.last_change), read_only=True)
        if changes:
            self.last_change = changes[-1].id
            self.hub.publish(changes)
        if time.monotonic() - self.pruned_at > PRUNE_EVERY_S:
            self.pruned_at = time.monotonic()
            await in_store(live.prune)

    async def read_said(self) -> None:
        """One read of the tracker store's new messages; they go to every open stream."""
        if self.last_event is None:
            self.last_event = await tracker_events.read(self.tracker_url, tracker_events.latest, None)
            return

        def read(session: Session) -> tuple[int, list[tracker_events.Said]]:
            return tracker_events.said_since(session, self.last_event)

        self.last_event, said = await tracker_events.read(self.tracker_url, read, (self.last_event, []))
        if said:
            self.hub.publish([live.Change(0, SAID, conversation_id=message.conversation_id) for message in said])

    async def run(self) -> None:
        """Both reads, each in its own loop for the life of the server: a busy tracker store never delays the queue."""
        await asyncio.gather(self._every(self.read_changes), self._every(self.read_said))

    @staticmethod
    async def _every(read: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(WATCH_EVERY_S)
            try:
                await read()
            except Exception as error:  # noqa: BLE001 - the watcher must outlive a bad moment (an outage, a lock)
                log.warning("live changes not read: %s", type(error).__name__)
                await asyncio.sleep(1)


def install(app: Sanic) -> None:
    """One hub and one watcher for this web process; streams end when the server stops."""
    app.ctx.live = Hub()

    @app.after_server_start
    async def start_watching(app: Sanic, _loop: object) -> None:
        app.add_task(Watcher(app.ctx.settings, app.ctx.live).run(), name="live_changes")

    @app.before_server_stop
    async def end_streams(app: Sanic, _loop: object) -> None:
        app.ctx.live.close()
