"""Rasa's conversation locks in a real Redis: tickets are unique and nobody's ticket is deleted under them."""

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.store.locks import AtomicRedisLockStore, PromptLockStore
from bot.tools.services import Redis, free_port


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    server = Redis(Path(tmp_path_factory.mktemp("redis")), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def store(redis: Redis) -> AtomicRedisLockStore:
    """A fresh store, as each replica makes its own from endpoints.yml."""
    config = EndpointConfig(url="127.0.0.1", type="bot.store.locks.AtomicRedisLockStore", port=redis.port,
                            db=1, key_prefix="test")
    return AtomicRedisLockStore(config)


def test_tickets_taken_at_once_by_many_replicas_are_all_different(redis):
    stores = [store(redis) for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        tickets = list(pool.map(lambda n: stores[n % 8].issue_ticket("burst"), range(200)))
    assert sorted(tickets) == list(range(200))
    assert len(stores[0].get_lock("burst").tickets) == 200


def test_finishing_a_turn_keeps_the_lock_of_whoever_waits_and_drops_it_after_the_last(redis):
    first, second = store(redis), store(redis)
    mine = first.issue_ticket("queue")
    waiting = second.issue_ticket("queue")
    first.cleanup("queue", mine)
    lock = second.get_lock("queue")
    assert lock is not None and not lock.is_locked(waiting)  # the waiting message is served next
    second.cleanup("queue", waiting)
    assert second.get_lock("queue") is None


async def test_a_message_waiting_behind_a_replica_that_died_is_served_when_the_dead_ticket_runs_out(redis):
    """Rasa's store let the waiting ticket run out with the dead one: "Could not acquire lock", message lost."""
    dead, alive = store(redis), store(redis)
    dead.issue_ticket("crash", lock_lifetime=1.0)  # the replica died holding it, and never renews it
    started = time.monotonic()
    async with alive.lock("crash", lock_lifetime=1.0, wait_time_in_seconds=0.1) as lock:
        waited = time.monotonic() - started
        assert [ticket.number for ticket in lock.tickets] == [1]
    assert 0.9 < waited < 3
    assert alive.get_lock("crash") is None


async def test_turns_of_one_conversation_through_two_replicas_run_one_after_another(redis):
    order: list[str] = []

    async def turn(replica: AtomicRedisLockStore, name: str) -> None:
        async with replica.lock("turns", wait_time_in_seconds=0.01):
            order.append(f"{name} starts")
            await asyncio.sleep(0.02)
            order.append(f"{name} ends")

    await asyncio.gather(*(turn(store(redis), f"m{n}") for n in range(10)))
    assert all(order[i].split()[0] == order[i + 1].split()[0] for i in range(0, 20, 2))
    assert store(redis).get_lock("turns") is None


async def test_one_process_serves_the_turns_of_a_conversation_one_at_a_time_in_order():
    """The default (one process) store: Rasa's own lock, with waiting turns looking again every WAIT_S."""
    lock_store = PromptLockStore()
    served: list[tuple[str, int]] = []

    async def turn(number: int) -> None:
        async with lock_store.lock("one-worker"):
            served.append(("start", number))
            await asyncio.sleep(0.02)
            served.append(("end", number))

    await asyncio.gather(*(turn(number) for number in range(5)))
    assert served == [(edge, number) for number in range(5) for edge in ("start", "end")]
    assert lock_store.get_lock("one-worker") is None
