"""Local details under an answer: the deployment's own centres and hotlines from knowledge/local/."""

from __future__ import annotations

from typing import Any

from bot.knowledge import Entry, KnowledgeBase


def _street_ids(parse: dict[str, Any]) -> list[str]:
    return [e["value"] for e in parse.get("entities") or [] if e.get("entity") == "street"]


def centre_cards(kb: KnowledgeBase, street_ids: list[str]) -> list[str]:
    """The centre of each named street, or every centre when no street was named."""
    centres = {c["id"]: c for c in kb.local.get("centres", [])}
    streets = {s["id"]: s for s in kb.local.get("streets", [])}
    wanted = [streets[s]["centre"] for s in street_ids if s in streets] or list(centres)
    return [
        kb.replies["centre"].render(**{**centres[c], "facilities": "、".join(centres[c].get("facilities", []))})["text"]
        for c in dict.fromkeys(wanted) if c in centres
    ]


def hotline_list(kb: KnowledgeBase) -> list[str]:
    """All hotlines of the deployment in one message."""
    line = kb.replies["hotline_line"]
    lines = "\n".join(line.render(**{"for": "", "hours": "", **h})["text"] for h in kb.local.get("hotlines", []))
    return [kb.replies["hotlines"].render(lines=lines)["text"]] if lines else []


def legal_services(kb: KnowledgeBase) -> str:
    """The deployment's public legal service and legal-aid centres, one line each."""
    line = kb.replies["legal_service_line"]
    return "\n".join(line.render(**{"hours": "", **service})["text"] for service in kb.local.get("legal_services", []))


def details(entry: Entry, parse: dict[str, Any], kb: KnowledgeBase) -> list[str]:
    """Messages to send after an entry's answer, when its topic has local details."""
    if entry.topic == "service.centers":
        return centre_cards(kb, _street_ids(parse))
    if entry.topic == "service.hotlines":
        return hotline_list(kb)
    return []
