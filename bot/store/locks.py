"""Rasa's per-conversation ticket locks: looked at often, and in Redis changed atomically so replicas cannot race.

A message waiting for its conversation (a staff member's words, a rating prompt, a worker's second
line sent while the first is answered) looks again every WAIT_S instead of Rasa's one second, which
made it wait up to a second longer than the turn ahead of it.

Rasa 3.6's RedisLockStore reads a lock, changes it in Python and writes it back. Two replicas
taking a ticket for one conversation at the same moment both get the same number, and a replica
finishing its turn can delete the lock just after another one queued on it: that message then
fails with "Could not acquire lock" and is lost (1 of 12 in a burst, in about a third of runs).
Here every change is one Redis transaction on the lock's key (WATCH, then MULTI/EXEC, retried
when another replica changed the key in between).

Rasa also lets a ticket expire while its message waits in line: behind a replica that died
mid-turn, the next message's ticket ran out with the dead one's, and that message got the same
"Could not acquire lock" (the REST channel then answers 200 with nothing). A waiting message here
renews its own ticket each time it looks, so only a ticket nobody renews (its replica died) expires,
and the turn being served gets a full lifetime from when it starts.

Registered in endpoints.yml as `lock_store: {type: bot.store.locks.PromptLockStore}` (one process)
or `{type: bot.store.locks.AtomicRedisLockStore, ...}` (replicas, bot/tools/scaled.py).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.client import Pipeline

T = TypeVar("T")
WAIT_S = 0.05


class PromptLockStore(InMemoryLockStore):
    """Rasa's in-process ticket lock, with waiting messages looking again every WAIT_S."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        """Rasa builds custom lock stores from their endpoint entry; this one needs nothing from it."""
        super().__init__()

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = WAIT_S) -> AsyncIterator[TicketLock]:
        """Hold the conversation for one turn (Rasa's own lock, polled sooner)."""
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
            yield held


class AtomicRedisLockStore(RedisLockStore):
    """The ticket lock of RedisLockStore, with each read-change-write done as one transaction."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Rasa builds custom lock stores from their endpoint entry: url is the host, the rest as for redis."""
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Apply `change` to the stored lock (a new one when there is none) and store it atomically.

        A lock left without tickets is deleted in the same transaction, so nobody's ticket is
        ever deleted with it.
        """
        key = self.key_prefix + conversation_id
        result: list[T] = []

        def transaction(pipe: Pipeline) -> None:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else self.create_lock(conversation_id)
            result[:] = [change(lock)]
            pipe.multi()
            if lock.tickets:
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return result[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A ticket number no other replica can also get."""
        return self._take(conversation_id, lock_lifetime)[0]

    def _take(self, conversation_id: str, lifetime: float) -> tuple[int, bool, TicketLock]:
        """A new ticket, whether it is served at once, and the lock, in one transaction."""
        try:
            return self._change(conversation_id, partial(_renewed, number=None, lifetime=lifetime))
        except Exception as error:  # Rasa expects LockError from a failing store
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = WAIT_S) -> AsyncIterator[TicketLock]:
        """Hold the conversation for one turn: queue, renew the ticket while waiting, serve, hand on.

        Redis is called from a worker thread: Rasa's event loop serves every other conversation meanwhile.
        Taking the ticket and finding it served is one transaction, so an idle conversation's turn
        costs two (take, hand on) instead of Rasa's three and a read.
        """
        ticket, served, held = await asyncio.to_thread(self._take, conversation_id, lock_lifetime)
        try:
            while not served:
                await asyncio.sleep(wait_time_in_seconds)
                renew = partial(_renewed, number=ticket, lifetime=lock_lifetime)
                ticket, served, held = await asyncio.to_thread(self._change, conversation_id, renew)
            yield held
        finally:
            await asyncio.to_thread(self.cleanup, conversation_id, ticket)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return the ticket; the lock goes with its last ticket, in the same transaction."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))


def _renewed(lock: TicketLock, number: int | None, lifetime: float) -> tuple[int, bool, TicketLock]:
    """Drop tickets nobody renewed and renew this one (or take one); its number, whether it is served, the lock.

    A ticket that ran out all the same (the process stalled longer than a lifetime) is not put
    back ahead of others: the message takes a new ticket at the end of the line.
    """
    lock.remove_expired_tickets()
    mine = next((ticket for ticket in lock.tickets if ticket.number == number), None)
    if mine is None:
        number = lock.issue_ticket(lifetime)
    else:
        mine.expires = time.time() + lifetime
    return number, not lock.is_locked(number), lock
