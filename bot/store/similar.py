"""Grouping short questions that say the same thing in different words (twenty phrasings, one row).

Features are TF-IDF weights of character 1- and 2-grams: Chinese has no spaces and workers
misspell, so characters and their neighbours carry the topic better than jieba's words on text this
short. The IDF is learnt from the knowledge base's own questions (thousands of worker phrasings) as
well as the rows, and raised to the third power, so the words that name a topic (公积金, 骑手) outweigh
the frames every question shares (公司不给…怎么办). Groups come from average-linkage clustering over
cosine similarity cut at SIMILAR_FROM: a question joins a group only if it is that close to the group
on average, so one shared frame cannot chain two topics together as single linkage would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import diags
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as unit_length

from bot.text import normalize

# Both chosen on the labelled phrasings of tests/unanswered_phrasings.py (its docstring has the sweep and
# what this grouping cannot do).
SIMILAR_FROM = 0.16
IDF_POWER = 3
# Digits (amounts, masked phone and ID numbers), the mask's asterisks, punctuation and spaces say nothing
# about the topic.
_NOISE = re.compile(r"[\W\d_]+")


def _cleaned(text: str) -> str:
    return _NOISE.sub("", normalize(text))


def similarity(texts: Sequence[str], background: Sequence[str] = ()) -> np.ndarray:
    """Cosine similarity of every pair of texts; `background` only teaches which characters are common."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, norm=None)
    vectorizer.fit([_cleaned(text) for text in (*background, *texts)])
    weighted = vectorizer.transform([_cleaned(text) for text in texts]) @ diags(vectorizer.idf_ ** (IDF_POWER - 1))
    vectors = unit_length(weighted)
    return (vectors @ vectors.T).toarray()


def groups_of(texts: Sequence[str], background: Sequence[str] = ()) -> list[list[int]]:
    """Indexes of `texts` grouped by similarity, each group in input order, groups by their first index.

    A text with nothing left after cleaning (only digits or punctuation) is a group of its own.
    """
    kept = [i for i, text in enumerate(texts) if _cleaned(text)]
    groups = [[i] for i, text in enumerate(texts) if not _cleaned(text)]
    if len(kept) == 1:
        groups.append(kept)
    elif kept:
        distance = np.clip(1.0 - similarity([texts[i] for i in kept], background), 0.0, None)
        np.fill_diagonal(distance, 0.0)
        labels = fcluster(linkage(squareform(distance, checks=False), method="average"),
                          t=1.0 - SIMILAR_FROM, criterion="distance")
        found: dict[int, list[int]] = {}
        for index, label in zip(kept, labels, strict=True):
            found.setdefault(int(label), []).append(index)
        groups.extend(found.values())
    return sorted(groups)
