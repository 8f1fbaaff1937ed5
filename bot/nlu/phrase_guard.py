"""Phrases that settle the intent whatever DIET thought: a crisis, an explicit request for a person.

Listed for several intents at the end of the pipeline, crisis last so it wins: missing a person
in danger, or one who typed "转人工", is worse than one extra hotline or handoff.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.knowledge import KnowledgeBase
from bot.nlu.base import KnowledgeComponent
from bot.safety import PhraseMatcher


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class PhraseGuard(KnowledgeComponent):
    """Sets `intent` when a message contains one of the phrases listed for it in knowledge/terms.yml."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The intent to set; its phrases are `terms.yml` → `guards` → <intent>."""
        return {**KnowledgeComponent.get_default_config(), "intent": "crisis"}

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
                intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
