"""A blank Chinese spaCy pipeline (jieba segmenter) whose entity rules come from knowledge/."""

from __future__ import annotations

import spacy
from spacy.language import Language

from bot.kb.vocabulary import Name, add_to_jieba


def build(words: list[str], names: list[Name]) -> Language:
    """Names as phrase rules with their ids as entity ids; jieba first learns the words."""
    add_to_jieba(words)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "TEXT"})
    ruler.add_patterns([{"label": n.label, "pattern": n.phrase, "id": n.id} for n in names])
    return nlp
