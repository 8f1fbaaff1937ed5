"""Which knowledge entry answers a message: the decision the bot and `bot ask` share.

Inputs are the NLU parse (intent, entities, `topic_ranking`, `entry_ranking` from the
TopicRanker) and what the conversation is about so far; the output names an entry, or
asks which of two close topics the worker means, or admits it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.knowledge import NONE, Entry, KnowledgeBase
from bot.statutes import article_label

UNKNOWN_BELOW = 0.12
CLARIFY_MARGIN = 0.08
CLARIFY_BELOW = 0.45
CLARIFY_FLOOR = 0.12
FOLLOW_UP_BELOW = 0.5
ENTITY_BOOST = 0.25
DECLINE_FROM = 0.2

Kind = Literal["answer", "clarify", "unknown", "ask_topic_first", "decline"]


@dataclass(frozen=True)
class Candidate:
    """A topic the message may be about, with its best entry and combined score."""

    topic: str
    entry: str
    score: float


@dataclass(frozen=True)
class Context:
    """What the conversation was about before this message."""

    topic: str | None = None


@dataclass(frozen=True)
class Decision:
    """What to answer: an entry, a choice between close topics, or an honest 'not sure'."""

    kind: Kind
    entry: Entry | None = None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def topic(self) -> str | None:
        """The topic answered (for a clarification, the likeliest one)."""
        if self.entry is not None:
            return self.entry.topic
        return self.candidates[0].topic if self.kind == "clarify" else None


def aspect_of(text: str, kb: KnowledgeBase) -> str | None:
    """The aspect a message asks about ("要多久" -> deadline), by the cue words in terms.yml."""
    for aspect, cues in kb.terms.aspect_cues.items():
        if any(cue in text for cue in cues):
            return aspect
    return None


def _entity_topics(parse: dict[str, Any], kb: KnowledgeBase) -> set[str]:
    """Topics that named things in the message point to (a programme, a course)."""
    programmes = {p["id"]: p.get("topic") for p in kb.local.get("programmes", [])}
    topics = set()
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "programme" and programmes.get(entity.get("value")):
            topics.add(programmes[entity["value"]])
        elif entity.get("entity") == "course":
            topics.add("course.catalog")
    return topics & set(kb.topics)


def candidates(parse: dict[str, Any], kb: KnowledgeBase, limit: int = 3) -> list[Candidate]:
    """Topics ranked by classifier probability, best entry similarity and entity hints."""
    best_entry: dict[str, tuple[str, float]] = {}
    for ranked in parse.get("entry_ranking") or []:
        if ranked["topic"] not in best_entry and ranked["entry"] in kb.entries:
            best_entry[ranked["topic"]] = (ranked["entry"], ranked["score"])
    hinted = _entity_topics(parse, kb)
    scored = []
    for ranked in parse.get("topic_ranking") or []:
        topic = ranked["topic"]
        if topic not in kb.topics:
            continue
        entry_id, similarity = best_entry.get(topic, (kb.overview(topic).id, 0.0))
        score = 0.75 * ranked["confidence"] + 0.25 * similarity + (ENTITY_BOOST if topic in hinted else 0.0)
        scored.append(Candidate(topic, entry_id, round(score, 4)))
    scored.sort(key=lambda c: c.score, reverse=True)
    return scored[:limit]


def entry_in_topic(topic: str, parse: dict[str, Any], kb: KnowledgeBase, aspect: str | None) -> Entry:
    """The entry of `topic` for this message: the asked aspect, else the closest, else the overview."""
    entries = kb.entries_for(topic)
    if aspect:
        matching = [e for e in entries if aspect in e.aspects]
        if matching:
            entries = matching
            if len(matching) == 1:
                return matching[0]
    ranked = [r["entry"] for r in parse.get("entry_ranking") or [] if r["entry"] in {e.id for e in entries}]
    if ranked:
        return kb.entries[ranked[0]]
    return next((e for e in entries if "overview" in e.aspects), entries[0])


def _chosen(parse: dict[str, Any], kb: KnowledgeBase) -> Entry | None:
    """The entry a clarification button named (payload entities `topic` and `entry`)."""
    values = {e.get("entity"): e.get("value") for e in parse.get("entities") or []}
    if values.get("entry") in kb.entries:
        return kb.entries[values["entry"]]
    if values.get("topic") in kb.topics:
        return kb.overview(values["topic"])
    return None


def outside_knowledge(parse: dict[str, Any]) -> bool:
    """Whether the topic model's best guess is 'none of the topics' (trained on out-of-scope examples)."""
    ranking = parse.get("topic_ranking") or []
    return bool(ranking) and ranking[0]["topic"] == NONE and ranking[0]["confidence"] >= DECLINE_FROM


def decide(parse: dict[str, Any], context: Context, kb: KnowledgeBase) -> Decision:
    """Pick the answer for a knowledge question or a follow-up."""
    chosen = _chosen(parse, kb)
    if chosen is not None:
        return Decision("answer", chosen)
    intent = (parse.get("intent") or {}).get("name")
    text = parse.get("text") or ""
    aspect = aspect_of(text, kb)
    ranked = candidates(parse, kb)
    top = ranked[0] if ranked else None

    unsure = top is None or top.score < FOLLOW_UP_BELOW
    if unsure and (intent == "follow_up" or aspect is not None):
        if context.topic in kb.topics:
            return Decision("answer", entry_in_topic(context.topic, parse, kb, aspect), tuple(ranked))
        if intent == "follow_up":
            return Decision("ask_topic_first", None, tuple(ranked))

    if outside_knowledge(parse):
        return Decision("decline", None, tuple(ranked))
    if top is None or top.score < UNKNOWN_BELOW:
        return Decision("unknown", None, tuple(ranked))
    if (len(ranked) > 1 and top.score < CLARIFY_BELOW and ranked[1].score >= CLARIFY_FLOOR
            and top.score - ranked[1].score < CLARIFY_MARGIN):
        return Decision("clarify", None, tuple(ranked[:2]))
    return Decision("answer", entry_in_topic(top.topic, parse, kb, aspect), tuple(ranked))


def cited(entry: Entry) -> list[tuple[str, int]]:
    """The (law, article) pairs an entry cites, each once, in the entry's order."""
    return list(dict.fromkeys((c.law, c.article) for c in entry.citations))


def citation_line(entry: Entry, kb: KnowledgeBase) -> str:
    """《Statute title》第X条 for each cited article, in the order the entry gives them."""
    return "；".join(f"《{kb.statutes[law].title}》{article_label(article)}" for law, article in cited(entry))


def buttons(entry: Entry, kb: KnowledgeBase) -> list[dict[str, str]]:
    """The next-step buttons under an answer (a person is always offered)."""
    return [*kb.buttons.get(entry.next_step, []), *kb.buttons.get("always", [])]


def clarify_buttons(decision: Decision, kb: KnowledgeBase) -> list[dict[str, str]]:
    """One button per close topic; the payload carries the entry so the click answers at once."""
    return [
        {"title": kb.topics[c.topic].title,
         "payload": f'/ask_knowledge{{"topic": "{c.topic}", "entry": "{c.entry}"}}'}
        for c in decision.candidates
    ]
