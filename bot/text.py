"""Text normalisation shared by training and prediction, so both see workers' text the same way."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_MESSAGE_CHARS = 2000
_SENTENCE_END = re.compile(r"[。！？!?；;…\n]+|\.{2,}")
_CLAUSE_END = re.compile(r"[,，、\s]+")
_SHORTEST_SENTENCE = 4
_PUNCTUATION = set(" ,.!?;:，。！？；：、…~～\"'“”‘’()（）[]【】<>《》-—")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _converter():  # noqa: ANN202 - opencc has no type hints
    from opencc import OpenCC

    return OpenCC("t2s")


def normalize(text: str) -> str:
    """Simplified characters, half-width letters and digits, single spaces.

    Workers type on phones in traditional or simplified script and with full-width digits
    ("１２３"); the classifier was trained on one form, so every message is folded to it.
    """
    folded = unicodedata.normalize("NFKC", text)
    simplified = _converter().convert(folded)
    return _SPACES.sub(" ", simplified).strip()


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The first `limit` characters: a pasted novel must not stall the tokenizer."""
    return text if len(text) <= limit else text[:limit]


def words(text: str) -> list[str]:
    """Jieba words without punctuation (module-level so trained models can be pickled)."""
    import jieba

    return [w for w in jieba.lcut(text) if w.strip() and w not in _PUNCTUATION]


@lru_cache(maxsize=1024)
def syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin of each character: phone input's homophone slips (设保, 产家) read as meant.

    Kept for the last messages: the topic model and the crisis model both read a message's sounds,
    and pypinyin is most of what their features cost (0.5 ms for a short question).
    """
    from pypinyin import lazy_pinyin

    return tuple(s for s in lazy_pinyin(text, errors="ignore") if s.strip())


def sentences(text: str) -> list[str]:
    """The sentences of a message (at least four characters each; a message without stops is one)."""
    parts = [part.strip() for part in _SENTENCE_END.split(text) if len(part.strip()) >= _SHORTEST_SENTENCE]
    return parts or [text]


def clauses(sentence: str) -> list[str]:
    """The comma-separated clauses of one sentence (at least four characters each)."""
    return [part for part in _CLAUSE_END.split(sentence) if len(part) >= _SHORTEST_SENTENCE]
