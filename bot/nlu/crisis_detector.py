"""Last step of the pipeline: a worker who may be in danger is escalated whatever came before.

Replaces the crisis phrase guard: the phrases stay (bot.nlu.crisis), a classifier trained on
written crisis, distress and ordinary examples joins them, and every message gets a `risk`
(crisis / possible / none) that the actions read for the second tier.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb.knowledge import CrisisExamples, KnowledgeBase
from bot.nlu.base import KnowledgeComponent, settle_intent
from bot.nlu.crisis import CRISIS, NONE, CrisisModel
from bot.nlu.topic_ranker import ASK_KNOWLEDGE

RISK = "risk"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisDetector(KnowledgeComponent):
    """Adds `risk` to every message; a crisis sets the intent `crisis` (checked last, so it wins)."""

    def fit(self, kb: KnowledgeBase, training_data: TrainingData) -> CrisisModel:
        """Phrases and benign uses from terms.yml; examples from crisis.yml and Rasa's training data.

        Every other intent's example (the knowledge questions generated into build/data included)
        counts as ordinary: none of them is a crisis. So do other_law.yml's questions about divorce,
        accidents or debts: learnt from labor text alone, the classifier took any story that was not
        about work for a crisis (5% of real non-labor questions escalated).
        """
        crisis: list[str] = []
        ordinary: list[str] = [example for area in kb.law_areas.values() for example in area.examples]
        for example in training_data.intent_examples:
            (crisis if example.get(INTENT) == CRISIS else ordinary).append(example.get(TEXT))
        examples = CrisisExamples(tuple(crisis) + kb.crisis.crisis, kb.crisis.possible, kb.crisis.ordinary)
        return CrisisModel(phrases=kb.terms.guards.get(CRISIS, ()), benign=kb.terms.crisis_benign,
                           examples=examples, ordinary=ordinary)

    def process(self, messages: list[Message]) -> list[Message]:
        """Assess each message; override the intent when it is a crisis.

        DIET's own `crisis` intent (40 examples in data/nlu) stands only where the detector sees
        distress too; where it sees none, the message is a question for the knowledge base. Alone,
        DIET escalated 3 to 9 of our 1,223 ordinary messages with death words ("跟公司死磕值不值得"),
        varying with each retrain, and no crisis message the detector called `none`.
        """
        model: CrisisModel | None = self._state
        for message in messages:
            text = message.get(TEXT) or ""
            if model is None or not text.strip():
                continue
            risk = model.assess(text)
            message.set(RISK, {"level": risk.level, "score": round(risk.score, 4), "phrase": risk.phrase},
                        add_to_output=True)
            if risk.level == CRISIS:
                settle_intent(message, CRISIS)
            elif risk.level == NONE and (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == CRISIS:
                settle_intent(message, ASK_KNOWLEDGE)
        return messages
