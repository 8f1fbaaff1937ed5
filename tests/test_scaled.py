"""The scaled stack as `make run-scaled` starts it: two Rasa replicas on PostgreSQL and Redis, nginx in front."""

import asyncio
import json
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import socketio

from bot.settings import Settings, load_settings
from bot.tools.scaled import ScaledStack, replica
from bot.tools.services import free_port


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Two replicas, their databases and nginx, on ports away from `make run` and the other tests."""
    home = tmp_path_factory.mktemp("scaled")
    settings = load_settings().copy(update={
        "rasa_port": 16005, "action_port": 16055, "web_port": 18100, "public_port": free_port(),
        "postgres_port": free_port(), "redis_port": free_port(), "replicas": 2, "rasa_token": "scaled-token"})
    stack = ScaledStack(settings, home, Path(tempfile.mkdtemp(prefix="zgfw-scaled-pg-")))  # /tmp: postgres reaches it
    try:
        with open(home / "servers.log", "a") as output:
            stack.start(output)
        yield settings
    finally:
        stack.stop()


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
