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

from bot.field_values import clean_case_number
from bot.kb.knowledge import KnowledgeBase
from bot.nlu.base import KnowledgeComponent, settle_intent
from bot.nlu.phrases import PhraseMatcher


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class PhraseGuard(KnowledgeComponent):
    """Sets `intent` when a message contains one of the phrases listed for it in knowledge/terms.yml."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The intent to set; its phrases are `terms.yml` → `guards` → <intent>.

        `case_numbers: true` also settles it for a message holding one of our case numbers
        (FY-2026-000123 however typed): only a worker asking about their own case types one.
        `by_sound: true` also matches the phrases typed with the wrong characters for the right
        sounds ("转人公"); only where no listed phrase sounds like another request ("申请法援" is
        "申请法院" by sound).
        """
        return {**KnowledgeComponent.get_default_config(), "intent": "request_human", "case_numbers": False,
                "by_sound": False}

    def fit(self, kb: KnowledgeBase, training_data: TrainingData) -> tuple[str, ...]:
        """The phrases for this guard's intent."""
        return kb.terms.guards.get(self._config["intent"], ())

    def restored(self, state: tuple[str, ...]) -> None:
        """Compile the phrases once."""
        self._matcher = PhraseMatcher(state, by_sound=self._config["by_sound"])

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent when a phrase is present."""
        name, numbers = self._config["intent"], self._config["case_numbers"]
        for message in messages:
            text = message.get(TEXT) or ""
            if (self._state and self._matcher.matches(text)) or (numbers and clean_case_number(text)):
                settle_intent(message, name)
        return messages
