"""Recognising from a worker's words what must not be left to a classifier (danger, asking for a person)."""

from __future__ import annotations

import re

from bot.text import syllables

GAP = "…"
_GAP_PATTERN = ".{0,8}"
_GAP_SOUNDS = "(?: [a-z]+){0,8} "
SOUNDED_FROM = 3  # characters: two-syllable phrases sound like too many ordinary words (人工 / 人，工)
_CHINESE_RUN = re.compile(r"[\u3400-\u9fff]+")


def sounds(text: str) -> str:
    """The toneless pinyin of a message, runs of Chinese kept apart (" / ") where anything else stood."""
    return " / ".join(" ".join(syllables(run)) for run in _CHINESE_RUN.findall(text))


def _sounded(phrase: str) -> str:
    """A phrase as a pattern over `sounds`: whole syllables, gaps of up to eight inside one run."""
    pieces = [" ".join(syllables(piece)) for piece in phrase.split(GAP)]
    return "(?:^| )" + _GAP_SOUNDS.join(re.escape(piece) for piece in pieces) + "(?= |$)"


class PhraseMatcher:
    """Matches listed phrases; `…` in a phrase allows up to eight characters in between.

    With `by_sound`, phrases of `sounded_from` or more characters also match when they are typed
    with the wrong characters for the right sounds, as phone input slips ("转人公", "找真仁").
    """

    def __init__(self, phrases: tuple[str, ...], *, by_sound: bool = False,
                 sounded_from: int = SOUNDED_FROM) -> None:
        """Compile every phrase into one pattern (one scan a message), and by sound if asked."""
        parts = [_GAP_PATTERN.join(re.escape(p) for p in phrase.split(GAP)) for phrase in phrases if phrase]
        self._pattern = re.compile("|".join(f"({part})" for part in parts)) if parts else None
        self._phrases = [phrase for phrase in phrases if phrase]
        heard = [p for p in self._phrases if by_sound and len(p.replace(GAP, "")) >= sounded_from
                 and all(syllables(piece) for piece in p.split(GAP))]
        self._sound_pattern = re.compile("|".join(f"({_sounded(p)})" for p in heard)) if heard else None
        self._heard = heard

    def matches(self, text: str) -> bool:
        """Whether a normalised message contains any phrase."""
        return self.first(text) is not None

    def first(self, text: str) -> str | None:
        """The listed phrase found first in a normalised message, or None."""
        found = self._pattern.search(text) if self._pattern else None
        if found:
            return self._phrases[found.lastindex - 1]
        heard = self._sound_pattern.search(sounds(text)) if self._sound_pattern else None
        return self._heard[heard.lastindex - 1] if heard else None
