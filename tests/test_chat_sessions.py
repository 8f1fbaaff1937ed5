"""The chat page's socket.io channel: the server signs conversation ids, nobody borrows another's."""

import asyncio
import json
import urllib.request

import socketio

from bot.channels.chat_sessions import ChatPageOutput, SeenMessages
from bot.chat_tokens import sign, verified

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
    assert seen.first_time("c1", "m1") and not seen.first_time("c1", "m1")
    assert seen.first_time("c2", "m1")  # the same id in another conversation is another message
    assert seen.first_time("c1", "m2") and seen.first_time("c1", "m1")  # m1 of c1 was the oldest
    for unusable in (None, "", 7, "x" * 65, {"id": "m1"}):
        assert seen.first_time("c1", unusable) and seen.first_time("c1", unusable)


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
