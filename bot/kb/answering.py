"""Which knowledge entry answers a message: the decision the bot and `bot ask` share.

Inputs are the NLU parse (intent, entities, `topic_ranking`, `entry_ranking` from the
TopicRanker) and what the conversation is about so far; the output names an entry, or
asks which of two close topics the worker means, or admits it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.kb.knowledge import NONE, Entry, KnowledgeBase
from bot.kb.law_areas import LawArea, area_of
from bot.kb.statutes import article_label
from bot.text import sentences

# UNKNOWN_BELOW, REFER_*, DOUBT_SHARE and FOCUS_BOOST are calibrated on our real-question dev split (eval/),
# see `make eval`, by replaying `decide` on the split's parses. REFER_SHARE: other areas of law hold that share
# of the weight beside labor law -> referred; from 0.42 to 0.45, uncovered labor questions said so went from
# 0.55 to 0.75 (they had been referred), no labor question lost its topic. DOUBT_SHARE: from that share up to
# REFER_SHARE neither side is trusted -> "not sure" (12348, legal aid, a person): other law declined or
# referred 0.883 -> 0.905, at one labor question of 183 (0.585 -> 0.579 top-1).
UNKNOWN_BELOW = 0.22
CLARIFY_MARGIN = 0.08
CLARIFY_BELOW = 0.45
CLARIFY_FLOOR = 0.12
FOLLOW_UP_BELOW = 0.5
ENTITY_BOOST = 0.25
FOCUS_BOOST = 0.15
DECLINE_FROM = 0.2
REFER_SHARE = 0.45
DOUBT_SHARE = 0.36
REFER_MASS = 0.1
SECOND_FROM = 0.25

OUT_OF_SCOPE = "out_of_scope"

Kind = Literal["answer", "clarify", "unknown", "ask_topic_first", "decline", "refer", "ask_rephrase"]
_CHINESE = re.compile(r"[\u3400-\u9fff]")


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
    """What to answer: an entry, a choice between close topics, a referral, or an honest 'not sure'.

    `also` is a second labor entry worth offering: the other problem of a two-problem message,
    or the labor side of a question from another area of law (an accident on the way to work).
    """

    kind: Kind
    entry: Entry | None = None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    area: LawArea | None = None
    also: Entry | None = None

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


def focus_of(text: str, kb: KnowledgeBase) -> set[str]:
    """Topics whose question forms the last sentence uses ("能评几级" -> disability assessment).

    Real questions tell a story and ask at the end; the asking words tell which of the story's
    topics is meant. Only topics the classifier already ranks are lifted.
    """
    asked = sentences(text)[-1]
    return {topic for topic, cues in kb.terms.focus.items() if any(cue in asked for cue in cues)}


def _entity_topics(parse: dict[str, Any], kb: KnowledgeBase) -> set[str]:
    """Topics that named things in the message point to (a programme, a course)."""
    programmes = {p.id: p.topic for p in kb.local.programmes}
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
    asked = focus_of(parse.get("text") or "", kb)
    scored = []
    for ranked in parse.get("topic_ranking") or []:
        topic = ranked["topic"]
        if topic not in kb.topics:
            continue
        entry_id, similarity = best_entry.get(topic, (kb.overview(topic).id, 0.0))
        score = (0.75 * ranked["confidence"] + 0.25 * similarity + (ENTITY_BOOST if topic in hinted else 0.0)
                 + (FOCUS_BOOST if topic in asked else 0.0))
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


def other_areas(parse: dict[str, Any], kb: KnowledgeBase) -> tuple[LawArea | None, float]:
    """The likeliest other area of law, and the share of the weight all other areas hold beside labor law.

    Summed, because a question between family and inheritance law is still not a labor question;
    a share, because long real questions spread their probability thin over many classes. Below
    REFER_MASS in all, the share counts as none.
    """
    mass = parse.get("topic_mass") or {}
    areas = {area: p for label, p in mass.items() if (area := area_of(label)) in kb.law_areas}
    total = sum(areas.values())
    if total < REFER_MASS:
        return None, 0.0
    return kb.law_areas[max(areas, key=areas.__getitem__)], total / (total + mass.get("labor", 0.0))


def unreadable(text: str) -> bool:
    """Something was typed, but no Chinese: markup, a link, English words, stray keys.

    The models read Chinese; on such a message their guess is noise ("<b></b>" came out as a
    consumer dispute). A clear topic may still be answered ("N+1"), but nothing is referred,
    declined or admitted unknown on that guess: the worker is asked to say it again.
    """
    return bool(text.strip()) and not _CHINESE.search(text)


def decide(parse: dict[str, Any], context: Context, kb: KnowledgeBase) -> Decision:
    """Pick the answer for a knowledge question or a follow-up."""
    decision = _decide(parse, context, kb)
    if decision.kind in ("refer", "decline", "unknown") and unreadable(parse.get("text") or ""):
        return Decision("ask_rephrase", None, decision.candidates)
    return decision


def _decide(parse: dict[str, Any], context: Context, kb: KnowledgeBase) -> Decision:
    """The decision on what the models read (a tapped button first, then the topic ranking)."""
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

    # From DOUBT_SHARE to REFER_SHARE neither a labor answer nor a referral is trusted: such a question is
    # often a labor question the topics do not cover, or one between two areas (a loan from the boss).
    area, share = other_areas(parse, kb)
    if area is not None and share >= REFER_SHARE:
        angle = [c for c in ranked if c.topic in area.labor_angle(text)]
        return Decision("refer", None, tuple(ranked), area=area,
                        also=kb.entries[angle[0].entry] if angle else None)
    if outside_knowledge(parse) or (intent == OUT_OF_SCOPE and (top is None or top.score < CLARIFY_BELOW)):
        return Decision("decline", None, tuple(ranked))
    if top is None or top.score < UNKNOWN_BELOW or share >= DOUBT_SHARE:
        return Decision("unknown", None, tuple(ranked))
    if (len(ranked) > 1 and top.score < CLARIFY_BELOW and ranked[1].score >= CLARIFY_FLOOR
            and top.score - ranked[1].score < CLARIFY_MARGIN):
        return Decision("clarify", None, tuple(ranked[:2]))
    second = next((c for c in ranked[1:] if c.score >= SECOND_FROM
                   and kb.topics[c.topic].group != kb.topics[top.topic].group), None)
    return Decision("answer", entry_in_topic(top.topic, parse, kb, aspect), tuple(ranked),
                    also=kb.entries[second.entry] if second else None)


def cited(entry: Entry) -> list[tuple[str, int]]:
    """The (law, article) pairs an entry cites, each once, in the entry's order."""
    return list(dict.fromkeys((c.law, c.article) for c in entry.citations))


def citation_line(entry: Entry, kb: KnowledgeBase) -> str:
    """《Statute title》第X条 for each cited article, in the order the entry gives them."""
    return "；".join(f"《{kb.statutes[law].title}》{article_label(article)}" for law, article in cited(entry))


def buttons(entry: Entry, kb: KnowledgeBase) -> list[dict[str, str]]:
    """The next-step buttons under an answer (a person is always offered)."""
    return [*kb.buttons.get(entry.next_step, []), *kb.buttons.get("always", [])]


def entry_button(entry: Entry, title: str) -> dict[str, str]:
    """A button whose payload names the entry, so a tap answers it at once."""
    return {"title": title, "payload": f'/ask_knowledge{{"topic": "{entry.topic}", "entry": "{entry.id}"}}'}


def clarify_buttons(decision: Decision, kb: KnowledgeBase) -> list[dict[str, str]]:
    """One button per close topic."""
    return [entry_button(kb.entries[c.entry], kb.topics[c.topic].title) for c in decision.candidates]
