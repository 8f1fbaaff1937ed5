"""Areas of law outside labor law that workers ask about, read from knowledge/other_law.yml.

The topic model learns each area as a class of its own, so a divorce question is recognised
as family law and referred, instead of being answered with the nearest labor entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Topic-model labels of the areas carry this prefix, so they can never be mistaken for topic ids.
LABEL_PREFIX = "law:"


@dataclass(frozen=True)
class LawArea:
    """An area of law, where its questions are handled, and when a labor topic applies too."""

    id: str
    name: str
    where: str
    examples: tuple[str, ...]
    angle_topics: tuple[str, ...] = ()
    angle_cues: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The class the topic model gives messages of this area."""
        return LABEL_PREFIX + self.id

    def labor_angle(self, text: str) -> tuple[str, ...]:
        """Labor topics that also apply, when the message says it happened at or on the way to work."""
        return self.angle_topics if any(cue in text for cue in self.angle_cues) else ()


def area_of(label: str) -> str | None:
    """The area id of a topic-model label, or None for a labor topic or `none`."""
    return label[len(LABEL_PREFIX):] if label.startswith(LABEL_PREFIX) else None


def parse_areas(raw: dict[str, Any] | None) -> dict[str, LawArea]:
    """Areas by id, from the YAML mapping (an absent file means no areas)."""
    areas = {}
    for spec in (raw or {}).get("areas") or []:
        angle = spec.get("labor_angle") or {}
        areas[str(spec["id"])] = LawArea(
            id=str(spec["id"]), name=str(spec["name"]), where=str(spec["where"]).strip(),
            examples=tuple(str(e) for e in spec.get("examples") or ()),
            angle_topics=tuple(angle.get("topics") or ()), angle_cues=tuple(angle.get("cues") or ()))
    return areas


def check_areas(areas: dict[str, LawArea], topics: set[str]) -> list[str]:
    """Problems in other_law.yml: unknown topics, too few examples to learn from."""
    problems = []
    for area in areas.values():
        where = f"other_law.yml: {area.id}"
        if len(area.examples) < 10:
            problems.append(f"{where}: needs at least 10 examples")
        problems += [f"{where}: unknown labor_angle topic {t}" for t in area.angle_topics if t not in topics]
        if area.angle_topics and not area.angle_cues:
            problems.append(f"{where}: labor_angle needs cues (words that show the work angle)")
    return problems
