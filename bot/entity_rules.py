"""A blank Chinese spaCy pipeline (jieba segmenter) whose entity rules come from knowledge/."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from bot.knowledge import KnowledgeBase
from bot.vocabulary import add_to_jieba, dictionary, names


def build(kb: KnowledgeBase) -> Language:
    """Streets, centres, programmes, courses and statutes as phrase rules, ids as entity ids."""
    add_to_jieba(dictionary(kb))
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "TEXT"})
    ruler.add_patterns([{"label": n.label, "pattern": n.phrase, "id": n.id} for n in names(kb)])
    return nlp


def load(directory: Path, words: list[str]) -> Language:
    """Reload a saved pipeline; jieba must know the words again before segmenting."""
    add_to_jieba(words)
    return spacy.load(directory)
