"""Entity extractor backed by spaCy rules built from knowledge/ (streets, programmes, courses, laws)."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb.knowledge import KnowledgeBase
from bot.kb.vocabulary import Name, dictionary, names
from bot.nlu import entity_rules
from bot.nlu.base import KnowledgeComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class KnowledgeEntityExtractor(KnowledgeComponent, EntityExtractorMixin):
    """Adds `street`, `centre`, `programme`, `course` and `statute` entities, valued by their ids."""

    def fit(self, kb: KnowledgeBase, training_data: TrainingData) -> tuple[list[str], list[Name]]:
        """The tokenizer words and the names to match, as of training time."""
        return dictionary(kb), names(kb)

    def restored(self, state: tuple[list[str], list[Name]]) -> None:
        """Build the spaCy pipeline (blank zh, jieba, entity ruler) from the saved names."""
        self._nlp = entity_rules.build(*state)

    def process(self, messages: list[Message]) -> list[Message]:
        """Append rule matches to the message's entities."""
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or self._state is None:
                continue
            found = [
                {"entity": ent.label_, "value": ent.ent_id_, "text": ent.text,
                 "start": ent.start_char, "end": ent.end_char}
                for ent in self._nlp(text).ents
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found),
                        add_to_output=True)
        return messages
