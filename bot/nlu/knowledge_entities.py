"""Entity extractor backed by spaCy rules built from knowledge/ (streets, programmes, courses, laws)."""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language

from bot import entity_rules
from bot.knowledge import load_cached
from bot.vocabulary import dictionary

_WORDS = "words.json"
_PIPELINE = "spacy"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class KnowledgeEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `street`, `centre`, `programme`, `course` and `statute` entities, valued by their ids."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Where the knowledge base is read from at training time."""
        return {"knowledge_dir": "knowledge"}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 nlp: Language | None = None) -> None:
        """Keep the storage handles; the spaCy pipeline comes from train() or load()."""
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._nlp = nlp

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> KnowledgeEntityExtractor:
        """A fresh, untrained extractor."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Build the rules from knowledge/ (not from the Rasa training data) and save them."""
        kb = load_cached(self._config["knowledge_dir"])
        self._nlp = entity_rules.build(kb)
        with self._storage.write_to(self._resource) as directory:
            self._nlp.to_disk(directory / _PIPELINE)
            (directory / _WORDS).write_text(json.dumps(dictionary(kb), ensure_ascii=False), "utf-8")
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> KnowledgeEntityExtractor:
        """The pipeline as trained, with jieba taught the same words."""
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / _WORDS).read_text("utf-8"))
            nlp = entity_rules.load(directory / _PIPELINE, words)
        return cls(config, model_storage, resource, nlp)

    def process(self, messages: list[Message]) -> list[Message]:
        """Append rule matches to the message's entities."""
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or self._nlp is None:
                continue
            found = [
                {"entity": ent.label_, "value": ent.ent_id_, "text": ent.text,
                 "start": ent.start_char, "end": ent.end_char}
                for ent in self._nlp(text).ents
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found),
                        add_to_output=True)
        return messages
