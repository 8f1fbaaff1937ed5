"""`make load`: turns per second and latency under closed-loop load, this bot against Rasa's floor.

Each client asks a knowledge question as a new conversation, waits for the answer and asks the
next (a closed loop, as the issue's table measured). Four systems run side by side: the minimal
floor bot of `make bench`, this bot as `make run` starts it (one Rasa, one action server, SQLite),
and this bot as `make run-scaled` starts it (PostgreSQL, Redis, nginx) with one replica and with
two. They are measured in turns, round after round, each round in another order, so a slow minute
of the machine falls on all of them alike; the ratios are taken within each round, then their median.

What a second replica adds is measured against the same stack with one: against `make run`, it
would also count what PostgreSQL, Redis and nginx cost over SQLite in one process, which is the
price of being able to add replicas, not the gain of adding one. Both ratios are printed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.settings import BUILD, Settings, load_settings
from bot.store.database import use_scratch_database
from bot.tools import bench, launcher
from bot.tools.scaled import ScaledStack
from bot.tools.services import free_port

LOAD_DIR = BUILD / "load"
CLIENTS = (1, 8, 32)
SECONDS = 15.0
ROUNDS = 4  # at 8 clients, 2 rounds of 20 s gave ratios from 0.70 to 0.92; 6 rounds, 0.91 to 1.10
WARM_UP = 20
SYSTEMS = ("floor", "make run", "scaled, 1 replica", "scaled, 2 replicas")


@dataclass(frozen=True)
class Load:
    """Completed turns per second and their latency (ms) at one number of clients."""

    turns_per_s: float
    p50: float
    p95: float


async def _closed_loop(url: str, questions: list[str], clients: int, seconds: float, label: str) -> Load:
    """`clients` workers asking back to back for `seconds`; every turn a new conversation."""
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as http:

        async def ask(sender: str, question: str) -> float:
            start = time.perf_counter()
            async with http.post(url, json={"sender": sender, "message": question}) as response:
                await response.read()
                response.raise_for_status()
            return (time.perf_counter() - start) * 1000

        for n in range(WARM_UP):
            await ask(f"load-{label}-warm-{n}", questions[n % len(questions)])
        deadline = loop.time() + seconds

        async def client(number: int) -> None:
            turn = 0
            while loop.time() < deadline:
                question = questions[(number * 7 + turn) % len(questions)]
                latencies.append(await ask(f"load-{label}-{clients}-{number}-{turn}", question))
                turn += 1

        started = loop.time()
        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = loop.time() - started
    quantiles = statistics.quantiles(latencies, n=20)
    return Load(len(latencies) / elapsed, statistics.median(latencies), quantiles[18])


def _ports(base: int) -> dict[str, int]:
    return {"rasa_port": base + 5, "action_port": base + 55, "web_port": base + 80}


def _systems(settings: Settings, home: Path) -> tuple[dict[str, str], Callable[[], None]]:
    """Start the four systems; their REST webhook URLs by name, and how to stop them all."""
    floor_tracker = settings.tracker.copy(update={"db": str(home / "floor_tracker.db")})  # Rasa's own store, alone
    floor = settings.copy(update={**_ports(25000), "tracker": floor_tracker})
    one = settings.copy(update={**_ports(26000), "host": "127.0.0.1"})
    scaled = [settings.copy(update={**_ports(base), "public_port": free_port(), "postgres_port": free_port(),
                                    "redis_port": free_port(), "replicas": replicas})
              for base, replicas in ((28000, 1), (27000, 2))]
    children = [launcher.Child("floor", bench.serve_minimal(floor, bench.minimal_project()), "")]
    stacks = [ScaledStack(each, home / f"scaled-{each.replicas}", Path(tempfile.mkdtemp(prefix="zgfw-load-pg-")))
              for each in scaled]

    def stop() -> None:
        launcher.stop(children)
        for stack in stacks:
            stack.stop()
            shutil.rmtree(stack.postgres.home, ignore_errors=True)

    try:
        with open(home / "servers.log", "a") as output:
            children += launcher.start(one, output)
            for stack in stacks:
                stack.start(output)
    except BaseException:
        stop()
        raise
    webhook = "/webhooks/rest/webhook"
    urls = (f"{floor.rasa_url}{webhook}", f"{one.rasa_url}{webhook}",
            *(f"http://{each.host}:{each.public_port}{webhook}" for each in scaled))
    return dict(zip(SYSTEMS, urls, strict=True)), stop


def _paired(results: dict[tuple[str, int], list[Load]], name: str, base: str, clients: int) -> float:
    """Median over rounds of `name`'s turns/s over `base`'s in the same round (the machine drifts between rounds)."""
    pairs = zip(results[(name, clients)], results[(base, clients)], strict=True)
    return statistics.median(mine.turns_per_s / theirs.turns_per_s for mine, theirs in pairs)


def _table(results: dict[tuple[str, int], list[Load]]) -> str:
    """Median over rounds per system and clients, with the ratios the issue sets targets for."""
    def best(name: str, clients: int) -> Load:
        runs = results[(name, clients)]
        return Load(*(statistics.median(getattr(r, f) for r in runs) for f in ("turns_per_s", "p50", "p95")))

    lines = [f"{'clients':>7}" + "".join(f" | {name:>18} {'p50':>7} {'p95':>7}" for name in SYSTEMS)
             + f" | {'run/floor':>9} {'2 rep/1 rep':>11} {'2 rep/run':>9}"]
    for clients in CLIENTS:
        cells = "".join(f" | {load.turns_per_s:>18.1f} {load.p50:>5.0f}ms {load.p95:>5.0f}ms"
                        for load in (best(name, clients) for name in SYSTEMS))
        lines.append(f"{clients:>7}{cells}"
                     f" | {_paired(results, 'make run', 'floor', clients):>8.2f}x"
                     f" {_paired(results, 'scaled, 2 replicas', 'scaled, 1 replica', clients):>10.2f}x"
                     f" {_paired(results, 'scaled, 2 replicas', 'make run', clients):>8.2f}x")
    lines.append("targets: make run >= 0.9x the floor at 8 and 32 clients; 2 replicas >= 1.4x one (same stack) at 32")
    return "\n".join(lines)


def run() -> int:
    """Start the four systems, measure them in turns, print the table."""
    LOAD_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["ZGFW_TRACKER_DB"] = str(LOAD_DIR / "tracker.db")
    for name in ("tracker.db", "floor_tracker.db"):
        (LOAD_DIR / name).unlink(missing_ok=True)
    use_scratch_database()  # load turns never reach the live app database
    settings = load_settings().copy(update={"host": "127.0.0.1"})
    questions = bench.questions()
    urls, stop = _systems(settings, LOAD_DIR)
    results: dict[tuple[str, int], list[Load]] = {}
    try:
        for round_number in range(ROUNDS):
            order = list(urls.items())
            order = order[round_number % len(order):] + order[:round_number % len(order)]
            for clients in CLIENTS:
                for name, url in order:
                    label = f"system{SYSTEMS.index(name)}-{round_number}"
                    load = asyncio.run(_closed_loop(url, questions, clients, SECONDS, label))
                    results.setdefault((name, clients), []).append(load)
                    print(f"round {round_number + 1}, {clients:>2} clients, {name:<18}: {load.turns_per_s:6.1f} "
                          f"turns/s, p50 {load.p50:5.0f} ms, p95 {load.p95:5.0f} ms", flush=True)
    finally:
        stop()
    print(f"\nClosed-loop REST load, every turn a new conversation asking a knowledge question; {SECONDS:.0f} s a "
          f"run, {ROUNDS} interleaved rounds, each in another order (medians; ratios paired within a round), "
          f"on this machine ({os.cpu_count()} cores)")
    print(_table(results))
    return 0
