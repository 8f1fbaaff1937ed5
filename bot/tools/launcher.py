"""`make run`: start the action server, the Rasa server and the web server; stop them together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import yaml

from bot.settings import ROOT, Settings
from bot.store.database import migrate, session_scope

READY_TIMEOUT_S = 300


@dataclass
class Child:
    """A started process and the URL that answers once it is ready."""

    name: str
    process: subprocess.Popen
    ready_url: str


def child_environment(settings: Settings) -> dict[str, str]:
    """Environment for every child: these settings, telemetry off, output unbuffered."""
    return {**os.environ, **settings.environment(), "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1",
            "SANIC_HOST": settings.host}  # rasa_sdk's server binds here (it has no --interface option)


def prepare_database(url: str, settings: Settings) -> None:
    """Migrate the app database and load the course catalogue from knowledge/local into it."""
    from bot.kb.knowledge import load
    from bot.store.courses import sync_catalogue

    migrate(url)
    with session_scope(url) as session:
        sync_catalogue(session, courses=load(settings.knowledge_dir).local.courses)


def credentials(settings: Settings) -> Path:
    """The channels Rasa opens: credentials.yml, less the REST channel when it is turned off."""
    source = ROOT / "credentials.yml"
    if settings.rest_channel:
        return source
    channels = yaml.safe_load(source.read_text("utf-8"))
    channels.pop("rest", None)
    public = ROOT / "build" / "credentials.public.yml"
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_text(yaml.safe_dump(channels, allow_unicode=True), encoding="utf-8")
    return public


@dataclass(frozen=True)
class Process:
    """A process to start: its name, command line, the URL that answers once it is ready, its environment."""

    name: str
    argv: list[str]
    ready_url: str
    env: dict[str, str]


# Rasa keeps its connection to the action server open between calls (bot/tools/rasa_server.py) and
# drops it after 2 s idle. The action server must not drop it first, even after a stall (shorter
# than this) with a call waiting: Sanic's 5 s default would close such a connection unread on waking.
ACTION_SERVER_KEEP_ALIVE_SECONDS = 120


def rasa_pair(settings: Settings, endpoints: Path, name: str = "") -> list[Process]:
    """An action server and the Rasa server that calls it, on the settings' ports."""
    env = child_environment(settings)
    action_env = {**env, "SANIC_KEEP_ALIVE_TIMEOUT": str(ACTION_SERVER_KEEP_ALIVE_SECONDS)}
    return [
        Process(f"action server{name}", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                         "--port", str(settings.action_port), "--logging-config_file", "logging.yml"],
                f"http://{settings.host}:{settings.action_port}/health", action_env),
        Process(f"rasa server{name}", [sys.executable, "-m", "bot.tools.rasa_server", "run", "--enable-api",
                                       f"--auth-token={settings.rasa_token}", "--interface", settings.host,
                                       "--port", str(settings.rasa_port),
                                       "--cors", settings.web_url, f"http://localhost:{settings.web_port}",
                                       "--credentials", str(credentials(settings)), "--endpoints", str(endpoints),
                                       "--logging-config-file", "logging.yml", "--model", str(settings.models_dir)],
                f"{settings.rasa_url}/status?token={settings.rasa_token}", env),
    ]


def web_server(settings: Settings, **env: str) -> Process:
    """The chat page and the staff console."""
    return Process("web server", [sys.executable, "-m", "bot", "web"], f"{settings.web_url}/healthz",
                   {**child_environment(settings), **env})


def ready(url: str) -> bool:
    """Whether a URL answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own localhost URL
            return response.status == 200
    except OSError:
        return False


def launch(processes: list[Process], output: IO | None = None) -> list[Child]:
    """Start every process in its own process group and wait until each answers.

    If one fails to come up, the others are stopped before the error is raised.
    `output` takes what they print (default: this terminal).
    """
    children = []
    for spec in processes:
        process = subprocess.Popen(spec.argv, cwd=ROOT, env=spec.env, start_new_session=True, stdout=output,
                                   stderr=output)
        children.append(Child(spec.name, process, spec.ready_url))
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        for child in children:
            while not ready(child.ready_url):
                if child.process.poll() is not None:
                    raise RuntimeError(f"{child.name} exited with code {child.process.returncode}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{child.name} did not become ready in {READY_TIMEOUT_S} s")
                time.sleep(1)
    except BaseException:
        stop(children)
        raise
    return children


def start(settings: Settings, output: IO | None = None) -> list[Child]:
    """The embedded single-machine system: the app database migrated, then the three servers."""
    prepare_database(settings.database_url, settings)
    return launch([*rasa_pair(settings, ROOT / "endpoints.yml"), web_server(settings)], output)
def stop(children: list[Child]) -> None:
    """Terminate each process group, then kill what is still there after ten seconds."""
    for child in children:
        if child.process.poll() is None:
            os.killpg(child.process.pid, signal.SIGTERM)
    for child in children:
        try:
            child.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)


def serve(start_all: Callable[[], list[Child]], banner: str, after: Callable[[], None] = lambda: None) -> int:
    """Start all, print where to go, wait for Ctrl-C or a child's death, stop all (then `after`)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    children: list[Child] = []
    try:
        children = start_all()
        print(banner, flush=True)
        while all(child.process.poll() is None for child in children):
            time.sleep(1)
        dead = next(child for child in children if child.process.poll() is not None)
        print(f"{dead.name} stopped (code {dead.process.returncode}); stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except RuntimeError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    finally:
        stop(children)
        after()


def run(settings: Settings) -> int:
    """`make run`: the embedded defaults on this machine."""
    return serve(lambda: start(settings), f"\n职工服务助手 is running.\n"
                 f"  Chat page:       {settings.web_url}/\n"
                 f"  Staff console:   {settings.web_url}/console (accounts: python -m bot staff add)\n"
                 f"  Rasa REST:       {settings.rasa_url}/webhooks/rest/webhook\n"
                 f"  Rasa HTTP API:   {settings.rasa_url} (token: ZGFW_RASA_TOKEN, printed nowhere else)\n"
                 f"  Action server:   {settings.action_url}\n"
                 f"Press Ctrl-C to stop.\n")
