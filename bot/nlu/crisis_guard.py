"""Last step of the pipeline: any crisis phrase makes the intent `crisis`, whatever DIET thought."""

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
from bot.safety import CrisisMatcher

CRISIS = "crisis"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisGuard(GraphComponent):
    """A safety net under DIET: missing a person in danger is worse than one extra hotline."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The phrases come from knowledge/terms.yml."""
        return {"knowledge_dir": "knowledge"}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 phrases: tuple[str, ...] = ()) -> None:
        """Keep the storage handles and the phrases."""
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._phrases = phrases
        self._matcher = CrisisMatcher(phrases)

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CrisisGuard:
        """A guard with no phrases until trained."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Take the phrases from knowledge/ so the model carries them."""
        self._phrases = load_cached(self._config["knowledge_dir"]).terms.crisis_phrases
        self._matcher = CrisisMatcher(self._phrases)
        storage.save(self._storage, self._resource, self._phrases)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CrisisGuard:
        """The guard with the phrases it was trained with."""
        return cls(config, model_storage, resource, storage.restore(model_storage, resource))

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent when a crisis phrase is present."""
        for message in messages:
            if self._matcher.matches(message.get(TEXT) or ""):
                crisis = {INTENT_NAME_KEY: CRISIS, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != CRISIS]
                message.set(INTENT, crisis, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [crisis, *ranking], add_to_output=True)
        return messages
