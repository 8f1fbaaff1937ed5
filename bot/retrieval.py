"""Topic and entry ranking over the knowledge base, trained on the ways workers ask each entry.

A linear classifier over character and word n-grams ranks topics (robust to typos and
missing punctuation); BM25 over jieba terms plus nearest-question similarity ranks entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import jieba
import numpy as np
from pypinyin import lazy_pinyin
from rank_bm25 import BM25Okapi
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.knowledge import NONE, Entry, KnowledgeBase
from bot.text import normalize
from bot.vocabulary import add_to_jieba, dictionary

_PUNCTUATION = set(" ,.!?;:，。！？；：、…~～\"'“”‘’()（）[]【】<>《》-—")


def words(text: str) -> list[str]:
    """Jieba words without punctuation (module-level so trained models can be pickled)."""
    return [w for w in jieba.lcut(text) if w.strip() and w not in _PUNCTUATION]


def syllables(text: str) -> list[str]:
    """Toneless pinyin of each character: phone input's homophone slips (设保, 产家) read as meant."""
    return [s for s in lazy_pinyin(text, errors="ignore") if s.strip()]


@dataclass(frozen=True)
class Ranked:
    """A topic or entry with its score, best first in every ranking."""

    id: str
    score: float


class TopicModel:
    """Ranks topics and entries for a message; fitted from a KnowledgeBase."""

    def __init__(self, kb: KnowledgeBase, none_examples: list[str] = ()) -> None:
        """Fit on every entry's title and questions (normalised like live messages).

        `none_examples` (messages outside the knowledge base) train an extra class, NONE,
        so the model can say "none of these topics" instead of spreading its probability.
        """
        self._dictionary = dictionary(kb)
        add_to_jieba(self._dictionary)
        self.entry_ids: list[str] = []
        self.entry_topics: dict[str, str] = {}
        texts, labels, owners = [], [], []
        for entry in kb.entries.values():
            self.entry_ids.append(entry.id)
            self.entry_topics[entry.id] = entry.topic
            for question in (entry.title, *entry.questions):
                texts.append(normalize(question))
                labels.append(entry.topic)
                owners.append(entry.id)
        entry_rows = len(texts)
        for text in none_examples:
            texts.append(normalize(text))
            labels.append(NONE)
            owners.append("")
        for topic in kb.topics.values():
            # The taxonomy's own words for a topic (its title and scope) name what belongs to it.
            for text in (topic.title, topic.scope):
                texts.append(normalize(text))
                labels.append(topic.id)
                owners.append(kb.overview(topic.id).id)
        self._chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        self._words = TfidfVectorizer(analyzer=words, sublinear_tf=True)
        self._sounds = TfidfVectorizer(tokenizer=syllables, lowercase=False, token_pattern=None,
                                       ngram_range=(1, 2), sublinear_tf=True)
        features = hstack([self._chars.fit_transform(texts), self._words.fit_transform(texts),
                           self._sounds.fit_transform(texts)]).tocsr()
        self._classifier = LogisticRegression(C=20.0, max_iter=3000)
        self._classifier.fit(features, labels)
        self._question_vectors = features[:entry_rows]
        self._question_owner = np.array(owners[:entry_rows])
        self._bm25 = BM25Okapi([words(normalize(" ".join((e.title, *e.questions)))) for e in kb.entries.values()])

    def __setstate__(self, state: dict) -> None:
        """On unpickling, give jieba the words the model was trained with."""
        self.__dict__.update(state)
        add_to_jieba(self._dictionary)

    def _features(self, text: str):  # noqa: ANN202 - a scipy sparse row
        return hstack([self._chars.transform([text]), self._words.transform([text]),
                       self._sounds.transform([text])]).tocsr()

    def rank_topics(self, text: str, limit: int = 5) -> list[Ranked]:
        """Topic probabilities for a normalised message, best first."""
        probabilities = self._classifier.predict_proba(self._features(text))[0]
        order = np.argsort(probabilities)[::-1][:limit]
        return [Ranked(str(self._classifier.classes_[i]), float(probabilities[i])) for i in order]

    def rank_entries(self, text: str, limit: int = 8) -> list[Ranked]:
        """Entries by closeness to the message: nearest asked question and BM25 over terms."""
        similarity = (self._question_vectors @ self._features(text).T).toarray().ravel()
        nearest: dict[str, float] = {}
        for owner, value in zip(self._question_owner, similarity, strict=False):
            nearest[owner] = max(nearest.get(owner, 0.0), float(value))
        bm25 = self._bm25.get_scores(words(text))
        top = float(bm25.max()) if len(bm25) and bm25.max() > 0 else 1.0
        scores = {
            entry_id: 0.6 * nearest.get(entry_id, 0.0) + 0.4 * float(bm25[i]) / top
            for i, entry_id in enumerate(self.entry_ids)
        }
        best = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:limit]
        return [Ranked(entry_id, score) for entry_id, score in best]

    def topic_of(self, entry: Entry | str) -> str:
        """The topic of an entry id (entries never change topic inside one model)."""
        return self.entry_topics[entry if isinstance(entry, str) else entry.id]
