"""What the legal-aid intake asks: dispute types, field labels and the words that name them.

The wording (dispute types, field names, evidence lists) is content in knowledge/legal_aid.yml;
this module reads it and says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.text import normalize

FIELDS = ("case_dispute", "case_employer", "case_facts", "case_amount", "case_since", "case_street",
          "case_name", "case_phone")


@dataclass(frozen=True)
class DisputeType:
    """A kind of dispute the union's lawyers take, with the evidence a worker should gather."""

    code: str
    label: str
    topics: tuple[str, ...]
    words: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class LegalAidContent:
    """knowledge/legal_aid.yml, parsed."""

    dispute_types: dict[str, DisputeType]
    field_labels: dict[str, str]
    field_words: dict[str, tuple[str, ...]]

    def dispute_for_topic(self, topic: str | None) -> str | None:
        """The dispute type a conversation topic implies (wage.arrears -> wage), if any."""
        if not topic:
            return None
        for dispute in self.dispute_types.values():
            if topic in dispute.topics or topic.split(".", 1)[0] in dispute.topics:
                return dispute.code
        return None

    def dispute_in_text(self, text: str) -> str | None:
        """The dispute type a worker names in their own words (or its code), if exactly one fits."""
        if text in self.dispute_types:
            return text
        text = normalize(text)
        found = {d.code for d in self.dispute_types.values()
                 if d.label in text or any(word in text for word in d.words)}
        return found.pop() if len(found) == 1 else None

    def field_in_text(self, text: str) -> str | None:
        """Which field a correction names ("电话填错了" -> case_phone), if one is named."""
        text = normalize(text)
        for field, words in self.field_words.items():
            if self.field_labels[field] in text or any(word in text for word in words):
                return field
        return None


def parse_content(raw: dict[str, Any]) -> LegalAidContent:
    """Build the content object from the YAML mapping."""
    disputes = {
        code: DisputeType(code, str(spec["label"]), tuple(spec.get("topics") or ()),
                          tuple(spec.get("words") or ()), tuple(spec.get("evidence") or ()))
        for code, spec in (raw.get("dispute_types") or {}).items()
    }
    fields = raw.get("fields") or {}
    return LegalAidContent(disputes, {f: str(s["label"]) for f, s in fields.items()},
                           {f: tuple(s.get("words") or ()) for f, s in fields.items()})


def check_content(content: LegalAidContent, topics: set[str]) -> list[str]:
    """Problems in legal_aid.yml: every field labelled, every dispute type usable."""
    problems = [f"legal_aid.yml: no label for field {f}" for f in FIELDS if f not in content.field_labels]
    groups = {topic.split(".", 1)[0] for topic in topics}
    for dispute in content.dispute_types.values():
        if not dispute.evidence:
            problems.append(f"legal_aid.yml: dispute type {dispute.code} has no evidence list")
        problems += [f"legal_aid.yml: dispute type {dispute.code}: unknown topic {t}"
                     for t in dispute.topics if t not in topics and t not in groups]
    if "other" not in content.dispute_types:
        problems.append("legal_aid.yml: dispute type 'other' is required (disputes that fit no type)")
    return problems
