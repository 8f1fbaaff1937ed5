"""The scaled stack as `make run-scaled` starts it: two Rasa replicas on PostgreSQL and Redis, nginx in front."""

import asyncio
import json
import os
import signal
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import socketio
from sqlalchemy import update

from bot.settings import Settings, load_settings
from bot.staff.accounts import create_staff
from bot.store import courses
from bot.store.database import session_scope
from bot.store.models import CourseSession
from bot.tools.scaled import ScaledStack, replica
from bot.tools.services import free_port
from tests import fake_wechat
from tests.conftest import STAFF_PASSWORD, WECHAT_API_PORT
from tests.test_console import Browser
from tests.test_rest_channel import texts

WECHAT = {"ZGFW_WECHAT_TOKEN": fake_wechat.TOKEN, "ZGFW_WECHAT_APPID": fake_wechat.APPID,
          "ZGFW_WECHAT_SECRET": fake_wechat.SECRET, "ZGFW_WECHAT_AES_KEY": fake_wechat.AES_KEY,
          "ZGFW_WECHAT_MODE": "compatible", "ZGFW_WECHAT_API_BASE": f"http://127.0.0.1:{WECHAT_API_PORT}"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, wechat_api: fake_wechat.FakeWeChatAPI) -> Iterator[ScaledStack]:
    """Two replicas, their databases and nginx, on ports away from `make run` and the other tests.

    The ticket of a replica that dies mid-turn holds its conversation until it expires: 15 s here
    (Rasa's default is 60; a turn must end within it, messages waiting in line renew theirs).
    """
    home = tmp_path_factory.mktemp("scaled")
    saved = dict(os.environ)
    os.environ.update(TICKET_LOCK_LIFETIME="15", **WECHAT)
    settings = load_settings().copy(update={
        "rasa_port": 16005, "action_port": 16055, "web_port": 18100, "public_port": free_port(),
        "postgres_port": free_port(), "redis_port": free_port(), "replicas": 2, "rasa_token": "scaled-token"})
    stack = ScaledStack(settings, home, Path(tempfile.mkdtemp(prefix="zgfw-scaled-pg-")))  # /tmp: postgres reaches it
    try:
        with open(home / "servers.log", "a") as output:
            stack.start(output)
        yield stack
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def scaled(stack: ScaledStack) -> Settings:
    return stack.settings


def call(url: str, body: object = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def say(base: str, sender: str, text: str) -> list[dict]:
    return call(f"{base}/webhooks/rest/webhook", {"sender": sender, "message": text})


def tracker(settings: Settings, conversation_id: str) -> dict:
    return call(f"{settings.rasa_url}/conversations/{conversation_id}/tracker?token={settings.rasa_token}")


def test_a_conversation_whose_turns_alternate_between_replicas_keeps_its_topic(scaled):
    first, second = replica(scaled, 0), replica(scaled, 1)
    assert say(first.rasa_url, "alt-1", "老板拖欠我三个月工资，怎么办")
    topic = tracker(second, "alt-1")["slots"]["topic"]  # read from the other replica: one tracker store
    assert topic.startswith("wage.")
    assert say(second.rasa_url, "alt-1", "那需要准备什么材料")
    assert tracker(first, "alt-1")["slots"]["topic"] == topic
    assert [e["text"] for e in tracker(first, "alt-1")["events"] if e["event"] == "user"] == [
        "老板拖欠我三个月工资，怎么办", "那需要准备什么材料"]


def test_messages_sent_at_once_through_nginx_are_processed_one_turn_at_a_time(scaled):
    public = f"http://{scaled.host}:{scaled.public_port}"
    texts = [f"第{n}个问题：加班费怎么算" for n in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:  # nginx spreads them over both replicas
        answers = list(pool.map(lambda text: say(public, "burst-1", text), texts))
    assert all(answers)  # every message answered: none failed for want of the lock
    events = [e for e in tracker(scaled, "burst-1")["events"] if e["event"] in ("user", "action")]
    assert sorted(e["text"] for e in events if e["event"] == "user") == sorted(texts)
    turns = "".join("u" if e["event"] == "user" else "a" for e in events)
    assert "uu" not in turns  # the lock in Redis: no message starts before the one before it is answered


async def page_on(settings: Settings, reply_through: Settings) -> list[str]:
    """A page connected to one replica; a staff member's words sent through the other; what the page got."""
    client = socketio.AsyncClient()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    said: list[str] = []
    client.on("session_confirm", lambda value: confirmed.done() or confirmed.set_result(value))
    client.on("bot_uttered", lambda message: said.append(message.get("text", "")))
    await client.connect(settings.rasa_url, transports=["polling"], socketio_path="/socket.io")
    try:
        await client.emit("session_request", {"session_id": None})
        token = await asyncio.wait_for(confirmed, 30)
        await client.emit("user_uttered", {"message": "你好", "session_id": token})
        for _ in range(300):
            if said:
                break
            await asyncio.sleep(0.1)
        conversation_id = token.split(".")[0]
        url = (f"{reply_through.rasa_url}/conversations/{conversation_id}/tracker/events"
               f"?execute_side_effects=true&output_channel=latest&token={reply_through.rasa_token}")
        await asyncio.to_thread(call, url, [{"event": "bot", "text": "【工作人员小王】您好，我来帮您看看。",
                                             "metadata": {"staff": "小王"}}])
        for _ in range(100):
            if said[-1].startswith("【工作人员小王】"):
                break
            await asyncio.sleep(0.1)
        return said
    finally:
        await client.disconnect()


def test_a_staff_reply_sent_through_one_replica_reaches_a_page_connected_to_the_other(scaled):
    said = asyncio.run(page_on(replica(scaled, 0), replica(scaled, 1)))
    assert said[-1] == "【工作人员小王】您好，我来帮您看看。"


def test_one_public_port_serves_the_page_the_console_and_the_webhooks(scaled):
    public = f"http://{scaled.host}:{scaled.public_port}"
    assert call(f"{public}/chat/config") == {"socketPort": scaled.public_port}
    with urllib.request.urlopen(f"{public}/console/login", timeout=30) as response:
        assert response.status == 200
    assert "依据" in "".join(m.get("text", "") for m in say(public, "nginx-1", "公司不给交社保怎么办"))


def test_the_console_through_nginx_is_live_and_reads_the_replicas_tracker_store(stack):
    public = f"http://{stack.settings.host}:{stack.settings.public_port}"
    with session_scope(stack.postgres.database("zgfw_app")) as session:
        create_staff(session, username="scaled-admin", display_name="管理员", role="admin", password=STAFF_PASSWORD)
    admin = Browser(public)
    assert admin.login("scaled-admin") == 302
    stream = admin.opener.open(urllib.request.Request(f"{public}/console/api/live/queue"), timeout=30)
    assert stream.readline() == b"retry: 2000\n"  # passed on at once, not buffered by nginx
    say(public, "nginx-live", "我真的不想活了")  # queued even out of service hours
    say(public, "nginx-live", "我电话13912345678")
    _, body, _ = admin.request("GET", "/console/api/queue")
    [item] = [i for i in json.loads(body)["items"] if i["conversation_id"] == "nginx-live"]
    assert item["last_message"] == "我电话139****5678"  # the web server reads the replicas' PostgreSQL tracker store
    stream.close()


def test_wechat_retries_and_the_access_token_hold_across_replicas(stack, wechat_api):
    public = f"http://{stack.settings.host}:{stack.settings.public_port}"
    issued = len(wechat_api.tokens_issued)
    xml = fake_wechat.text_xml("o-scaled", "加班费怎么算", 90001)
    with ThreadPoolExecutor(max_workers=4) as pool:  # WeChat's retries of one MsgId, spread over both replicas
        replies = list(pool.map(lambda _: fake_wechat.push(f"{public}/webhooks/wechat/webhook", xml), range(4)))
    assert all(r.status == 200 for r in replies)
    assert sum(r.body != "success" for r in replies) == 1  # one answer, the other deliveries acknowledged
    said = [e["text"] for e in tracker(stack.settings, "o-scaled")["events"] if e["event"] == "user"]
    assert said == ["加班费怎么算"]

    start = threading.Barrier(2)

    def staff_reply_through(number: int) -> None:
        settings = replica(stack.settings, number)
        start.wait()
        call(f"{settings.rasa_url}/conversations/o-scaled/tracker/events?execute_side_effects=true"
             f"&output_channel=wechat&token={settings.rasa_token}", [{"event": "bot", "text": f"回复{number}"}])

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(staff_reply_through, range(2)))
    assert len(wechat_api.tokens_issued) == issued + 1  # one token fetched for both replicas
    assert {"回复0", "回复1"} <= set(wechat_api.texts_to("o-scaled"))

def said_again_once(base: str, sender: str, text: str) -> list[dict]:
    """A message sent as a worker's page or app would: once more if the first try failed."""
    try:
        return say(base, sender, text)
    except OSError:  # the replica answering it went away (nginx: 502), or the connection dropped
        return say(base, sender, text)


def sign_up(base: str, sender: str, phone: str) -> str:
    """The four turns of a sign-up for yoga-2; what the last one said."""
    for text in ('/course_signup{"course_session":"yoga-2"}', "王建国", phone):
        said_again_once(base, sender, text)
    return texts(said_again_once(base, sender, "/affirm"))


def test_200_workers_signing_up_at_once_for_30_seats_through_nginx_get_exactly_30(stack):
    app = stack.postgres.database("zgfw_app")
    with session_scope(app) as session:
        session.execute(update(CourseSession).where(CourseSession.id == "yoga-2").values(seats=30, taken=0))
    public = f"http://{stack.settings.host}:{stack.settings.public_port}"
    with ThreadPoolExecutor(max_workers=32) as pool:  # both replicas, one PostgreSQL
        results = list(pool.map(lambda n: sign_up(public, f"seat-{n}", f"139{n:08d}"), range(200)))
    assert sum("报名成功" in r for r in results) == 30
    assert sum("候补" in r for r in results) == 170
    with session_scope(app) as session:
        assert courses.counts(session, session_id="yoga-2") == {"confirmed": 30, "waiting": 170}


def test_a_replica_killed_under_load_loses_only_what_it_was_answering(stack):
    """Last in this module: replica 2 stays dead. Sixteen workers ask six questions each; replica 2's
    Rasa and action servers are killed mid-way. Only requests already in flight may fail, the
    worker's resend is answered by replica 1, and every message reaches the tracker."""
    public = f"http://{stack.settings.host}:{stack.settings.public_port}"
    questions = ["加班费怎么算", "公司不交社保怎么办", "试用期能延长吗", "工伤怎么认定", "年假有几天", "被辞退有补偿吗"]
    failed: list[tuple[float, float]] = []
    killed_at: list[float] = []

    def worker(n: int) -> None:
        for question in questions:
            started = time.monotonic()
            try:
                say(public, f"kill-{n}", question)
            except OSError:
                failed.append((started, time.monotonic()))
                say(public, f"kill-{n}", question)

    def kill_replica_2() -> None:
        time.sleep(3)
        dying = [child.process for child in stack.children if child.name.endswith(" 2")]
        for process in dying:
            os.killpg(process.pid, signal.SIGKILL)
        for process in dying:
            process.wait()  # gone, its sockets closed
        killed_at.append(time.monotonic())

    with ThreadPoolExecutor(max_workers=17) as pool:
        load = [pool.submit(worker, n) for n in range(16)]
        pool.submit(kill_replica_2).result()
        for future in load:
            future.result()  # every resend was answered
    assert killed_at and all(started < killed_at[0] for started, _ in failed), failed
    assert len(failed) <= 16  # at most the one each worker had in flight
    for n in range(16):
        asked = [e["text"] for e in tracker(stack.settings, f"kill-{n}")["events"] if e["event"] == "user"]
        assert set(asked) == set(questions)
