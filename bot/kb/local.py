"""knowledge/local/: the one deployment's streets, centres, hotlines, programmes, courses.

A union replaces these files with its own, so the checker says exactly what is missing
or points nowhere (a session at a centre that does not exist, a programme with no topic);
the rest renders those details under an answer (the worker's street centre, the hotlines).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.workdays import Calendar

if TYPE_CHECKING:  # knowledge.py imports the checks from here
    from bot.kb.knowledge import Entry, KnowledgeBase

CRITERIA = {"union_member", "income_below_local_standard", "serious_illness", "child_in_school", "lost_job",
            "flexible_employment", "any_of"}
REQUIRED = {
    "streets": ("id", "name", "centre", "lawyer"),
    "centres": ("id", "name", "address", "hours", "phone"),
    "hotlines": ("number", "name"),
    "legal_services": ("id", "name", "address", "phone", "for"),
    "programmes": ("id", "name", "topic", "summary", "criteria", "how_to_apply"),
    "courses": ("id", "name", "category", "cost", "sessions"),
}


def _missing(section: str, items: Iterable[dict[str, Any]]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        label = f"local {section} #{position + 1} ({item.get('id') or item.get('number') or '?'})"
        problems += [f"{label}: missing {key}" for key in REQUIRED[section] if not item.get(key)]
        key = str(item.get("id") or item.get("number"))
        if key in seen:
            problems.append(f"{label}: id used twice")
        seen.add(key)
    return problems


def _session_problems(course: dict[str, Any], centres: set[str], streets: set[str]) -> list[str]:
    problems = []
    for session in course.get("sessions") or []:
        label = f"course {course.get('id')} session {session.get('id')}"
        try:
            start = dt.datetime.fromisoformat(str(session.get("start")))
            end = dt.datetime.fromisoformat(str(session.get("end")))
            if end <= start:
                problems.append(f"{label}: ends before it starts")
        except ValueError:
            problems.append(f"{label}: start and end must be like 2026-12-05T19:00")
        if session.get("place") not in centres:
            problems.append(f"{label}: place {session.get('place')} is not a centre")
        if session.get("street") not in streets:
            problems.append(f"{label}: street {session.get('street')} is not a street")
        if not isinstance(session.get("seats"), int) or session["seats"] < 1:
            problems.append(f"{label}: seats must be a whole number above 0")
    return problems


def check_local(local: dict[str, Any], topics: set[str]) -> list[str]:
    """Every problem in the local data, as readable lines."""
    problems = [p for section in REQUIRED for p in _missing(section, local.get(section) or [])]
    centres = {c.get("id") for c in local.get("centres") or []}
    streets = {s.get("id") for s in local.get("streets") or []}
    for street in local.get("streets") or []:
        if street.get("centre") not in centres:
            problems.append(f"street {street.get('id')}: centre {street.get('centre')} does not exist")
        if not str((street.get("lawyer") or {}).get("phone", "")).strip():
            problems.append(f"street {street.get('id')}: the volunteer lawyer needs a phone")
    for programme in local.get("programmes") or []:
        if programme.get("topic") not in topics:
            problems.append(f"programme {programme.get('id')}: unknown topic {programme.get('topic')}")
        if unknown := set(programme.get("criteria") or {}) - CRITERIA:
            problems.append(f"programme {programme.get('id')}: unknown criteria {sorted(unknown)}")
    for course in local.get("courses") or []:
        problems += _session_problems(course, centres, streets)
    if not isinstance((local.get("legal_aid") or {}).get("contact_within_workdays"), int):
        problems.append("legal_aid: contact_within_workdays must be a whole number of working days")
    problems += _handoff_problems(local.get("handoff") or {})
    problems += _calendar_problems(local)
    return problems


def _calendar_problems(local: dict[str, Any], today: dt.date | None = None) -> list[str]:
    """Local calendar entries are dates, and this year's schedule is known (promised call dates use it)."""
    try:
        calendar = Calendar.from_local(local)
    except ValueError as error:
        return [f"calendar: dates must be like 2027-01-01 ({error})"]
    today = today or dt.date.today()
    if not calendar.published(today):
        return [f"calendar: the {today.year} holiday schedule is missing: update chinesecalendar or list "
                f"the year's days off and make-up working days under calendar: off / work"]
    return []


def _handoff_problems(spec: dict[str, Any]) -> list[str]:
    problems = [f"handoff: {key} must be a whole number" for key in ("minutes_per_conversation",
                                                                     "callback_within_workdays", "idle_close_minutes")
                if not isinstance(spec.get(key), int)]
    for span in spec.get("hours") or []:
        days_ok = all(isinstance(d, int) and 1 <= d <= 7 for d in span.get("days") or [None])
        times_ok = all(re.match(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", str(span.get(k, ""))) for k in ("from", "to"))
        if not (days_ok and times_ok and str(span["from"]) < str(span["to"])):
            problems.append(f"handoff hours {span}: days 1-7 and times like 09:00, from before to")
    if not spec.get("hours"):
        problems.append("handoff: hours (when people answer) are missing")
    return problems


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
