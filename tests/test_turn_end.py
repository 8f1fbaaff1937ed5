"""The answer actions end the turn themselves (actions.common.turn_over): the training data must agree."""

from pathlib import Path

import yaml

from bot.settings import ROOT

ENDING = {"action_answer", "action_quote_article"}


def _flows() -> list[tuple[str, dict]]:
    flows = []
    for path in sorted(Path(ROOT / "data").rglob("*.yml")):
        content = yaml.safe_load(path.read_text("utf-8")) or {}
        flows += [(path.name, flow) for flow in content.get("rules", []) + content.get("stories", [])]
    return flows


def _active_loop(flow: dict) -> str | None:
    return next((step["active_loop"] for step in flow.get("condition", []) if "active_loop" in step), None)


def test_outside_a_form_an_answer_is_followed_by_the_worker_and_inside_one_by_the_form():
    checked = 0
    for name, flow in _flows():
        steps = flow["steps"]
        for step, following in zip(steps, [*steps[1:], None], strict=True):
            if step.get("action") not in ENDING:
                continue
            checked += 1
            loop = _active_loop(flow)
            if loop is None:
                assert following is None or "intent" in following or "or" in following, (name, flow)
            else:
                assert following == {"action": loop}, (name, flow)
    assert checked >= 10  # the rules and stories that answer are all seen
