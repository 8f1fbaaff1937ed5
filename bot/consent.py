"""Reading yes, no and "wait" in a worker's own words at a confirm or consent step.

Consent lives here: "不提交" must never read as "提交". A yes-word counts only when nothing in
the message waits, asks something, says no or negates anything; a negator just before a yes-word ("先别提交",
"不太同意", "没确认") turns it into a no. Anything else is unclear, and the step asks again
with buttons. The word lists are in knowledge/terms.yml (`consent`), so staff can extend them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.text import normalize

# How many characters may stand between a negator and the yes-word it negates ("不太同意", "先别急着提交").
_NEGATION_REACH = 3


@dataclass(frozen=True)
class ConsentWords:
    """The lists `read` works from."""

    agree: tuple[str, ...] = ()
    refuse: tuple[str, ...] = ()
    wait: tuple[str, ...] = ()
    negators: tuple[str, ...] = ()
    agree_despite_negator: tuple[str, ...] = ()  # "没问题", "没错": a negator that means yes
    neutral: tuple[str, ...] = ()  # "对不起": a yes-word that means nothing here

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> ConsentWords:
        """From the `consent` mapping of terms.yml."""
        raw = raw or {}
        return cls(**{key: tuple(raw.get(key) or ()) for key in cls.__dataclass_fields__})


_QUESTION = re.compile(r"[?？]|吗|呢|是不是|要不要|能不能|可不可以")


def _negated(text: str, words: ConsentWords) -> bool:
    """A negator with a yes-word starting at most `_NEGATION_REACH` characters after it."""
    for negator in words.negators:
        for found in re.finditer(re.escape(negator), text):
            end = found.end()
            if any(text.find(agree, end, end + _NEGATION_REACH + len(agree)) != -1 for agree in words.agree):
                return True
    return False


def read(text: str, words: ConsentWords) -> bool | None:
    """True for a clear yes, False for a no, None when unclear (ask again with buttons)."""
    folded = normalize(text).lower()
    for phrase in words.neutral:
        folded = folded.replace(phrase, " ")
    despite = any(phrase in folded for phrase in words.agree_despite_negator)
    for phrase in words.agree_despite_negator:
        folded = folded.replace(phrase, " ")
    if any(w in folded for w in words.wait) or _QUESTION.search(folded):
        return None
    if any(w in folded for w in words.refuse) or _negated(folded, words):
        return False
    if any(negator in folded for negator in words.negators):
        return None  # "嗯，不交": a negation of something, so not a yes either
    if despite or any(w in folded for w in words.agree):
        return True
    return None
