"""Ranks knowledge topics and entries for every message, beside the intent DIET predicts."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.knowledge import load_cached
from bot.nlu import storage
from bot.retrieval import TopicModel

TOPIC_RANKING = "topic_ranking"
ENTRY_RANKING = "entry_ranking"
ASK_KNOWLEDGE = "ask_knowledge"
FALLBACK = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TopicRanker(GraphComponent):
    """Adds `topic_ranking` and `entry_ranking` to the parse result.

    When DIET is unsure (nlu_fallback) but the knowledge base clearly knows the topic, the
    message is a knowledge question in words DIET has not seen: it becomes `ask_knowledge`.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Knowledge location and how sure the topic model must be to overrule a fallback."""
        return {"knowledge_dir": "knowledge", "rescue_threshold": 0.45}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: TopicModel | None = None) -> None:
        """Keep the storage handles; the topic model comes from train() or load()."""
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TopicRanker:
        """A fresh, untrained ranker."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on knowledge/ (entry questions labelled with their topic) and save."""
        self._model = TopicModel(load_cached(self._config["knowledge_dir"]))
        storage.save(self._storage, self._resource, self._model)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> TopicRanker:
        """The ranker as trained."""
        return cls(config, model_storage, resource, storage.restore(model_storage, resource))

    def process(self, messages: list[Message]) -> list[Message]:
        """Rank topics and entries; turn a confident fallback into a knowledge question."""
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or self._model is None:
                continue
            topics = self._model.rank_topics(text)
            entries = self._model.rank_entries(text)
            message.set(TOPIC_RANKING, [{"topic": t.id, "confidence": t.score} for t in topics],
                        add_to_output=True)
            message.set(ENTRY_RANKING, [
                {"entry": e.id, "topic": self._model.topic_of(e.id), "score": e.score} for e in entries
            ], add_to_output=True)
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) == FALLBACK and topics[0].score >= self._config["rescue_threshold"]:
                message.set(INTENT, {INTENT_NAME_KEY: ASK_KNOWLEDGE, PREDICTED_CONFIDENCE_KEY: topics[0].score},
                            add_to_output=True)
        return messages
