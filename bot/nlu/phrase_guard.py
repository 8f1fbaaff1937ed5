"""Phrases that settle the intent whatever DIET thought: an explicit request for a person, legal aid, a class.

Listed for several intents near the end of the pipeline (the crisis detector comes after them and
wins): missing one who typed "转人工" is worse than one extra handoff.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb.knowledge import KnowledgeBase
from bot.nlu.base import KnowledgeComponent, settle_intent
from bot.nlu.phrases import PhraseMatcher


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class PhraseGuard(KnowledgeComponent):
    """Sets `intent` when a message contains one of the phrases listed for it in knowledge/terms.yml."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The intent to set; its phrases are `terms.yml` → `guards` → <intent>."""
        return {**KnowledgeComponent.get_default_config(), "intent": "request_human"}

    def fit(self, kb: KnowledgeBase, training_data: TrainingData) -> tuple[str, ...]:
        """The phrases for this guard's intent."""
        return kb.terms.guards.get(self._config["intent"], ())

    def restored(self, state: tuple[str, ...]) -> None:
        """Compile the phrases once."""
        self._matcher = PhraseMatcher(state)

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent when a phrase is present."""
        name = self._config["intent"]
        for message in messages:
            if self._state and self._matcher.matches(message.get(TEXT) or ""):
                settle_intent(message, name)
        return messages
