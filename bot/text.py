"""Text normalisation shared by training and prediction, so both see workers' text the same way."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_MESSAGE_CHARS = 2000
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
