"""The Rasa server as we start it: Rasa's own command line, with our fixes to Rasa 3.6.21 applied first.

Rasa checks every action server reply against its JSON schema with `jsonschema.validate`, which
checks the schema itself against the meta-schema and builds a new validator each time: about
20 ms of CPU per custom action call, a quarter of the Rasa process's time in `make load`. We
check the same replies against the same schema with validators built once (0.1 ms; see `_validators`).

The loaded model, with TensorFlow, is about 930,000 objects. A full garbage collection walks them
all (0.55 s here) and falls on whichever worker's message arrives then; they live as long as the
server, so once the model is loaded they are frozen out of the collector's sweeps.

Rasa opens a new HTTP session, and so a new connection, for every call to the action server (1.5 ms
of the server's CPU a knowledge turn in a py-spy profile); the action endpoint keeps one session,
whose idle connections it drops long before the action server would (bot/tools/launcher.py).
And Rasa finds an event's class by walking every subclass of `Event` again for each event it reads
(0.07 ms an event, a whole conversation on every turn): here a table does it.
"""

from __future__ import annotations

import copy
import gc
import sys
from asyncio import AbstractEventLoop
from typing import Any

import aiohttp
import rasa.core.run
from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig
from sanic import Sanic


def _validators() -> tuple[Validator, dict[str, Validator]]:
    """The reply schema without the events' `oneOf`, and one validator for each of its branches by event name.

    Every branch of the `oneOf` fixes `event` to a name of its own, so an event matches exactly one
    branch when it matches the branch of its name: checking that branch alone is the same check,
    without trying the other 22 (1.1 ms of the server's CPU for a knowledge turn's reply).
    """
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())  # Rasa's own dict stays as it is
    validator_for(schema).check_schema(schema)
    items = schema["properties"]["events"]["items"]
    branches = items.pop("oneOf")
    by_name = {branch["properties"]["event"]["const"]: validator_for(branch)(branch) for branch in branches}
    if len(by_name) != len(branches):
        raise RuntimeError("two branches of the events' oneOf name the same event: check every branch instead")
    return validator_for(schema)(schema), by_name


_REPLY, _EVENTS = _validators()


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What `RemoteAction._validate_action_result` does: raise `ValidationError` on a malformed reply."""
    _REPLY.validate(result)
    for event in result.get("events") or []:
        branch = _EVENTS.get(event["event"])
        if branch is None:
            raise ValidationError(f"{event['event']!r} is not an event Rasa knows")
        branch.validate(event)
    return True


_resolve_event = Event.resolve_by_type
_EVENT_CLASSES: dict[str, type[Event]] = {}


def event_class(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type` from a table; a name the table lacks is left to Rasa's own walk."""
    if not _EVENT_CLASSES:
        for cls in all_subclasses(Event):
            _EVENT_CLASSES.setdefault(cls.type_name, cls)
    found = _EVENT_CLASSES.get(type_name)
    return found if found is not None else _resolve_event(type_name, default)


def apply_fixes() -> None:
    """Install the fixes in this process (the server, or `bot ask` and eval, which run the agent here)."""
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(event_class)


IDLE_CONNECTION_SECONDS = 2.0  # well below the action server's keep-alive (launcher.ACTION_SERVER_KEEP_ALIVE_SECONDS)


class KeptSession:
    """Stands in for `EndpointConfig.session`: every `async with` gets the same open session."""

    def __init__(self, endpoint: EndpointConfig) -> None:
        """The session is opened on first use, inside the server's event loop."""
        self._endpoint = endpoint
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> KeptSession:
        """What Rasa calls in place of `endpoint.session()`."""
        return self

    async def __aenter__(self) -> aiohttp.ClientSession:
        """The open session, made again if it was closed."""
        if self._session is None or self._session.closed:
            auth = aiohttp.BasicAuth(**self._endpoint.basic_auth) if self._endpoint.basic_auth else None
            self._session = aiohttp.ClientSession(
                headers=self._endpoint.headers, auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS))
        return self._session

    async def __aexit__(self, *_exc: object) -> None:
        """Leave the session open for the next call."""

    async def close(self) -> None:
        """Close the session when the server stops."""
        if self._session is not None:
            await self._session.close()


_load_agent = rasa.core.run.load_agent_on_start
_close_resources = rasa.core.run.close_resources


async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Agent:
    """Rasa's start-up listener that loads the model, then keeps the action session and freezes (see above)."""
    agent = await _load_agent(*args, **kwargs)
    if agent.action_endpoint is not None:
        agent.action_endpoint.session = KeptSession(agent.action_endpoint)
    gc.freeze()
    return agent


async def close_then_release(app: Sanic, loop: AbstractEventLoop) -> None:
    """Rasa's shut-down listener, then the kept action session is closed."""
    await _close_resources(app, loop)
    agent = getattr(app.ctx, "agent", None)
    kept = getattr(agent.action_endpoint, "session", None) if agent and agent.action_endpoint else None
    if isinstance(kept, KeptSession):
        await kept.close()


def main() -> None:
    """`python -m bot.tools.rasa_server run ...`: Rasa's CLI with the fixes applied."""
    from rasa.__main__ import main as rasa_main

    apply_fixes()
    rasa.core.run.load_agent_on_start = load_agent_then_freeze
    rasa.core.run.close_resources = close_then_release
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
