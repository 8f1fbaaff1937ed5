"""Statute texts split into articles, so every citation can be checked and quoted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_ARTICLE = re.compile(r"^第([零一二三四五六七八九十百千]+)条[ \u3000]+(.*)$")
_TITLE = re.compile(r"^#\s+(.+)$")


def chinese_number(text: str) -> int:
    """Read a Chinese numeral as statutes write them (四十七, 一百零七, 十)."""
    total, digit = 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (digit or 1) * _UNITS[char]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + digit


def article_label(number: int) -> str:
    """Write an article number the way the statute does (47 -> 第四十七条)."""
    return f"第{_numeral(number)}条"


def _numeral(number: int) -> str:
    names = "零一二三四五六七八九"
    if number < 10:
        return names[number]
    if number < 20:
        return "十" + (names[number % 10] if number % 10 else "")
    if number < 100:
        return names[number // 10] + "十" + (names[number % 10] if number % 10 else "")
    rest = number % 100
    head = names[number // 100] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + names[rest]
    return head + (names[rest // 10] + "十" + (names[rest % 10] if rest % 10 else ""))


@dataclass(frozen=True)
class Statute:
    """One statute: its stem (file name), its full title and its articles by number."""

    stem: str
    title: str
    articles: dict[int, tuple[str, ...]]

    def article_text(self, number: int) -> str:
        """The article's paragraphs joined by line breaks, as a worker would read it."""
        return "\n".join(self.articles[number])

    def cites(self, number: int, quote: str) -> bool:
        """Whether `quote` stands verbatim inside one paragraph of the article."""
        return any(quote in paragraph for paragraph in self.articles.get(number, ()))


def parse_statute(path: Path) -> Statute:
    """Split a statute file into articles; paragraphs follow their article until the next one."""
    title = path.stem
    articles: dict[int, list[str]] = {}
    current: list[str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        heading = _TITLE.match(line)
        if heading and title == path.stem:
            title = heading.group(1).strip()
            continue
        if line.startswith("#") or line.startswith("<!--"):
            current = None
            continue
        match = _ARTICLE.match(line)
        if match:
            current = articles.setdefault(chinese_number(match.group(1)), [])
            current.append(match.group(2).strip())
        elif current is not None:
            current.append(line)
    return Statute(path.stem, title, {n: tuple(p) for n, p in articles.items()})


@lru_cache(maxsize=4)
def load_statutes(laws_dir: Path) -> dict[str, Statute]:
    """Every statute in a folder, by file stem (README and MANIFEST are not statutes)."""
    return {
        path.stem: parse_statute(path)
        for path in sorted(laws_dir.glob("*.md"))
        if path.stem not in {"README", "MANIFEST"}
    }
