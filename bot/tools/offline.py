"""Run the trained bot in this process, custom actions included, for `bot ask`, eval and tests.

The Rasa agent is the real one (same model, policies and responses); only the hop to the
action server is replaced by calling rasa_sdk's executor directly. This is the one module
of bot/ that imports rasa_sdk, because it stands in for the action server.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import jieba
from rasa.core.agent import Agent
from rasa.model import get_local_model
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.log_utils import configure_structlog
from rasa_sdk.executor import ActionExecutor

from bot.kb import answering
from bot.kb.knowledge import KnowledgeBase, load_cached
from bot.settings import load_settings

ANSWERING_ACTIONS = {"action_answer", "action_handoff"}


class InProcessActions(EndpointConfig):
    """An action endpoint that runs the `actions` package here instead of over HTTP."""

    def __init__(self, package: str = "actions") -> None:
        """Register every action in the package, as `rasa run actions` does."""
        super().__init__(url="in-process://actions")
        self._executor = ActionExecutor()
        self._executor.register_package(package)

    async def request(self, method: str = "post", subpath: str | None = None,
                      content_type: str | None = "application/json", compress: bool = False,
                      **kwargs: Any) -> dict[str, Any] | None:
        """Run the action call; JSON round-trips keep Rasa's objects out of the action's reach."""
        call = json.loads(json.dumps(kwargs["json"]))
        return json.loads(json.dumps(await self._executor.run(call)))


def _turn_events(events: list[Any]) -> list[Any]:
    """Events since the worker's last message."""
    last_user = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=-1)
    return events[last_user + 1:]


class OfflineBot:
    """The bot without servers: one agent, one event loop, many conversations."""

    def __init__(self, agent: Agent, kb: KnowledgeBase) -> None:
        """Use `OfflineBot.load`."""
        self._agent = agent
        self._kb = kb
        self._loop = asyncio.new_event_loop()

    @classmethod
    def load(cls, model: str | Path | None = None) -> OfflineBot:
        """Load a model archive (default: the newest in models/), the knowledge base, an app database.

        The database is a throwaway one (never the live one: handoffs and cases that `bot ask` or
        an evaluation opens must not reach the staff console), prepared as `make run` prepares it,
        so course and case actions answer here too.
        """
        from bot.store.database import use_scratch_database
        from bot.tools.launcher import prepare_database
        from bot.tools.rasa_server import apply_fixes

        configure_logging_and_warnings(logging.WARNING)
        configure_structlog(logging.WARNING)
        jieba.setLogLevel(logging.WARNING)  # keep stdout for the JSON lines
        settings = load_settings()
        prepare_database(use_scratch_database(), settings)
        apply_fixes()  # the agent here calls actions as the server does
        path = model or get_local_model(str(settings.models_dir))
        agent = Agent.load(path, action_endpoint=InProcessActions())
        return cls(agent, load_cached(str(settings.knowledge_dir)))

    def parse(self, text: str) -> dict[str, Any]:
        """The NLU result alone, as the Rasa server's /model/parse returns it."""
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def ask(self, text: str, sender: str) -> dict[str, Any]:
        """One worker message through NLU, policies and actions; the report `bot ask` prints."""
        return self._loop.run_until_complete(self._ask(text, sender))

    async def _ask(self, text: str, sender: str) -> dict[str, Any]:
        before = await self._agent.tracker_store.get_or_create_tracker(sender)
        context = answering.Context(before.get_slot("topic"))
        messages = await self._agent.handle_text(text, sender_id=sender) or []
        tracker = await self._agent.tracker_store.retrieve(sender)
        parse = tracker.latest_message.parse_data if tracker and tracker.latest_message else {}
        turn = _turn_events(list(tracker.events)) if tracker else []
        slots = {e.key: e.value for e in turn if isinstance(e, SlotSet)}
        actions = {e.action_name for e in turn if isinstance(e, ActionExecuted)}
        decision = answering.decide(parse, context, self._kb)
        entry_id = slots.get("last_entry")
        topic = slots.get("topic")
        if topic is None and decision.kind == "clarify" and actions & ANSWERING_ACTIONS:
            topic = decision.topic
        entry = self._kb.entries.get(entry_id) if entry_id else None
        intent = parse.get("intent") or {}
        if decision.kind == "refer":
            topic = None  # the answer is the referral; a labor side, if any, is in `also`
        return {
            "text": text,
            "intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
            "entities": parse.get("entities") or [],
            "topic": topic,
            "entry": entry_id,
            "answer": "\n\n".join(m["text"] for m in messages if m.get("text")),
            "citations": [{"law": law, "article": article} for law, article in answering.cited(entry)] if entry else [],
            "handoff": bool(slots.get("handoff_requested")),
            "candidates": [{"topic": c.topic, "entry": c.entry, "score": c.score} for c in decision.candidates],
            "decision": "crisis" if intent.get("name") == "crisis" else decision.kind,
            "referral": decision.area.id if decision.area else None,
            "also": decision.also.id if decision.also else None,
            "risk": (parse.get("risk") or {}).get("level"),
        }
