"""The curated knowledge base: entries, topics, statutes and local service data, checked on load."""

from __future__ import annotations

import datetime as dt
import gc
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import constr, validator

from bot.consent import ConsentWords
from bot.kb.law_areas import LawArea, check_areas, parse_areas
from bot.kb.legal_aid import LegalAidContent, check_content
from bot.kb.local import LocalData, check_local, read_local
from bot.kb.replies import REQUIRED, Replies, Reply
from bot.kb.schema import Shape, parse
from bot.kb.statutes import Statute, load_statutes

ASPECTS = ("overview", "amount", "deadline", "materials", "procedure", "where")
NEXT_STEPS = ("legal_aid", "human", "course", "aid_referral", "none")
REVIEW_AFTER_DAYS = 365
# The label the topic classifier gives to messages outside every topic (never a topic id).
NONE = "none"


class KnowledgeError(ValueError):
    """Raised with every problem found, so staff fix a file in one pass, not one error at a time."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Topic:
    """A topic of the shared taxonomy (ids are stable: evaluation sets use them)."""

    id: str
    title: str
    scope: str
    service: str | None

    @property
    def group(self) -> str:
        """The topic group, the part before the dot (wage, injury, ...)."""
        return self.id.split(".", 1)[0]


class Citation(Shape):
    """A statute article an answer relies on, with the words that support it."""

    law: str
    article: int
    quote: str


class Entry(Shape):
    """One curated question and its answer (knowledge/entries/*.yml)."""

    id: constr(regex=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    topic: str
    title: str
    questions: tuple[str, ...]
    answer: constr(strip_whitespace=True, min_length=1)
    reviewed: dt.date
    aspects: tuple[Literal[ASPECTS], ...] = ("overview",)
    citations: tuple[Citation, ...] = ()
    related: tuple[str, ...] = ()
    next_step: Literal[NEXT_STEPS] = "none"
    source: str = ""  # the file it came from (set on load)

    @validator("questions")
    def _enough_questions(cls, questions: tuple[str, ...]) -> tuple[str, ...]:  # noqa: N805
        if len(questions) < 3:
            raise ValueError("至少要3种问法 / at least 3 ways workers ask it")
        return questions


class EntriesFile(Shape):
    """One file of entries."""

    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Terms:
    """Words for the tokenizer, follow-up cues by aspect, and phrases that settle an intent."""

    dictionary: tuple[str, ...]
    aspect_cues: dict[str, tuple[str, ...]]
    guards: dict[str, tuple[str, ...]]
    crisis_benign: tuple[str, ...] = ()
    consent: ConsentWords = field(default_factory=ConsentWords)
    focus: dict[str, tuple[str, ...]] = field(default_factory=dict)
    question_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class CrisisExamples:
    """What the classifier learns from (knowledge/crisis.yml)."""

    crisis: tuple[str, ...]
    possible: tuple[str, ...]
    ordinary: tuple[str, ...]


def parse_examples(raw: dict[str, Any] | None) -> CrisisExamples:
    """The three lists from the YAML mapping."""
    raw = raw or {}
    return CrisisExamples(*(tuple(str(t) for t in raw.get(key) or ()) for key in ("crisis", "possible", "ordinary")))


@dataclass(frozen=True)
class Openings:
    """The parts real questions open with before they ask (knowledge/openings.yml)."""

    greetings: tuple[str, ...] = ("",)
    people: tuple[str, ...] = ("我",)
    workplaces: tuple[str, ...] = ()
    durations: tuple[str, ...] = ("",)
    facts: tuple[str, ...] = ("",)

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> Openings:
        """Each list of the YAML mapping; an absent file means no openings (no workplaces)."""
        return cls(**{key: tuple(str(part) for part in values) for key, values in (raw or {}).items()})

    def story(self, rng: random.Random) -> str:
        """One opening: "您好！我老公在工地干活，三年了，没签合同，"."""
        parts = [rng.choice(self.greetings) + rng.choice(self.people) + rng.choice(self.workplaces),
                 rng.choice(self.durations), rng.choice(self.facts)]
        return "，".join(part for part in parts if part) + "，"


@dataclass
class KnowledgeBase:
    """Everything in knowledge/, checked."""

    root: Path
    topics: dict[str, Topic]
    entries: dict[str, Entry]
    statutes: dict[str, Statute]
    terms: Terms
    buttons: dict[str, list[dict[str, str]]]
    replies: dict[str, Reply]
    legal_aid: LegalAidContent
    local: LocalData
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    law_areas: dict[str, LawArea] = field(default_factory=dict)
    crisis: CrisisExamples = field(default_factory=lambda: CrisisExamples((), (), ()))
    openings: Openings = field(default_factory=Openings)

    def entries_for(self, topic: str) -> list[Entry]:
        """The entries of one topic, in file order."""
        return [entry for entry in self.entries.values() if entry.topic == topic]

    def overview(self, topic: str) -> Entry:
        """The entry that answers a topic in general (every topic has one)."""
        entries = self.entries_for(topic)
        return next((e for e in entries if "overview" in e.aspects), entries[0])

    def stale(self, today: dt.date) -> list[Entry]:
        """Entries nobody has reviewed for a year: the law or local rules may have moved."""
        limit = today - dt.timedelta(days=REVIEW_AFTER_DAYS)
        return [entry for entry in self.entries.values() if entry.reviewed < limit]


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _topics(root: Path) -> dict[str, Topic]:
    raw = _read_yaml(root / "topics.yml")
    return {
        topic_id: Topic(topic_id, spec["title"], spec.get("scope", ""), spec.get("service"))
        for topic_id, spec in raw.items()
    }


def _entries(root: Path, problems: list[str]) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for path in sorted((root / "entries").glob("*.yml")):
        parsed = parse(EntriesFile, _read_yaml(path), f"entries/{path.name}", problems)
        for entry in parsed.entries if parsed else ():
            if entry.id in entries:
                problems.append(f"entries/{path.name}: {entry.id}: id used twice")
            entries[entry.id] = entry.copy(update={"source": path.name})
    return entries


def _check_entry(entry: Entry, kb: KnowledgeBase) -> list[str]:
    where = f"entries/{entry.source}: {entry.id}"
    problems = []
    if entry.topic not in kb.topics:
        problems.append(f"{where}: unknown topic {entry.topic}")
    problems += [f"{where}: related entry {r} does not exist" for r in entry.related if r not in kb.entries]
    for citation in entry.citations:
        statute = kb.statutes.get(citation.law)
        if statute is None:
            problems.append(f"{where}: cites unknown law {citation.law}")
        elif citation.article not in statute.articles:
            problems.append(f"{where}: {citation.law} has no article {citation.article}")
        elif not statute.cites(citation.article, citation.quote):
            problems.append(f"{where}: quote is not in {citation.law} article {citation.article}: {citation.quote}")
    return problems


def check(kb: KnowledgeBase) -> list[str]:
    """Every rule in knowledge/README.md, as a list of problems (empty when all is well)."""
    problems = [p for entry in kb.entries.values() for p in _check_entry(entry, kb)]
    problems += [f"terms.yml: unknown aspect {a}" for a in kb.terms.aspect_cues if a not in ASPECTS]
    problems += [f"terms.yml: focus names unknown topic {t}" for t in kb.terms.focus if t not in kb.topics]
    problems += check_local(kb.local, set(kb.topics))
    problems += check_content(kb.legal_aid, set(kb.topics))
    problems += check_areas(kb.law_areas, set(kb.topics))
    problems += [f"examples/: unknown topic {t}" for t in kb.examples if t not in kb.topics]
    problems += [f"replies.yml: no reply named {name}" for name in REQUIRED if name not in kb.replies]
    problems += [f"next_steps.yml: no buttons for {s}" for s in (*NEXT_STEPS, "always") if s not in kb.buttons]
    for topic in kb.topics:
        if not any("overview" in e.aspects for e in kb.entries_for(topic)):
            problems.append(f"topic {topic} has no entry with the overview aspect")
    return problems


def _terms(root: Path) -> Terms:
    raw = _read_yaml(root / "terms.yml")
    cues = {aspect: tuple(words) for aspect, words in (raw.get("aspects") or {}).items()}
    guards = {intent: tuple(phrases) for intent, phrases in (raw.get("guards") or {}).items()}
    return Terms(tuple(raw.get("dictionary") or ()), cues, guards, tuple(raw.get("crisis_benign") or ()),
                 ConsentWords.parse(raw.get("consent")),
                 {topic: tuple(cues) for topic, cues in (raw.get("focus") or {}).items()},
                 tuple(str(word) for word in raw.get("question_words") or ()))


def _examples(root: Path) -> dict[str, tuple[str, ...]]:
    """Worker-style questions by topic (examples/<group>.yml), beside the entries' own questions."""
    merged: dict[str, list[str]] = {}
    for path in sorted((root / "examples").glob("*.yml")):
        for topic, texts in ((_read_yaml(path) or {}).get("examples") or {}).items():
            merged.setdefault(str(topic), []).extend(str(t) for t in texts or ())
    return {topic: tuple(texts) for topic, texts in merged.items()}


def _optional_yaml(path: Path) -> Any:
    return _read_yaml(path) if path.exists() else None


def load(root: Path | str) -> KnowledgeBase:
    """Read and check knowledge/; raise KnowledgeError listing every problem."""
    root = Path(root)
    problems: list[str] = []
    entries = _entries(root, problems)
    replies = parse(Replies, _read_yaml(root / "replies.yml"), "replies.yml", problems)
    legal_aid = parse(LegalAidContent, _read_yaml(root / "legal_aid.yml"), "legal_aid.yml", problems)
    local = read_local(root, problems)
    if problems:  # the checks below read typed objects: a file that does not fit stops here
        raise KnowledgeError(problems)
    kb = KnowledgeBase(
        root=root,
        topics=_topics(root),
        entries=entries,
        statutes=load_statutes(root / "laws"),
        terms=_terms(root),
        buttons=_read_yaml(root / "next_steps.yml"),
        replies=replies.__root__,
        legal_aid=legal_aid,
        local=local,
        examples=_examples(root),
        law_areas=parse_areas(_optional_yaml(root / "other_law.yml")),
        crisis=parse_examples(_optional_yaml(root / "crisis.yml")),
        openings=Openings.parse(_optional_yaml(root / "openings.yml")),
    )
    problems += check(kb)
    if problems:
        raise KnowledgeError(problems)
    return kb


@lru_cache(maxsize=2)
def load_cached(root: str) -> KnowledgeBase:
    """One checked copy per process, frozen out of the garbage collector's full sweeps.

    The action server and the web server answer many turns from it for as long as they run:
    walking its 120,000 objects took 60 ms, paid by whichever turn came then.
    """
    kb = load(root)
    gc.freeze()
    return kb
