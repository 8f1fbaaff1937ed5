"""Whether a worker may be in danger: phrases that must never be missed, and a classifier for the rest.

Built for recall. Two layers decide together:
- phrases (knowledge/terms.yml `guards.crisis`, grouped by risk category) settle "crisis" at once;
  ordinary uses of death words ("累死了", "工亡", "死活不给") are masked first (`crisis_benign`),
  so they neither trigger a phrase nor hide one later in the message;
- a character and word n-gram classifier learnt from knowledge/crisis.yml (crisis, possible and
  ordinary examples, with every labor question of the knowledge base as ordinary) catches the
  indirect ways of saying it that no list holds, and gives the second tier, "possible". It is a
  logistic regression blended with a complement naive Bayes on the same n-grams: the two err on
  different messages, so together they miss fewer people at the same rate of false alarms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB

from bot.kb.knowledge import CrisisExamples
from bot.nlu.linear import Probabilities
from bot.nlu.phrases import PhraseMatcher
from bot.text import clauses, normalize, sentences, syllables, words

Level = Literal["crisis", "possible", "none"]
CRISIS, POSSIBLE, ORDINARY, NONE = "crisis", "possible", "ordinary", "none"
# Probability of the crisis class (the two classifiers blended) from which the classifier escalates, and the
# combined crisis + possible probability from which it adds the hotline and an offer of a person; C of the
# regression. Chosen on our five written pairs (1,234 crisis, 2,636 hard ordinary messages; the fifth written
# by a helper who read no file), fitting the classifier alone: the regression alone at 0.4 missed 41 and
# alarmed on 75 (at 0.3: 31 and 91); blended with BAYES_SHARE 0.3 and BAYES_SMOOTHING 0.1 at 0.35 it misses
# 23 and alarms on 78, and on our 710 labelled real questions (none labelled a crisis) it alarms on 16 instead of 19.
# A missed person in danger costs more than a counselor reading one labor question.
CRISIS_FROM = 0.35
POSSIBLE_FROM = 0.4
STRENGTH = 30.0
BAYES_SHARE = 0.3
BAYES_SMOOTHING = 0.1
# Phrases of four characters or more also match by sound ("窝不像活了" for 不想活): on our three
# ordinary sets (2,043 messages) that matched none, where three-character phrases by sound
# matched ordinary words ("滑…自己" heard as 划…自己).
SOUNDED_FROM = 4
# The last clauses of a message escalate from this probability. Chosen on our four written pairs
# (1,014 crisis, 2,306 hard ordinary messages) against judging every sentence alone: recall
# 0.949 / 0.973 / 0.995 / 0.900 -> 0.960 / 0.981 / 1.000 / 0.933, false alarms 0.9% / 1.2% / 3.4% / 19.3%
# -> 1.4% / 0.8% / 3.4% / 10.6%; at 0.4 the clauses alarmed on 2.0% of ours, at 0.7 recall fell.
CLAUSE_FROM = 0.6
_MASK = "。"


@dataclass(frozen=True)
class Risk:
    """The level for one message, the crisis probability, and the phrase that decided it (if any)."""

    level: Level
    score: float
    phrase: str | None = None


class CrisisModel:
    """Fitted once at training time and pickled into the model with its component."""

    def __init__(self, *, phrases: tuple[str, ...], benign: tuple[str, ...], examples: CrisisExamples,
                 ordinary: list[str]) -> None:
        """`ordinary` adds the knowledge base's own questions to the examples that must not alarm."""
        self._phrases = phrases
        self._benign = benign
        self.restore()
        texts = [*examples.crisis, *examples.possible, *examples.ordinary, *ordinary]
        labels = ([CRISIS] * len(examples.crisis) + [POSSIBLE] * len(examples.possible)
                  + [ORDINARY] * (len(examples.ordinary) + len(ordinary)))
        texts = [self.mask(normalize(t)) for t in texts]
        self._chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        self._words = TfidfVectorizer(analyzer=words, sublinear_tf=True)
        self._sounds = TfidfVectorizer(tokenizer=syllables, lowercase=False, token_pattern=None,
                                       ngram_range=(1, 2), sublinear_tf=True)
        features = self._features(texts, fit=True)
        self._classifier = LogisticRegression(C=STRENGTH, max_iter=3000, class_weight="balanced")
        self._classifier.fit(features, labels)
        self._bayes = ComplementNB(alpha=BAYES_SMOOTHING).fit(features, labels)
        self._lay_out()

    def _lay_out(self) -> None:
        """Both classifiers' weights laid out for single rows (see bot.nlu.linear)."""
        self._probabilities = Probabilities(self._classifier)
        self._bayes_probabilities = Probabilities(self._bayes)
        if self._bayes_probabilities.classes != self._probabilities.classes:
            raise ValueError("the two crisis classifiers order their classes differently")

    def restore(self) -> None:
        """Compile the phrase patterns (also after unpickling, see __setstate__)."""
        self._matcher = PhraseMatcher(self._phrases, by_sound=True, sounded_from=SOUNDED_FROM)
        parts = sorted((re.escape(b) for b in self._benign if b), key=len, reverse=True)
        self._benign_pattern = re.compile("|".join(parts)) if parts else None

    def __getstate__(self) -> dict[str, Any]:
        """Compiled patterns and laid-out weights are rebuilt on load rather than pickled."""
        laid_out = ("_matcher", "_benign_pattern", "_probabilities", "_bayes_probabilities")
        return {k: v for k, v in self.__dict__.items() if k not in laid_out}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore fitted parts, then the patterns and the weights' layout."""
        self.__dict__.update(state)
        self.restore()
        self._lay_out()

    def mask(self, text: str) -> str:
        """The message with ordinary uses of death and danger words blotted out."""
        return self._benign_pattern.sub(_MASK, text) if self._benign_pattern else text

    def _features(self, texts: list[str], *, fit: bool = False):  # noqa: ANN202 - a scipy sparse matrix
        """Characters, words and sounds (pinyin catches "不想或了", "自沙"), side by side."""
        parts = (self._chars, self._words, self._sounds)
        return hstack([p.fit_transform(texts) if fit else p.transform(texts) for p in parts]).tocsr()

    def assess(self, text: str) -> Risk:
        """The risk level of a normalised message.

        A long labor story can end in despair ("…其实我也不知道还能撑几天"): the last sentence is
        judged alone too, and so are its last clause and last two ("…活着没意思，今晚就结束"), from
        a higher probability (`CLAUSE_FROM`), since a short clause out of context ("以后就没人管了")
        reads darker than it is. Every sentence was once judged alone: a coworker's death told
        before a question about compensation then escalated 19% of a written set of such stories.
        """
        parts = sentences(text)
        judged = [text, parts[-1]] if len(parts) > 1 else [text]
        tail = clauses(parts[-1])
        ends = [",".join(tail[-n:]) for n in (1, 2) if len(tail) > n]
        features = self._features([self.mask(part) for part in (*judged, *ends)])
        rows = (1 - BAYES_SHARE) * self._probabilities(features) + BAYES_SHARE * self._bayes_probabilities(features)
        column = self._probabilities.classes.index(CRISIS)
        whole = rows[:len(judged)]
        worst = whole[int(whole[:, column].argmax())]
        probabilities = dict(zip(self._probabilities.classes, map(float, worst), strict=True))
        crisis = probabilities[CRISIS]
        end = float(rows[len(judged):, column].max()) if ends else 0.0
        phrase = self._matcher.first(self.mask(text))
        if phrase is not None or crisis >= CRISIS_FROM or end >= CLAUSE_FROM:
            return Risk(CRISIS, max(crisis, end), phrase)
        if crisis + probabilities[POSSIBLE] >= POSSIBLE_FROM:
            return Risk(POSSIBLE, crisis)
        return Risk(NONE, crisis)
