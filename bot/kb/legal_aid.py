"""What the legal-aid intake asks: dispute types, field labels and the words that name them.

The wording (dispute types, field names, evidence lists) is content in knowledge/legal_aid.yml;
this module reads it and says what is missing.
"""

from __future__ import annotations

from bot.kb.schema import Shape
from bot.text import normalize

FIELDS = ("case_dispute", "case_employer", "case_facts", "case_amount", "case_since", "case_street",
          "case_name", "case_phone")


class DisputeType(Shape):
    """A kind of dispute the union's lawyers take, with the evidence a worker should gather."""

    label: str
    evidence: tuple[str, ...]
    topics: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


class FieldWording(Shape):
    """How the summary names a field, and the words a worker uses for it in a correction."""

    label: str
    words: tuple[str, ...] = ()


class LegalAidContent(Shape):
    """knowledge/legal_aid.yml."""

    dispute_types: dict[str, DisputeType]
    fields: dict[str, FieldWording]

    def dispute_for_topic(self, topic: str | None) -> str | None:
        """The dispute type a conversation topic implies (wage.arrears -> wage), if any."""
        if not topic:
            return None
        for code, dispute in self.dispute_types.items():
            if topic in dispute.topics or topic.split(".", 1)[0] in dispute.topics:
                return code
        return None

    def dispute_in_text(self, text: str) -> str | None:
        """The dispute type a worker names in their own words (or its code), if exactly one fits."""
        if text in self.dispute_types:
            return text
        text = normalize(text)
        found = {code for code, d in self.dispute_types.items()
                 if d.label in text or any(word in text for word in d.words)}
        return found.pop() if len(found) == 1 else None

    def field_in_text(self, text: str) -> str | None:
        """Which field a correction names ("电话填错了" -> case_phone), if one is named."""
        text = normalize(text)
        for field, wording in self.fields.items():
            if wording.label in text or any(word in text for word in wording.words):
                return field
        return None


def check_content(content: LegalAidContent, topics: set[str]) -> list[str]:
    """Problems in legal_aid.yml the shape cannot see: every field labelled, every topic known."""
    problems = [f"legal_aid.yml: no label for field {f}" for f in FIELDS if f not in content.fields]
    groups = {topic.split(".", 1)[0] for topic in topics}
    for code, dispute in content.dispute_types.items():
        if not dispute.evidence:
            problems.append(f"legal_aid.yml: dispute type {code} has no evidence list")
        problems += [f"legal_aid.yml: dispute type {code}: unknown topic {t}"
                     for t in dispute.topics if t not in topics and t not in groups]
    if "other" not in content.dispute_types:
        problems.append("legal_aid.yml: dispute type 'other' is required (disputes that fit no type)")
    return problems
