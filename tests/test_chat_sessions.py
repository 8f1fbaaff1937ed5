"""The chat page's socket.io channel: the server signs conversation ids, nobody borrows another's."""

import asyncio
import json
import time
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from bot.channels.chat_sessions import ChatPageOutput, SeenMessages, stamp
from bot.chat_tokens import sign, verified
from bot.rasa_api import RasaClient

SECRET = "a-test-secret-of-enough-length"  # noqa: S105 - signs nothing outside this test


def test_only_ids_signed_with_the_secret_are_verified():
    token = sign("3f2a", SECRET)
    assert verified(token, SECRET) == "3f2a"
    assert verified(token, "another-secret-of-enough-length") is None
    assert verified("3f2b" + token[4:], SECRET) is None
    for forged in ("oWeChatOpenIdOfSomeoneElse", "3f2a.", "3f2a.0000", "", None, 42, {"id": "3f2a"}):
        assert verified(forged, SECRET) is None


async def page(url: str, token: str | None, message: str | None, session_id: str | None = None) -> tuple[str, list]:
    """One page visit: ask for a session (with `token`), send `message` under `session_id` (default: the
    confirmed token), and return the confirmed token and the bot's messages."""
    client = socketio.AsyncClient()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    said: list[dict] = []
    client.on("session_confirm", lambda value: confirmed.done() or confirmed.set_result(value))
    client.on("bot_uttered", said.append)
    # engineio's websocket client needs a newer aiohttp than Rasa pins; polling is the same channel
    await client.connect(url, transports=["polling"], socketio_path="/socket.io")
    try:
        await client.emit("session_request", {"session_id": token})
        confirmed_token = await asyncio.wait_for(confirmed, 30)
        if message is not None:
            await client.emit("user_uttered", {"message": message, "session_id": session_id or confirmed_token})
            for _ in range(600):
                if said:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # the rest of a multi-bubble answer
        return confirmed_token, said
    finally:
        await client.disconnect()


def tracker_events(settings, conversation_id: str) -> list[dict]:
    url = f"{settings.rasa_url}/conversations/{conversation_id}/tracker?token={settings.rasa_token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())["events"]


def test_a_page_gets_a_signed_conversation_and_keeps_it_across_a_reload(servers):
    token, said = asyncio.run(page(servers.rasa_url, None, "老板拖欠我两个月工资怎么办"))
    conversation_id = token.split(".")[0]
    assert "依据" in "".join(m.get("text", "") for m in said)
    asked = [e["text"] for e in tracker_events(servers, conversation_id) if e["event"] == "user"]
    assert asked == ["老板拖欠我两个月工资怎么办"]
    again, _ = asyncio.run(page(servers.rasa_url, token, None))
    assert again == token


def test_nobody_speaks_as_another_conversation_through_the_chat_page(servers, kb):
    victim = "oWeChatOpenIdOfSomeoneElse"
    for claimed in (victim, f"{victim}.0123456789abcdef0123456789abcdef"):
        _, said = asyncio.run(page(servers.rasa_url, None, "我报了哪些课", session_id=claimed))
        assert [m.get("text") for m in said] == [kb.replies["chat_session_invalid"].text]
    assert not [e for e in tracker_events(servers, victim) if e["event"] == "user"]


def test_a_forged_session_gets_a_fresh_conversation_not_the_claimed_one(servers):
    forged = "oWeChatOpenIdOfSomeoneElse.0123456789abcdef0123456789abcdef"
    token, _ = asyncio.run(page(servers.rasa_url, forged, None))
    assert token != forged and not token.startswith("oWeChatOpenIdOfSomeoneElse")


class Recorder:
    """socket.io's server as far as an output channel sees it: what was emitted, to which room."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict, str]] = []

    async def emit(self, event: str, data: dict, room: str) -> None:
        self.sent.append((event, data, room))


def test_a_staff_members_words_reach_the_page_with_their_name_and_the_bots_without():
    sio = Recorder()
    output = ChatPageOutput(sio, "bot_uttered")
    button = {"title": "转人工", "payload": "/request_human"}
    asyncio.run(output.send_response("c1", {"text": "【工作人员小李】第一段\n\n第二段", "staff": "小李"}))
    asyncio.run(output.send_response("c1", {"text": "好的", "buttons": [button], "staff": "小李"}))
    asyncio.run(output.send_response("c1", {"text": "助手的回答", "utter_action": "utter_greet"}))
    assert [data for _, data, _ in sio.sent] == [
        {"text": "【工作人员小李】第一段", "staff": "小李"}, {"text": "第二段", "staff": "小李"},
        {"text": "好的", "quick_replies": [{"content_type": "text", "title": "转人工", "payload": "/request_human"}],
         "staff": "小李"},
        {"text": "助手的回答"}]
    assert {room for _, _, room in sio.sent} == {"c1"}


def test_message_ids_are_remembered_per_conversation_and_the_oldest_forgotten():
    seen = SeenMessages(size=2)
    first = seen.turn_of("c1", "m1")
    assert first[1] and seen.turn_of("c1", "m1") == (first[0], False)  # a resend waits for the same turn
    assert seen.turn_of("c2", "m1")[1]  # the same id in another conversation is another message
    assert seen.turn_of("c1", "m2")[1] and seen.turn_of("c1", "m1")[1]  # m1 of c1 was the oldest
    for unusable in (None, "", 7, "x" * 65, {"id": "m1"}):
        assert seen.turn_of("c1", unusable)[1] and seen.turn_of("c1", unusable)[1]


def test_every_part_of_a_stored_message_carries_its_stamp_and_a_text_outside_the_store_none():
    sio = Recorder()
    output = ChatPageOutput(sio, "bot_uttered")
    asyncio.run(output.send_response("c1", {"text": "第一段\n\n第二段", "timestamp": 1765000000.25}))
    asyncio.run(output.send_text_message("c1", "没有存下的话"))
    asyncio.run(output.send_response("c1", {"text": "再一条", "timestamp": 1765000001}))
    assert [data for _, data, _ in sio.sent] == [
        {"text": "第一段", "at": 1765000000.25, "part": 0}, {"text": "第二段", "at": 1765000000.25, "part": 1},
        {"text": "没有存下的话"}, {"text": "再一条", "at": 1765000001.0, "part": 0}]
    for not_a_time in (None, True, "1765000000", [1]):
        assert stamp(not_a_time) is None


async def resend(url: str, message: str, message_id: str, visits: int) -> str:
    """The page's resend after reconnects: the same message and id on `visits` connections, each acknowledged;
    returns the conversation id."""
    token = None
    for _ in range(visits):
        client = socketio.AsyncClient()
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        client.on("session_confirm", lambda value, done=confirmed: done.done() or done.set_result(value))
        await client.connect(url, transports=["polling"], socketio_path="/socket.io")
        try:
            await client.emit("session_request", {"session_id": token})
            token = await asyncio.wait_for(confirmed, 30)
            await client.call("user_uttered", {"message": message, "session_id": token,
                                               "metadata": {"message_id": message_id}}, timeout=60)
        finally:
            await client.disconnect()
    return token.split(".")[0]


def test_a_message_resent_after_a_reconnect_runs_once(servers):
    conversation_id = asyncio.run(resend(servers.rasa_url, "加班费怎么算", "m-resent-1", visits=3))
    events = tracker_events(servers, conversation_id)
    assert [e["text"] for e in events if e["event"] == "user"] == ["加班费怎么算"]
    assert sum("依据" in (e.get("text") or "") for e in events if e["event"] == "bot") == 1


async def visit(url: str, token: str, since: float,
                then: Callable[[socketio.AsyncClient], Awaitable[Any]] | None = None) -> tuple[list[dict], list[dict]]:
    """A page coming back with what it has up to `since`: what it was sent before the session was
    confirmed, and what `then` (run after the confirmation) brought."""
    client = socketio.AsyncClient()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    before: list[dict] = []
    after: list[dict] = []
    client.on("session_confirm", lambda value: confirmed.done() or confirmed.set_result(value))
    client.on("bot_uttered", lambda data: (after if confirmed.done() else before).append(data))
    await client.connect(url, transports=["polling"], socketio_path="/socket.io")
    try:
        await client.emit("session_request", {"session_id": token, "since": since})
        assert await asyncio.wait_for(confirmed, 30) == token
        if then is not None:
            await then(client)
        return before, after
    finally:
        await client.disconnect()


async def a_turn_whose_connection_dropped(servers) -> tuple[str, float]:
    """The worker asks and the phone loses signal before the answer: the answer goes to an empty room."""
    since = time.time() - 300
    token, _ = await page(servers.rasa_url, None, None)
    client = socketio.AsyncClient()
    await client.connect(servers.rasa_url, transports=["polling"], socketio_path="/socket.io")
    await client.emit("user_uttered", {"message": "老板拖欠工资怎么办", "session_id": token,
                                       "metadata": {"message_id": "m-dropped-1"}, "since": since})
    await asyncio.sleep(0.05)  # the message is on its way; the answer is not
    await client.disconnect()
    for _ in range(600):
        if any("依据" in (e.get("text") or "") for e in tracker_events(servers, token.split(".")[0])
               if e["event"] == "bot"):
            return token, since
        await asyncio.sleep(0.1)
    raise AssertionError("the turn never ended")


def test_an_answer_given_while_the_page_was_away_reaches_it_when_it_comes_back_and_only_once(servers):
    async def scenario() -> None:
        token, since = await a_turn_whose_connection_dropped(servers)
        before, _ = await visit(servers.rasa_url, token, since)
        answer = [m for m in before if "依据" in m.get("text", "")]
        assert answer and all(isinstance(m["at"], float) and isinstance(m["part"], int) for m in before)
        stamps = [(m["at"], m["part"]) for m in before]
        assert len(set(stamps)) == len(stamps)  # every part names itself once

        async def resend_it(client: socketio.AsyncClient) -> None:
            await client.call("user_uttered", {"message": "老板拖欠工资怎么办", "session_id": token,
                                               "metadata": {"message_id": "m-dropped-1"}, "since": since}, timeout=60)
        _, after = await visit(servers.rasa_url, token, since, resend_it)
        assert [(m["at"], m["part"]) for m in after] == stamps  # the same messages again, the page skips them
        asked = [e["text"] for e in tracker_events(servers, token.split(".")[0]) if e["event"] == "user"]
        assert asked == ["老板拖欠工资怎么办"]  # the resend did not run twice
        nothing, _ = await visit(servers.rasa_url, token, max(at for at, _ in stamps))
        assert nothing == []

    asyncio.run(scenario())


def test_a_staff_reply_sent_while_the_page_was_away_reaches_it_with_the_name(servers):
    async def scenario() -> None:
        token, _ = await page(servers.rasa_url, None, None)
        since = time.time() - 300
        await RasaClient(servers.rasa_url, servers.rasa_token).say(token.split(".")[0], "您好，我是工会的小李。",
                                                                   staff="小李")
        before, _ = await visit(servers.rasa_url, token, since)
        assert [(m["text"], m["staff"]) for m in before] == [("您好，我是工会的小李。", "小李")]

    asyncio.run(scenario())
