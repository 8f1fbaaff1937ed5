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
