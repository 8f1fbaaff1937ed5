"""Names and words drawn from knowledge/: the tokenizer dictionary and the entity rules.

Both are built from the same lists, so a street, programme or course a union adds to its
files is segmented as one word and recognised as an entity after the next training.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.kb.knowledge import KnowledgeBase

STATUTE_PREFIX = "中华人民共和国"


@dataclass(frozen=True)
class Name:
    """A phrase that names something the assistant knows, with the id it stands for."""

    label: str
    phrase: str
    id: str


def _named(items: tuple[Any, ...], label: str) -> Iterator[Name]:
    """An item's name and its aliases (streets and programmes have them)."""
    for item in items:
        for phrase in (item.name, *getattr(item, "aliases", ())):
            if phrase:
                yield Name(label, phrase, item.id)


def names(kb: KnowledgeBase) -> list[Name]:
    """Every street, centre, programme, course and statute name a worker might type."""
    local = kb.local
    found = [*_named(local.streets, "street"), *_named(local.centres, "centre"),
             *_named(local.programmes, "programme"), *_named(local.courses, "course")]
    for stem, statute in kb.statutes.items():
        found.append(Name("statute", statute.title, stem))
        if statute.title.startswith(STATUTE_PREFIX):
            found.append(Name("statute", statute.title[len(STATUTE_PREFIX):], stem))
    return found


def dictionary(kb: KnowledgeBase) -> list[str]:
    """Words for jieba's user dictionary: the curated terms and every known name."""
    words = dict.fromkeys([*kb.terms.dictionary, *(name.phrase for name in names(kb))])
    return [word for word in words if len(word) > 1]


def add_to_jieba(words: list[str]) -> None:
    """Teach the process-wide jieba segmenter the domain words (jieba has one global dictionary)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in words:
        jieba.add_word(word)
