"""Finding the statute article a worker asks for ("劳动合同法第四十七条怎么规定的")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kb.statutes import Statute, chinese_number

_ARTICLE = re.compile(r"第\s*([零一二三四五六七八九十百千两]+|\d+)\s*条")


@dataclass(frozen=True)
class ArticleRef:
    """A statute and an article number that exists in it."""

    statute: Statute
    number: int


def article_number(text: str) -> int | None:
    """The article number written in a message, in Chinese or Arabic numerals."""
    match = _ARTICLE.search(text)
    if not match:
        return None
    value = match.group(1)
    return int(value) if value.isdigit() else chinese_number(value)


def find_article(text: str, statute_ids: list[str], statutes: dict[str, Statute]) -> ArticleRef | None:
    """The first named statute that has the asked article, or None when either is missing."""
    number = article_number(text)
    if number is None:
        return None
    for stem in statute_ids:
        statute = statutes.get(stem)
        if statute and number in statute.articles:
            return ArticleRef(statute, number)
    return None
