"""The trained model's laid-out shortcuts give exactly what the plain computations they replace give.

The topic model ranks entries by summed BM25 columns and one `maximum.reduceat` instead of
rank_bm25's walk and a loop over every question; the crisis model judges a message's sentences
in one batch instead of one by one. Both are checked to the bit against the plain versions, on the
trained model and on the project's own messages (crisis and ordinary sets, two questions of every entry).
"""

from __future__ import annotations

import json
import pickle
import tarfile
from functools import cache

import pytest

from bot.kb.knowledge import KnowledgeBase
from bot.nlu.crisis import BAYES_SHARE, CLAUSE_FROM, CRISIS, CRISIS_FROM, CrisisModel
from bot.nlu.retrieval import Ranked, TopicModel
from bot.settings import ROOT
from bot.text import clauses, normalize, sentences, words
from tests.conftest import MODEL

EDGES = ["", "。", "工资" * 1000, "😀😀😀", "老板跑了。三个月工资没发！我该怎么办？？"]


@cache
def _state(component: str) -> object:
    """The pickled state of one of our components inside the trained model."""
    with tarfile.open(MODEL) as model:
        member = next(m for m in model.getmembers() if component in m.name and m.name.endswith("state.pkl"))
        return pickle.loads(model.extractfile(member).read())  # noqa: S301 - the model we trained


@cache
def _messages() -> tuple[str, ...]:
    rows = [json.loads(line) for name in ("crisis.jsonl", "crisis_false_alarm.jsonl")
            for line in (ROOT / "eval" / name).read_text("utf-8").splitlines() if line.strip()]
    return tuple(normalize(text) for text in [*(row["text"] for row in rows), *EDGES])


def _plain_ranking(model: TopicModel, text: str, limit: int = 8) -> list[Ranked]:
    similarity = (model._question_vectors @ model._features(text).T).toarray().ravel()
    nearest: dict[str, float] = {}
    for owner, value in zip(model._question_owner, similarity, strict=True):
        nearest[owner] = max(nearest.get(owner, 0.0), float(value))
    bm25 = model._bm25.get_scores(words(text))
    top = float(bm25.max()) if bm25.max() > 0 else 1.0
    scores = {entry: 0.6 * nearest.get(entry, 0.0) + 0.4 * float(bm25[i]) / top
              for i, entry in enumerate(model.entry_ids)}
    return [Ranked(entry, score) for entry, score in sorted(scores.items(), key=lambda item: -item[1])[:limit]]


def _plain_score(model: CrisisModel, text: str) -> float:
    def crisis(part: str) -> float:
        features = model._features([model.mask(part)])
        regression, bayes = model._probabilities(features)[0], model._bayes_probabilities(features)[0]
        row = (1 - BAYES_SHARE) * regression + BAYES_SHARE * bayes
        return float(row[model._probabilities.classes.index(CRISIS)])

    parts = sentences(text)
    tail = clauses(parts[-1])
    worst = max(crisis(part) for part in ([text, parts[-1]] if len(parts) > 1 else [text]))
    end = max((crisis(",".join(tail[-n:])) for n in (1, 2) if len(tail) > n), default=0.0)
    escalated = model._matcher.first(model.mask(text)) is not None or worst >= CRISIS_FROM or end >= CLAUSE_FROM
    return max(worst, end) if escalated else worst


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model (make test trains it)")
def test_entry_ranking_is_bm25_and_nearest_question_to_the_bit(kb: KnowledgeBase):
    model = _state("TopicRanker")
    questions = [normalize(q) for entry in kb.entries.values() for q in entry.questions[:2]]
    for text in [*_messages()[::3], *questions]:
        assert model.rank_entries(text) == _plain_ranking(model, text), text


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model (make test trains it)")
def test_the_crisis_score_is_the_worst_part_judged_alone():
    model = _state("CrisisDetector")
    for text in _messages():
        assert model.assess(text).score == _plain_score(model, text), text
