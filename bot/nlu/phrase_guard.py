"""Phrases that settle the intent whatever DIET thought: a crisis, an explicit request for a person.

Used twice at the end of the pipeline (request_human, then crisis, so crisis wins): missing
a person in danger, or one who typed "转人工", is worse than one extra hotline or handoff.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.knowledge import load_cached
from bot.nlu import storage
from bot.safety import PhraseMatcher


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class PhraseGuard(GraphComponent):
    """Sets `intent` when a message contains one of the phrases listed for it in knowledge/terms.yml."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The intent to set; its phrases are `terms.yml` → `guards` → <intent>."""
        return {"knowledge_dir": "knowledge", "intent": "crisis"}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 phrases: tuple[str, ...] = ()) -> None:
        """Keep the storage handles and the phrases."""
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._phrases = phrases
        self._matcher = PhraseMatcher(phrases)

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> PhraseGuard:
        """A guard with no phrases until trained."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Take the phrases from knowledge/ so the model carries them."""
        self._phrases = load_cached(self._config["knowledge_dir"]).terms.guards.get(self._config["intent"], ())
        self._matcher = PhraseMatcher(self._phrases)
        storage.save(self._storage, self._resource, self._phrases)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> PhraseGuard:
        """The guard with the phrases it was trained with."""
        return cls(config, model_storage, resource, storage.restore(model_storage, resource))

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent when a phrase is present."""
        name = self._config["intent"]
        for message in messages:
            if self._matcher.matches(message.get(TEXT) or ""):
                intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
