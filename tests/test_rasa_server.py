"""Our start of Rasa: action server replies are checked against Rasa's schema as strictly as Rasa does."""

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.tools.rasa_server import apply_fixes

GOOD = {"events": [{"event": "slot", "name": "topic", "value": "wages"}],
        "responses": [{"text": "拖欠工资可以先找劳动监察。",
                       "buttons": [{"title": "申请法律援助", "payload": "/legal_aid"}]}]}
BAD = [{"events": [{"name": "topic"}]}, {"events": "slot"}, {"responses": "不是列表"}]


@pytest.fixture
def action() -> RemoteAction:
    apply_fixes()
    return RemoteAction("action_answer", EndpointConfig("http://127.0.0.1:1"))


def test_a_well_formed_reply_passes(action):
    validate(GOOD, RemoteAction.action_response_format_spec())
    assert action._validate_action_result(GOOD) is True


@pytest.mark.parametrize("reply", BAD)
def test_a_malformed_reply_is_refused_as_rasa_refuses_it(action, reply):
    with pytest.raises(ValidationError):
        validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError):
        action._validate_action_result(reply)


def test_every_event_class_is_found_as_rasas_own_walk_finds_it():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    from bot.tools.rasa_server import event_class

    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "followup", "session_started"} <= names
    for name in names:
        assert event_class(name) is next(cls for cls in all_subclasses(Event) if cls.type_name == name)
    assert event_class("no_such_event", default=Event) is Event
    with pytest.raises(ValueError, match="Unknown event name"):
        event_class("no_such_event")


async def test_the_action_endpoint_keeps_one_connection_and_survives_a_restarted_server(unused_tcp_port):
    from aiohttp import web

    from bot.tools.rasa_server import KeptSession

    peers: list[int] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"events": [], "responses": []})

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
        return runner

    endpoint = EndpointConfig(f"http://127.0.0.1:{unused_tcp_port}/webhook")
    endpoint.session = KeptSession(endpoint)
    runner = await start()
    try:
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "action_answer"}, method="post") == {
                "events": [], "responses": []}
        assert len(peers) == 3 and len(set(peers)) == 1  # one connection for all three calls
    finally:
        await runner.cleanup()
    runner = await start()  # the action server restarted: the next call opens a new connection
    try:
        assert await endpoint.request(json={}, method="post") == {"events": [], "responses": []}
        assert len(set(peers)) == 2
    finally:
        await runner.cleanup()
        await endpoint.session.close()


def _replies() -> list[dict]:
    """Well-formed replies with every kind of event an action of ours returns, and broken copies of them."""
    events = [{"event": "slot", "name": "topic", "value": "wage.arrears", "timestamp": None},
              {"event": "followup", "name": "action_listen"},
              {"event": "active_loop", "name": None},
              {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet", "confidence": 1.0},
                                                                "entities": []}},
              {"event": "bot", "text": "你好", "data": {"buttons": []}},
              {"event": "pause"}, {"event": "resume"}, {"event": "reset_slots"}, {"event": "restart"}]
    good = [{"events": [event], "responses": []} for event in events] + [GOOD, {"events": events}]
    broken = [{"events": [{**event, "event": "no_such_event"}]} for event in events]
    broken += [{"events": [{**event, "name": 7}]} for event in events if "name" in event]
    broken += [{"events": [{**event, "timestamp": "yesterday"}]} for event in events]
    broken += [{"events": [{k: v for k, v in event.items() if k != "event"}]} for event in events]
    return good + broken + BAD


@pytest.mark.parametrize("reply", _replies())
def test_our_check_refuses_exactly_what_rasas_schema_refuses(action, reply):
    try:
        validate(reply, RemoteAction.action_response_format_spec())
        rasa_accepts = True
    except ValidationError:
        rasa_accepts = False
    try:
        ours_accepts = action._validate_action_result(reply)
    except ValidationError:
        ours_accepts = False
    assert ours_accepts == rasa_accepts
