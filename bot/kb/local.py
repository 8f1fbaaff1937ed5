"""knowledge/local/: the one deployment's streets, centres, hotlines, programmes, classes and duty hours.

A union replaces these files with its own. Their shape is declared here (a problem names the file,
the item and the field), the references between them are checked (a class at a centre that does
not exist, a programme with no topic), and the details shown under an answer are rendered here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import Field, conint, constr, validator

from bot.kb.schema import Shape, parse
from bot.text import normalize
from bot.workdays import Calendar

if TYPE_CHECKING:  # knowledge.py imports the checks from here
    from bot.kb.knowledge import Entry, KnowledgeBase


class Lawyer(Shape):
    """The street's volunteer lawyer, who takes its legal-aid cases."""

    name: str
    phone: constr(strip_whitespace=True, min_length=1)
    firm: str = ""


class Street(Shape):
    """A street (街道) the union serves, its centre and its lawyer."""

    id: str
    name: str
    centre: str
    lawyer: Lawyer
    aliases: tuple[str, ...] = ()


class Centre(Shape):
    """A workers' service centre (职工服务中心 or 职工之家): where classes meet and workers walk in."""

    id: str
    name: str
    address: str
    hours: str
    phone: str
    facilities: tuple[str, ...] = ()


class LegalService(Shape):
    """Where a question outside labor law is referred."""

    id: str
    name: str
    address: str
    phone: str
    for_: str = Field(alias="for")
    hours: str = ""


class Hotline(Shape):
    """A hotline listed under answers (12351, 12333, 12348, 12356...)."""

    number: str
    name: str
    for_: str = Field("", alias="for")
    hours: str = ""


Criterion = Literal["union_member", "income_below_local_standard", "serious_illness", "child_in_school", "lost_job",
                    "flexible_employment", "any_of"]


class Programme(Shape):
    """A hardship-aid programme, with the criteria screening asks about (true: required)."""

    id: str
    name: str
    topic: str
    summary: str
    criteria: dict[Criterion, Any]
    how_to_apply: str
    measures: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


class Session(Shape):
    """One meeting of a class: when, where, for how many."""

    id: str
    start: dt.datetime
    end: dt.datetime
    place: str
    street: str
    seats: conint(gt=0)

    @validator("end")
    def _ends_after_start(cls, end: dt.datetime, values: dict[str, Any]) -> dt.datetime:  # noqa: N805
        if "start" in values and end <= values["start"]:
            raise ValueError("结束时间早于开始时间 / ends before it starts")
        return end


class Course(Shape):
    """A union class (惠工课堂) and its sessions."""

    id: str
    name: str
    category: str
    cost: str
    sessions: tuple[Session, ...]
    description: str = ""
    keywords: tuple[str, ...] = ()


Clock = constr(regex=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class Span(Shape):
    """Hours a person is on duty: weekdays 1 (Monday) to 7, from and to in local time."""

    days: tuple[conint(ge=1, le=7), ...]
    from_: Clock = Field(alias="from")
    to: Clock

    @validator("to")
    def _to_after_from(cls, to: str, values: dict[str, Any]) -> str:  # noqa: N805
        if "from_" in values and to <= values["from_"]:
            raise ValueError("结束早于开始 / 'to' must come after 'from'")
        return to


class HandoffSettings(Shape):
    """When people are on duty, how long a conversation takes, and which skill serves which topics."""

    hours: tuple[Span, ...]
    minutes_per_conversation: int
    callback_within_workdays: int
    idle_close_minutes: int
    skills: dict[str, tuple[str, ...]] = {}


class LegalAidSettings(Shape):
    """The promise made to a worker who opens a legal-aid case."""

    contact_within_workdays: int


OrderKind = Literal["case", "referral", "callback", "handoff"]


class Tier(Shape):
    """A work-order tier (12351: 一般问题、难点问题、特别复杂问题) and the working days it is given."""

    name: str
    workdays: conint(gt=0)


class TierRule(Shape):
    """Orders of this type (and, when listed, of these topics or topic groups) start in this tier."""

    type: OrderKind
    tier: str
    topics: tuple[str, ...] = ()

    def fits(self, kind: str, topic: str | None) -> bool:
        """Whether an order of this kind and topic falls under the rule."""
        if kind != self.type:
            return False
        return not self.topics or bool(topic) and (topic in self.topics or topic.split(".", 1)[0] in self.topics)


class WorkOrderSettings(Shape):
    """Tiers with their deadlines, and the rules that tier a new order (the first that fits wins)."""

    tiers: dict[str, Tier]
    rules: tuple[TierRule, ...]
    default_tier: str

    def tier_for(self, kind: str, topic: str | None) -> str:
        """The tier a new order starts in; staff may change it, giving a reason."""
        return next((rule.tier for rule in self.rules if rule.fits(kind, topic)), self.default_tier)


class CalendarDays(Shape):
    """A year's schedule entered before chinesecalendar carries it: days off and make-up working days."""

    off: tuple[dt.date, ...] = ()
    work: tuple[dt.date, ...] = ()


class Union(Shape):
    """The union running this deployment."""

    name: str
    city: str = ""


class LocalData(Shape):
    """knowledge/local/*.yml, merged: the one deployment's own details."""

    union: Union
    streets: tuple[Street, ...]
    centres: tuple[Centre, ...]
    hotlines: tuple[Hotline, ...]
    legal_services: tuple[LegalService, ...]
    programmes: tuple[Programme, ...]
    courses: tuple[Course, ...]
    legal_aid: LegalAidSettings
    handoff: HandoffSettings
    work_orders: WorkOrderSettings
    calendar: CalendarDays = CalendarDays()
    sample: bool = False
    notice: str = ""

    def street(self, street_id: str) -> Street:
        """A street by id (ids are checked at load; KeyError for an unknown one)."""
        return {street.id: street for street in self.streets}[street_id]

    def centre(self, centre_id: str) -> Centre:
        """A centre by id."""
        return {centre.id: centre for centre in self.centres}[centre_id]

    def course(self, course_id: str) -> Course:
        """A course by id."""
        return {course.id: course for course in self.courses}[course_id]

    def street_asked(self, text: str, parse: dict[str, Any]) -> str | None:
        """The roster street a worker names: the entity first, then an id, name or alias in the text."""
        found = [e["value"] for e in parse.get("entities") or [] if e.get("entity") == "street"]
        if found:
            return found[0]
        text = normalize(text)
        return next((s.id for s in self.streets if any(n in text for n in (s.id, s.name, *s.aliases))), None)

    def working_calendar(self) -> Calendar:
        """The official calendar with this deployment's own entries."""
        return Calendar(frozenset(self.calendar.off), frozenset(self.calendar.work))


def read_local(root: Path, problems: list[str]) -> LocalData | None:
    """knowledge/local/*.yml merged and typed; None (with the problems) when a file does not fit."""
    merged: dict[str, Any] = {}
    files: dict[str, str] = {}
    for path in sorted((root / "local").glob("*.yml")):
        with path.open(encoding="utf-8") as handle:
            sections = yaml.safe_load(handle) or {}
        merged.update(sections)
        files.update({section: f"local/{path.name}" for section in sections})
    local = parse(LocalData, merged, "local/", problems, files=files)
    return _sample_classes_ahead(local, dt.date.today()) if local and local.sample else local


def _sample_classes_ahead(local: LocalData, today: dt.date) -> LocalData:
    """Sample classes moved by whole weeks (weekday and time kept) so the first starts after today.

    Sample data with fixed dates expires: a demo started next month would show no classes at all.
    A union's own data (no `sample: true`) is never moved.
    """
    first = min((session.start.date() for course in local.courses for session in course.sessions), default=today)
    shift = dt.timedelta(weeks=max(0, (today - first).days // 7 + 1))
    if not shift:
        return local
    courses = tuple(course.copy(update={"sessions": tuple(
        session.copy(update={"start": session.start + shift, "end": session.end + shift})
        for session in course.sessions)}) for course in local.courses)
    return local.copy(update={"courses": courses})


def _duplicates(section: str, ids: list[str]) -> list[str]:
    return [f"local {section}: id {item} used twice" for item in sorted({i for i in ids if ids.count(i) > 1})]


def check_local(local: LocalData, topics: set[str]) -> list[str]:
    """What the shapes cannot say: ids used twice, references to nothing, a year without a calendar."""
    problems = [p for section, ids in (("streets", [s.id for s in local.streets]),
                                       ("centres", [c.id for c in local.centres]),
                                       ("programmes", [p.id for p in local.programmes]),
                                       ("courses", [c.id for c in local.courses]),
                                       ("sessions", [s.id for c in local.courses for s in c.sessions]))
                for p in _duplicates(section, ids)]
    centres, streets = {c.id for c in local.centres}, {s.id for s in local.streets}
    problems += [f"street {s.id}: centre {s.centre} does not exist" for s in local.streets if s.centre not in centres]
    problems += [f"programme {p.id}: unknown topic {p.topic}" for p in local.programmes if p.topic not in topics]
    for course in local.courses:
        for session in course.sessions:
            label = f"course {course.id} session {session.id}"
            if session.place not in centres:
                problems.append(f"{label}: place {session.place} is not a centre")
            if session.street not in streets:
                problems.append(f"{label}: street {session.street} is not a street")
    groups = {topic.split(".", 1)[0] for topic in topics}
    problems += [f"handoff skills {skill}: unknown topic {topic}" for skill, listed in local.handoff.skills.items()
                 for topic in listed if topic not in topics and topic not in groups]
    if not local.handoff.hours:
        problems.append("handoff: hours (when people answer) are missing")
    orders = local.work_orders
    problems += [f"work_orders: tier {tier} is not under tiers" for tier in
                 {orders.default_tier, *(rule.tier for rule in orders.rules)} - orders.tiers.keys()]
    problems += [f"work_orders rule for {rule.type}: unknown topic {topic}" for rule in orders.rules
                 for topic in rule.topics if topic not in topics and topic not in groups]
    return problems + _calendar_problems(local)


def _calendar_problems(local: LocalData, today: dt.date | None = None) -> list[str]:
    """Local calendar entries are dates, and this year's schedule is known (promised call dates use it)."""
    calendar = local.working_calendar()
    today = today or dt.date.today()
    if not calendar.published(today):
        return [f"calendar: the {today.year} holiday schedule is missing: update chinesecalendar or list "
                f"the year's days off and make-up working days under calendar: off / work"]
    return []


def _street_ids(parse: dict[str, Any]) -> list[str]:
    return [e["value"] for e in parse.get("entities") or [] if e.get("entity") == "street"]


def centre_cards(kb: KnowledgeBase, street_ids: list[str]) -> list[str]:
    """The centre of each named street, or every centre when no street was named."""
    known = {street.id: street for street in kb.local.streets}
    wanted = [known[s].centre for s in street_ids if s in known] or [c.id for c in kb.local.centres]
    card = kb.replies["centre"]
    return [card.render(**{**centre.dict(), "facilities": "、".join(centre.facilities)})["text"]
            for centre in map(kb.local.centre, dict.fromkeys(wanted))]


def hotline_list(kb: KnowledgeBase) -> list[str]:
    """All hotlines of the deployment in one message."""
    line = kb.replies["hotline_line"]
    lines = "\n".join(line.render(**hotline.dict(by_alias=True))["text"] for hotline in kb.local.hotlines)
    return [kb.replies["hotlines"].render(lines=lines)["text"]] if lines else []


def legal_services(kb: KnowledgeBase) -> str:
    """The deployment's public legal service and legal-aid centres, one line each."""
    line = kb.replies["legal_service_line"]
    return "\n".join(line.render(**service.dict(by_alias=True))["text"] for service in kb.local.legal_services)


def details(entry: Entry, parse: dict[str, Any], kb: KnowledgeBase) -> list[str]:
    """Messages to send after an entry's answer, when its topic has local details."""
    if entry.topic == "service.centers":
        return centre_cards(kb, _street_ids(parse))
    if entry.topic == "service.hotlines":
        return hotline_list(kb)
    return []
