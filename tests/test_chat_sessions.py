"""The chat page's socket.io channel: the server signs conversation ids, nobody borrows another's."""

import asyncio
import json
import urllib.request

import socketio

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
