"""First step of the pipeline: fold traditional and full-width text before the tokenizer sees it."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text import clip, normalize


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormalizer(GraphComponent):
    """Rewrites each message's text with `bot.text.normalize`, in training and at prediction."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormalizer:
        """No state: the conversion tables come with the OpenCC package."""
        return cls()

    @staticmethod
    def _fold(message: Message) -> None:
        text = message.get(TEXT)
        if text:
            message.set(TEXT, normalize(clip(text)))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Fold the training examples so they look like live messages."""
        for example in training_data.training_examples:
            self._fold(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Fold live messages; the tracker keeps what the worker actually typed."""
        for message in messages:
            self._fold(message)
        return messages
