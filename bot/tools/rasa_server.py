"""The Rasa server as we start it: Rasa's own command line, with our fixes to Rasa 3.6.21 applied first.

Rasa checks every action server reply against its JSON schema with `jsonschema.validate`, which
checks the schema itself against the meta-schema and builds a new validator each time: about
20 ms of CPU per custom action call, a quarter of the Rasa process's time in `make load`. We
check the same replies against the same schema with a validator built once (about 1 ms).

The loaded model, with TensorFlow, is about 930,000 objects. A full garbage collection walks them
all (0.55 s here) and falls on whichever worker's message arrives then; they live as long as the
server, so once the model is loaded they are frozen out of the collector's sweeps.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import rasa.core.run
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent

_SCHEMA = RemoteAction.action_response_format_spec()
_VALIDATOR = validator_for(_SCHEMA)(_SCHEMA)
_VALIDATOR.check_schema(_SCHEMA)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What `RemoteAction._validate_action_result` does: raise `ValidationError` on a malformed reply."""
    _VALIDATOR.validate(result)
    return True


def apply_fixes() -> None:
    """Install the fix in this process (the server, or `bot ask` and eval, which run the agent here)."""
    RemoteAction._validate_action_result = validate_action_result


_load_agent = rasa.core.run.load_agent_on_start


async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Agent:
    """Rasa's start-up listener that loads the model, then the freeze (see above)."""
    agent = await _load_agent(*args, **kwargs)
    gc.freeze()
    return agent


def main() -> None:
    """`python -m bot.tools.rasa_server run ...`: Rasa's CLI with the fixes applied."""
    from rasa.__main__ import main as rasa_main

    apply_fixes()
    rasa.core.run.load_agent_on_start = load_agent_then_freeze
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
