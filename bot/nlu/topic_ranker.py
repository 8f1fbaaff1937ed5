"""Ranks knowledge topics and entries for every message, beside the intent DIET predicts."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb.knowledge import NONE, KnowledgeBase
from bot.kb.law_areas import area_of
from bot.nlu.base import KnowledgeComponent
from bot.nlu.retrieval import TopicModel, best

TOPIC_RANKING = "topic_ranking"
TOPIC_MASS = "topic_mass"
RANKED = 5
ENTRY_RANKING = "entry_ranking"
ASK_KNOWLEDGE = "ask_knowledge"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"


def mass(probabilities: dict[str, float]) -> dict[str, float]:
    """Probability of labor law as a whole, of `none`, and of each other area of law."""
    areas = {label: round(p, 4) for label, p in probabilities.items() if area_of(label)}
    labor = sum(p for label, p in probabilities.items() if label != NONE and not area_of(label))
    return {"labor": round(labor, 4), NONE: round(probabilities.get(NONE, 0.0), 4), **areas}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TopicRanker(KnowledgeComponent):
    """Adds `topic_ranking`, `topic_mass` and `entry_ranking` to every message.

    The ranking has `none` for "outside the knowledge base" and `law:<area>` for other areas of
    law; the mass is labor law, none and each area as a whole.

    When DIET is unsure (nlu_fallback) but the knowledge base clearly knows the topic, the
    message is a knowledge question in words DIET has not seen: it becomes `ask_knowledge`.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """How sure the topic model must be to overrule a fallback."""
        return {**KnowledgeComponent.get_default_config(), "rescue_threshold": 0.45}

    def fit(self, kb: KnowledgeBase, training_data: TrainingData) -> TopicModel:
        """Entry questions labelled with their topic; out-of-scope examples as the class `none`."""
        outside = [m.get(TEXT) for m in training_data.intent_examples if m.get(INTENT) == OUT_OF_SCOPE]
        return TopicModel(kb, none_examples=outside)

    def process(self, messages: list[Message]) -> list[Message]:
        """Rank topics and entries; turn a confident fallback into a knowledge question."""
        model: TopicModel | None = self._state
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or model is None:
                continue
            probabilities = model.probabilities(text)
            topics = best(probabilities, RANKED)
            entries = model.rank_entries(text)
            message.set(TOPIC_RANKING, [{"topic": t.id, "confidence": t.score} for t in topics],
                        add_to_output=True)
            message.set(TOPIC_MASS, mass(probabilities), add_to_output=True)
            message.set(ENTRY_RANKING, [
                {"entry": e.id, "topic": model.topic_of(e.id), "score": e.score} for e in entries
            ], add_to_output=True)
            intent = message.get(INTENT) or {}
            known = topics[0].id != NONE and topics[0].score >= self._config["rescue_threshold"]
            if intent.get(INTENT_NAME_KEY) == FALLBACK and known:
                message.set(INTENT, {INTENT_NAME_KEY: ASK_KNOWLEDGE, PREDICTED_CONFIDENCE_KEY: topics[0].score},
                            add_to_output=True)
        return messages
