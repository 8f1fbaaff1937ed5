"""Recognising from a worker's words what must not be left to a classifier (danger, asking for a person)."""

from __future__ import annotations

import re

GAP = "…"
_GAP_PATTERN = ".{0,8}"


class PhraseMatcher:
    """Matches listed phrases; `…` in a phrase allows up to eight characters in between."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        """Compile every phrase into one pattern (one scan a message)."""
        parts = [_GAP_PATTERN.join(re.escape(p) for p in phrase.split(GAP)) for phrase in phrases if phrase]
        self._pattern = re.compile("|".join(f"({part})" for part in parts)) if parts else None
        self._phrases = [phrase for phrase in phrases if phrase]

    def matches(self, text: str) -> bool:
        """Whether a normalised message contains any phrase."""
        return self.first(text) is not None

    def first(self, text: str) -> str | None:
        """The listed phrase found first in a normalised message, or None."""
        found = self._pattern.search(text) if self._pattern else None
        return self._phrases[found.lastindex - 1] if found else None
