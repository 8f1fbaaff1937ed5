"""Base for pipeline components that learn from knowledge/ rather than from Rasa's training data."""

from __future__ import annotations

import pickle
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb.knowledge import KnowledgeBase, load_cached

_FILE = "state.pkl"


class KnowledgeComponent(GraphComponent):
    """Fits its state from the knowledge base at training time and carries it inside the model.

    Subclasses implement `fit` (knowledge base -> state) and `process`; the state is pickled
    into the model archive, so a trained model answers the same whatever knowledge/ holds later.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Where the knowledge base is read from at training time."""
        return {"knowledge_dir": "knowledge"}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 state: Any = None) -> None:
        """Keep the storage handles and the fitted state (None until trained or loaded)."""
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._state = state
        if state is not None:
            self.restored(state)

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> KnowledgeComponent:
        """A fresh, untrained component."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> KnowledgeComponent:
        """The component as trained; the archive is ours, written by our own training."""
        with model_storage.read_from(resource) as directory:
            state = pickle.loads((directory / _FILE).read_bytes())  # noqa: S301
        return cls(config, model_storage, resource, state)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit from knowledge/ and save the state into the model."""
        self._state = self.fit(load_cached(self._config["knowledge_dir"]), training_data)
        self.restored(self._state)
        with self._storage.write_to(self._resource) as directory:
            (directory / _FILE).write_bytes(pickle.dumps(self._state))
        return self._resource

    def fit(self, kb: KnowledgeBase, training_data: TrainingData) -> Any:
        """The state this component needs, from the knowledge base (and Rasa's data if it must)."""
        raise NotImplementedError

    def restored(self, state: Any) -> None:
        """Prepare whatever the state implies before processing (nothing by default)."""


def settle_intent(message: Message, name: str) -> None:
    """Set the intent with full confidence and put it first in the ranking (a guard's verdict)."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
