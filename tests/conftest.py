"""Shared fixtures: the knowledge base, the trained bot in-process, and the running servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.kb.knowledge import KnowledgeBase, load
from bot.settings import ROOT, Settings, load_settings
from bot.tools.services import Postgres, free_port
from tests import fake_wechat

MODEL = ROOT / "models" / "current.tar.gz"
# Fixed ports for the session's servers, away from `make run`'s; ZGFW_TEST_PORT_BASE moves them all, so two
# checkouts can run their tests at once.
PORT_BASE = int(os.environ.get("ZGFW_TEST_PORT_BASE", "15000"))
WECHAT_API_PORT = PORT_BASE + 3901
RUNNING: dict = {}  # the processes `servers` started (a test may pause one) and where they print


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load(ROOT / "knowledge")


@pytest.fixture(scope="session")
def offline_bot():  # noqa: ANN201
    from bot.tools.offline import OfflineBot

    assert MODEL.exists(), "no trained model: run `make train` (make test does it for you)"
    servers_database = os.environ.get("DATABASE_URL")
    bot = OfflineBot.load(MODEL)  # points DATABASE_URL at a throwaway database...
    if servers_database:  # ...but tests that started the servers keep reading theirs
        os.environ["DATABASE_URL"] = servers_database
    return bot


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The whole system as `make run` starts it, with fresh databases and people on duty round the clock.

    Ports are away from the defaults, so tests run beside a `make run`.
    """
    import yaml

    from bot.tools import launcher

    state = tmp_path_factory.mktemp("state")
    os.environ["ZGFW_TRACKER_DB"] = str(state / "tracker.db")
    os.environ["DATABASE_URL"] = f"sqlite:///{state / 'app.db'}"
    knowledge = write_knowledge_copy(state)
    deployment = knowledge / "local" / "deployment.yml"
    local = yaml.safe_load(deployment.read_text(encoding="utf-8"))
    local["handoff"]["hours"] = [{"days": [1, 2, 3, 4, 5, 6, 7], "from": "00:00", "to": "24:00"}]
    deployment.write_text(yaml.safe_dump(local, allow_unicode=True), encoding="utf-8")
    os.environ.update(ZGFW_WECHAT_TOKEN=fake_wechat.TOKEN, ZGFW_WECHAT_APPID=fake_wechat.APPID,
                      ZGFW_WECHAT_SECRET=fake_wechat.SECRET, ZGFW_WECHAT_AES_KEY=fake_wechat.AES_KEY,
                      ZGFW_WECHAT_MODE="compatible", ZGFW_WECHAT_API_BASE=f"http://127.0.0.1:{WECHAT_API_PORT}")
    settings = load_settings().copy(update={"knowledge_dir": knowledge, "rasa_port": PORT_BASE + 5,
                                            "action_port": PORT_BASE + 55, "web_port": PORT_BASE + 3000,
                                            "rasa_token": "test-token"})
    RUNNING["log"] = state / "servers.log"  # what the servers print, for tests that read it
    with open(RUNNING["log"], "a") as output:
        children = launcher.start(settings, output)
    RUNNING["children"] = children
    try:
        yield settings
    finally:
        launcher.stop(children)


@contextmanager
def another_system(tmp_path: Path, **env: str) -> Iterator[str]:
    """A second `make run` (ZGFW_* ports and databases in `env`) for tests that change its settings;
    yields what it printed on start, and stops it with Ctrl-C."""
    env = {"ZGFW_TRACKER_DB": str(tmp_path / "tracker.db"), "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
           **env}
    launcher = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env={**os.environ, **env},
                                text=True, stdout=subprocess.PIPE, stderr=open(tmp_path / "stderr", "w"))
    try:
        output = ""
        deadline = time.monotonic() + 300
        while "Press Ctrl-C to stop." not in output and time.monotonic() < deadline:
            output += launcher.stdout.readline()
        assert "Press Ctrl-C to stop." in output, (tmp_path / "stderr").read_text()[-3000:]
        yield output
    finally:
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0


@pytest.fixture(scope="session")
def wechat_api() -> Iterator[fake_wechat.FakeWeChatAPI]:
    """WeChat's API server on loopback, where the running system's channel is pointed."""
    api = fake_wechat.FakeWeChatAPI(WECHAT_API_PORT).start()
    yield api
    api.stop()


@pytest.fixture
def hook(servers: Settings, wechat_api: fake_wechat.FakeWeChatAPI) -> str:
    """The WeChat webhook of the running system, with the fake WeChat API up."""
    return f"{servers.rasa_url}/webhooks/wechat/webhook"


STAFF_PASSWORD = "工会 test password 1"  # noqa: S105 - a throwaway test account


@pytest.fixture(scope="session")
def staff_accounts(servers: Settings) -> dict[str, str]:
    """One console account per role in the running system's database: role -> username."""
    from bot.staff.accounts import create_staff
    from bot.store.database import session_scope

    names = {"counselor": "xiaoli", "legal": "lawyer-wang", "admin": "admin"}
    display = {"counselor": "小李", "legal": "王律师", "admin": "管理员"}
    with session_scope(os.environ["DATABASE_URL"]) as session:
        for role, username in names.items():
            create_staff(session, username=username, display_name=display[role], role=role, password=STAFF_PASSWORD)
    return names


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 - a Playwright Browser
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser).

    Module-scoped: Playwright's sync API keeps an event loop running, which the in-process bot
    of other test modules must not find.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@contextmanager
def seeded_web(folder: Path, seed: Callable, staff: dict[str, tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """`web_alone` over a new app database in `folder`, seeded by `seed(session)`, with console accounts.

    `staff` maps usernames to (display name, role); every account has the test password.
    Yields the base URL and the database URL.
    """
    from bot.staff.accounts import create_staff
    from bot.store.database import session_scope
    from bot.tools import launcher

    database = f"sqlite:///{folder / 'app.db'}"
    launcher.prepare_database(database, load_settings())
    with session_scope(database) as session:
        seed(session)
        for username, (display, role) in staff.items():
            create_staff(session, username=username, display_name=display, role=role, password=STAFF_PASSWORD)
    with web_alone(folder, database) as base:
        yield base, database


@contextmanager
def web_alone(folder: Path, database: str) -> Iterator[str]:
    """The web server alone (`python -m bot web`) on a free port over `database`; yields its base URL.

    No Rasa runs: the idle closer is pointed at a free port, so it never reaches anyone's real one,
    and these tests run beside the full system's tests.
    """
    from bot.tools import launcher
    from bot.tools.services import free_port

    port = free_port()
    env = {**os.environ, "ZGFW_WEB_PORT": str(port), "ZGFW_HOST": "127.0.0.1", "DATABASE_URL": database,
           "ZGFW_RASA_PORT": str(free_port())}
    with open(folder / "web.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not launcher.ready(f"{base}/healthz"):
            assert time.monotonic() < deadline and server.poll() is None, (folder / "web.log").read_text()[-3000:]
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def page_errors(page) -> list[str]:  # noqa: ANN001 - a Playwright Page
    """The console errors and uncaught exceptions the page has from now on (a CSP refusal is one)."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def console_page(browser, base: str, username: str):  # noqa: ANN001, ANN201 - Playwright Browser and Page
    """A new browser context signed in to the console as `username` (the test password), on the queue page."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(base + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("排队会话")
    return page


def write_knowledge_copy(tmp: Path) -> Path:
    """A copy of knowledge/ that a test may break."""
    import shutil

    target = tmp / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


def make_parse(kb: KnowledgeBase, intent: str, ranking: list[tuple[str, float]], text: str = "",
               entities: tuple = ()) -> dict:
    """An NLU result as the TopicRanker writes it, with each topic's overview as its best entry."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": list(entities),
        "topic_ranking": [{"topic": t, "confidence": c} for t, c in ranking],
        "topic_mass": {"labor": sum(c for t, c in ranking if t in kb.topics),
                       **{t: c for t, c in ranking if t not in kb.topics}},
        "entry_ranking": [{"entry": kb.overview(t).id, "topic": t, "score": c} for t, c in ranking if t in kb.topics],
    }


def throwaway_postgres() -> Postgres:
    """A new PostgreSQL cluster in a temporary folder on a free port (not started yet)."""
    import tempfile

    return Postgres(Path(tempfile.mkdtemp(prefix="zgfw-pg-")), free_port())


def new_database(server: Postgres) -> str:
    """A fresh database on the server, for one test."""
    import uuid

    return server.database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """One PostgreSQL server for the session's tests."""
    server = throwaway_postgres()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, migrated app database per test, on SQLite and on PostgreSQL."""
    from bot.store.database import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        url = new_database(request.getfixturevalue("postgres_server"))
    migrate(url)
    yield url


@pytest.fixture
def use_database(database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test database as DATABASE_URL, for code that reads it from the environment (actions)."""
    monkeypatch.setenv("DATABASE_URL", database)
    return database
