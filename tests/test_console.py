"""The staff console over HTTP against the running system: sign-in, security, take-reply-close, cases."""

import http.cookiejar
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from bot.store.database import session_scope
from bot.store.models import AuditEntry
from tests.conftest import STAFF_PASSWORD
from tests.test_rest_channel import say, texts


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (so tests see them)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.csrf = ""

    def request(self, method: str, path: str, *, form: dict | None = None, body: dict | None = None,
                csrf: bool = True) -> tuple[int, str, dict]:
        data, headers = None, {}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            if csrf:
                headers["X-CSRF-Token"] = self.csrf
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def login(self, username: str, password: str = STAFF_PASSWORD) -> int:
        _, page, _ = self.request("GET", "/console/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _, _ = self.request("POST", "/console/login",
                                    form={"csrf_token": token, "username": username, "password": password})
        if status == 302:
            _, page, _ = self.request("GET", "/console/")
            self.csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
        return status


def taken(settings, staff_accounts, sender: str) -> tuple[Browser, str]:
    """The legal staff member signed in, having taken the sender's waiting conversation; its API path."""
    legal = Browser(settings.web_url)
    assert legal.login(staff_accounts["legal"]) == 302
    _, body, _ = legal.request("GET", "/console/api/queue")
    [item] = [i for i in json.loads(body)["items"] if i["conversation_id"] == sender]
    path = f"/console/api/handoffs/{item['id']}"
    assert legal.request("POST", f"{path}/take", body={})[0] == 200
    return legal, path


def tracker(settings, sender: str) -> dict:
    url = f"{settings.rasa_url}/conversations/{sender}/tracker?token={settings.rasa_token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def legal(servers, staff_accounts) -> Browser:
    browser = Browser(servers.web_url)
    assert browser.login(staff_accounts["legal"]) == 302
    return browser


def test_every_console_route_needs_a_login(servers):
    anonymous = Browser(servers.web_url)
    assert anonymous.request("GET", "/console/")[0] == 302
    assert anonymous.request("GET", "/console/cases")[0] == 302
    assert anonymous.request("GET", "/console/api/queue")[0] == 401
    assert anonymous.request("POST", "/console/api/handoffs/1/take", body={})[0] == 401


def test_login_needs_the_form_token_and_the_right_password(servers, staff_accounts):
    browser = Browser(servers.web_url)
    status, page, _ = browser.request("POST", "/console/login",
                                      form={"username": staff_accounts["legal"], "password": STAFF_PASSWORD})
    assert status == 403 and "页面已过期" in page
    assert browser.login(staff_accounts["legal"], "wrong password!") == 401


def test_logins_are_rate_limited(servers, staff_accounts, legal):
    from bot.staff.accounts import create_staff

    with session_scope(os.environ["DATABASE_URL"]) as session:
        create_staff(session, username="target", display_name="t", role="legal", password=STAFF_PASSWORD)
    browser = Browser(servers.web_url)
    assert [browser.login("target", f"guess {n}") for n in range(5)] == [401] * 5
    assert browser.login("target") == 429  # even the right password waits now
    admin = Browser(servers.web_url)
    assert admin.login(staff_accounts["admin"]) == 302
    assert legal.request("POST", "/console/api/staff/target/unlock", body={})[0] == 403  # admins only
    assert admin.request("POST", "/console/api/staff/target/unlock", body={})[0] == 200
    assert browser.login("target") == 302  # an admin's unlock ends the wait at once


def test_posts_without_the_csrf_token_are_refused(legal):
    status, body, _ = legal.request("POST", "/console/api/handoffs/1/take", body={}, csrf=False)
    assert status == 403 and "页面已过期" in json.loads(body)["error"]


def test_a_counselor_cannot_read_cases(servers, staff_accounts):
    counselor = Browser(servers.web_url)
    assert counselor.login(staff_accounts["counselor"]) == 302
    assert counselor.request("GET", "/console/cases")[0] == 403


def test_take_reply_close_through_the_console(servers, legal):
    sender = "console-worker-1"
    assert "排队" in texts(say(servers, sender, "转人工 公司三个月没发工资"))
    _, body, _ = legal.request("GET", "/console/api/queue")
    [item] = [i for i in json.loads(body)["items"] if i["conversation_id"] == sender]
    assert (item["skill"], item["status"]) == ("legal", "waiting")
    path = f"/console/api/handoffs/{item['id']}"

    assert legal.request("POST", f"{path}/reply", body={"text": "先别急"})[0] == 409  # not taken yet
    assert legal.request("POST", f"{path}/take", body={})[0] == 200
    assert tracker(servers, sender)["paused"]
    assert say(servers, sender, "<script>alert(1)</script>老板电话打不通") == []  # the bot stays quiet
    assert legal.request("POST", f"{path}/reply", body={"text": "您好，我是王律师，请说说情况"})[0] == 200
    _, body, _ = legal.request("GET", path)
    lines = json.loads(body)["lines"]
    assert {"speaker": "worker", "text": "<script>alert(1)</script>老板电话打不通"} in \
        [{"speaker": line["speaker"], "text": line["text"]} for line in lines]
    assert lines[-1]["speaker"] == "staff" and "您好，我是王律师" in lines[-1]["text"]
    assert any(line["speaker"] == "bot" and "排队" in line["text"] for line in lines)  # the bot's own words too

    assert legal.request("POST", f"{path}/close", body={})[0] == 200
    assert not tracker(servers, sender)["paused"]
    assert "加班" in texts(say(servers, sender, "加班费怎么算"))  # the bot answers again
    with session_scope(os.environ["DATABASE_URL"]) as session:
        actions = session.execute(select(AuditEntry.action).where(AuditEntry.target == sender)).scalars().all()
    assert actions == ["handoff_take", "handoff_reply", "handoff_close"]


def test_a_case_status_change_reaches_the_worker(servers, legal):
    from tests.test_legal_aid_rest import INTAKE

    sender = "console-worker-2"
    for text, _ in INTAKE:
        say(servers, sender, text)
    number = tracker(servers, sender)["slots"]["case_number"]
    _, page, _ = legal.request("GET", "/console/cases?status=assigned")
    assert number in page and "王建国" in page
    form = {"csrf_token": legal.csrf, "status": "in_progress", "note": "律师已约您周三面谈"}
    status, page, _ = legal.request("POST", f"/console/cases/{number}/status", form=form)
    assert status == 200 and "已通知职工" in page
    last = [e for e in tracker(servers, sender)["events"] if e["event"] == "bot"][-1]
    assert number in last["text"] and "处理中" in last["text"] and "周三面谈" in last["text"]


def test_staff_accounts_are_created_from_the_command_line(tmp_path):
    import subprocess
    import sys

    from bot.settings import ROOT
    from bot.staff.accounts import authenticate

    url = f"sqlite:///{tmp_path / 'app.db'}"
    env = {**os.environ, "DATABASE_URL": url, "ZGFW_STAFF_PASSWORD": "a long password"}
    done = subprocess.run([sys.executable, "-m", "bot", "staff", "add", "xiaozhang", "--role", "counselor",
                           "--name", "小张"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    short = subprocess.run([sys.executable, "-m", "bot", "staff", "add", "x2", "--role", "legal"], cwd=ROOT,
                           env={**env, "ZGFW_STAFF_PASSWORD": "short"}, capture_output=True, text=True)
    assert short.returncode == 1 and "at least 10" in short.stderr
    with session_scope(url) as session:
        assert authenticate(session, username="xiaozhang", password="a long password").display_name == "小张"


def test_an_unknown_case_number_is_a_404(legal):
    assert legal.request("GET", "/console/cases/FY-2026-999999")[0] == 404
    form = {"csrf_token": legal.csrf, "status": "in_progress", "note": ""}
    status, body, _ = legal.request("POST", "/console/cases/FY-2026-999999/status", form=form)
    assert status == 404 and "没有这个案件" in body


def test_a_database_outage_is_a_503_in_chinese_not_a_500(tmp_path):
    import subprocess
    import sys
    import time

    from bot.settings import ROOT
    from bot.tools import launcher
    from bot.web.console.auth import COOKIE

    port = 18093
    env = {**os.environ, "ZGFW_WEB_PORT": str(port), "ZGFW_HOST": "127.0.0.1",
           "DATABASE_URL": "postgresql+psycopg2://nobody:x@127.0.0.1:9/nothing"}  # nothing listens on port 9
    web = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while not launcher.ready(f"{browser.base}/healthz"):
            assert time.monotonic() < deadline and web.poll() is None, "the web server did not start"
            time.sleep(0.5)
        browser.jar.set_cookie(http.cookiejar.Cookie(
            0, COOKIE, "some-session", None, False, "127.0.0.1", False, False, "/", True, False, None, False,
            None, None, {}))
        status, body, _ = browser.request("GET", "/console/")
        assert status == 503 and "数据库暂时连不上" in body
        status, body, _ = browser.request("GET", "/console/api/queue")
        assert status == 503 and "数据库暂时连不上" in json.loads(body)["error"]
    finally:
        web.terminate()
        web.wait(timeout=30)


def test_polling_does_not_keep_an_idle_session_alive(servers):
    import datetime as dt

    from sqlalchemy import update

    from bot.clock import utcnow
    from bot.staff.accounts import create_staff
    from bot.store.models import Staff, StaffSession

    with session_scope(os.environ["DATABASE_URL"]) as session:
        create_staff(session, username="idle-desk", display_name="值班", role="counselor", password=STAFF_PASSWORD)
    desk = Browser(servers.web_url)
    assert desk.login("idle-desk") == 302

    def idle_for(minutes: int) -> None:
        with session_scope(os.environ["DATABASE_URL"]) as session:
            staff_id = session.execute(select(Staff.id).where(Staff.username == "idle-desk")).scalar_one()
            session.execute(update(StaffSession).where(StaffSession.staff_id == staff_id)
                            .values(last_seen=utcnow() - dt.timedelta(minutes=minutes)))

    def idle_minutes() -> float:
        with session_scope(os.environ["DATABASE_URL"]) as session:
            staff_id = session.execute(select(Staff.id).where(Staff.username == "idle-desk")).scalar_one()
            seen = session.execute(select(StaffSession.last_seen).where(StaffSession.staff_id == staff_id)).scalar()
        return (utcnow() - seen).total_seconds() / 60

    idle_for(29)
    assert desk.request("GET", "/console/api/queue")[0] == 200  # the page's polling, 29 minutes after the person
    assert idle_minutes() > 28  # ... does not restart the idle clock
    assert desk.request("GET", "/console/")[0] == 200  # a person opens a page: it does
    assert idle_minutes() < 1
    idle_for(31)
    assert desk.request("GET", "/console/api/queue")[0] == 401  # 31 minutes without a person: signed out


def test_behind_a_trusted_proxy_the_real_address_counts_and_cookies_are_secure(tmp_path):
    import subprocess
    import sys
    import time

    from bot.settings import ROOT, load_settings
    from bot.staff.accounts import create_staff
    from bot.tools import launcher
    from bot.tools.launcher import prepare_database

    database = f"sqlite:///{tmp_path / 'app.db'}"
    prepare_database(database, load_settings())
    with session_scope(database) as session:
        create_staff(session, username="behind-proxy", display_name="代理", role="legal", password=STAFF_PASSWORD)
    port = 18094
    env = {**os.environ, "ZGFW_WEB_PORT": str(port), "DATABASE_URL": database, "SANIC_PROXIES_COUNT": "1"}
    web = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    forwarded = {"X-Forwarded-For": "198.51.100.23", "X-Forwarded-Proto": "https"}
    try:
        deadline = time.monotonic() + 60
        while not launcher.ready(f"{base}/healthz"):
            assert time.monotonic() < deadline and web.poll() is None, "the web server did not start"
            time.sleep(0.5)
        with urllib.request.urlopen(urllib.request.Request(f"{base}/console/login", headers=forwarded)) as page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "username": "behind-proxy",
                                       "password": STAFF_PASSWORD}).encode()
        request = urllib.request.Request(f"{base}/console/login", data=form, method="POST", headers={
            **forwarded, "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"zgfw_login_csrf={token}"})
        opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {
            "redirect_request": lambda *args, **kwargs: None}))
        try:
            opener.open(request, timeout=30)
        except urllib.error.HTTPError as answer:
            status, cookies = answer.code, answer.headers.get_all("Set-Cookie")
        assert status == 302
        session_cookie = next(c for c in cookies if c.startswith("zgfw_staff="))
        assert "secure" in session_cookie.lower()  # the original scheme was https
        with session_scope(database) as session:
            detail = session.execute(select(AuditEntry.detail).where(AuditEntry.action == "login")).scalar_one()
        assert detail == "198.51.100.23"  # the staff member's address, not the proxy's
    finally:
        web.terminate()
        web.wait(timeout=30)


def test_staff_and_a_typing_worker_never_wait_on_each_other(servers, legal):
    """Take, reply and close 20 times while the same worker keeps typing: no 5xx, nothing over 2 s.

    Before, the console awaited Rasa inside its unit of work: with SQLite it held the write lock
    while Rasa waited for the worker's turn, whose action waited for that lock (15 s busy timeout).
    """
    import threading
    import time

    sender = "console-busy-worker"
    timings: list[tuple[str, int, float]] = []
    stop = threading.Event()

    def timed(label: str, call) -> tuple[int, str]:  # noqa: ANN001 - a request callable
        started = time.monotonic()
        status, body = call()
        timings.append((label, status, time.monotonic() - started))
        return status, body

    def worker() -> None:
        lines = ("转人工 我要找律师", "老板还没发工资", "在吗", "加班费怎么算")
        for number in range(10_000):
            if stop.is_set():
                return
            line = lines[number % len(lines)]
            timed("worker", lambda line=line: (200, texts(say(servers, sender, line))))

    typing = threading.Thread(target=worker, daemon=True)
    typing.start()
    try:
        for _ in range(20):
            deadline, item = time.monotonic() + 30, None
            while item is None and time.monotonic() < deadline:
                _, body = timed("queue", lambda: legal.request("GET", "/console/api/queue")[:2])
                item = next((i for i in json.loads(body)["items"]
                             if i["conversation_id"] == sender and i["status"] == "waiting"), None)
            assert item is not None, "the worker's request for a person never reached the queue"
            path = f"/console/api/handoffs/{item['id']}"
            for verb, body in (("take", {}), ("reply", {"text": "您好，我在"}), ("close", {})):
                url = f"{path}/{verb}"
                timed(verb, lambda url=url, body=body: legal.request("POST", url, body=body)[:2])
    finally:
        stop.set()
        typing.join(timeout=30)
    assert not [t for t in timings if t[1] >= 500], [t for t in timings if t[1] >= 500]
    slow = [t for t in timings if t[2] > 2.0]
    assert not slow, slow
    assert sum(1 for t in timings if t[0] == "close" and t[1] == 200) == 20
    assert sum(1 for t in timings if t[0] == "worker") >= 20


def test_a_conversation_taken_and_left_is_closed_and_the_worker_told(servers, legal):
    import asyncio
    import datetime as dt

    from bot.clock import utcnow
    from bot.store.models import Handoff
    from bot.web.app import create_app
    from bot.web.idle import close_idle

    sender = "console-left-worker"
    say(servers, sender, "转人工 我要找律师")
    _, body, _ = legal.request("GET", "/console/api/queue")
    [item] = [i for i in json.loads(body)["items"] if i["conversation_id"] == sender]
    assert legal.request("POST", f"/console/api/handoffs/{item['id']}/take", body={})[0] == 200
    app = create_app(servers, name="idle_test")
    assert asyncio.run(close_idle(app)) == 0  # just taken: not idle
    with session_scope(os.environ["DATABASE_URL"]) as session:  # the counselor went home two hours ago
        session.get(Handoff, item["id"]).last_staff_at = utcnow() - dt.timedelta(hours=2)
    assert asyncio.run(close_idle(app)) == 1
    with session_scope(os.environ["DATABASE_URL"]) as session:
        assert session.get(Handoff, item["id"]).status == "closed"
    state = tracker(servers, sender)
    assert not state["paused"]
    said = [e["text"] for e in state["events"] if e["event"] == "bot"]
    assert "有一阵子没有回复" in said[-1] or ("有一阵子没有回复" in said[-2] and "满意吗" in said[-1])
    assert "加班" in texts(say(servers, sender, "加班费怎么算"))  # the bot answers again
