"""What the assistant could not answer: the question log's misses, grouped for knowledge editors.

A question of the period is selected (in SQL) when, by what the log holds:

- the assistant did not answer it: `decline` (outside every topic), `unknown` (the fallback, 没有把握)
  or `ask_topic_first` (a follow-up with no topic to follow);
- it answered with a score below `answering.CLARIFY_BELOW`, the score under which `decide()` would
  rather ask which topic was meant if a second were close, unless the question stayed in the topic
  of the conversation's previous question (a follow-up `decide()` answers from context, where a low
  score says the words were short, not that knowledge was missing). Button taps carry no score;
- it asked the worker to pick one of two close topics (`clarify`) and the worker did not pick: the
  conversation's next logged question, within REACTION_WINDOW, was not an answer to a button
  payload (`/ask_knowledge{...}`, the text `clarify_buttons` sends) nor an answer on the topic
  offered first (the log keeps only that one);
- the conversation asked for a person within REACTION_WINDOW after it, before asking anything else
  (a handoff row of the same conversation). Crisis handoffs are left out: the crisis detector starts
  them for the worker's safety, whatever the knowledge base holds.

`refer` is left out: another area of law, correctly referred, is not a gap in this knowledge base.
The rows are few, so they are grouped by similarity in Python (bot.store.similar).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.kb.answering import CLARIFY_BELOW
from bot.kb.knowledge import KnowledgeBase
from bot.privacy import mask_text
from bot.store.models import PRIORITY_OF, Asked, Handoff, QuestionReview, Staff
from bot.store.period import Period, seconds_between
from bot.store.roles import StaffMember, require_role
from bot.store.similar import groups_of

# A worker's reaction to a reply (tapping an offered topic, asking for a person) comes within minutes;
# later it is a new question, not a verdict on this one.
REACTION_WINDOW = dt.timedelta(minutes=10)
NOT_ANSWERED = ("decline", "unknown", "ask_topic_first", "ask_rephrase")
REASONS = ("not_answered", "low_confidence", "not_picked", "handoff")
VERDICTS = ("covered", "new_entry")
EXAMPLES = 3
# Grouping is quadratic in the rows: a page shows at most this many questions, the newest.
LIMIT = 2000


class UnknownEntry(ValueError):
    """A verdict named an entry the knowledge base does not have."""


@dataclass(frozen=True)
class Review:
    """Who marked a group, how and when."""

    verdict: str  # covered | new_entry
    entry_id: str | None
    staff: str
    at: dt.datetime


@dataclass(frozen=True)
class Question:
    """One selected question, its text masked again, and why it was selected."""

    id: int
    at: dt.datetime
    topic: str | None
    text: str
    reasons: tuple[str, ...]
    group_key: int | None
    review: Review | None


@dataclass(frozen=True)
class Group:
    """Questions that say the same thing: a count, examples, the topic the assistant guessed most."""

    key: int  # the id of its earliest question: marks name the group by it
    ids: tuple[int, ...]
    texts: tuple[str, ...]  # each distinct text once, the most asked first
    topic: str | None
    reasons: tuple[tuple[str, int], ...]
    last_at: dt.datetime
    review: Review | None = None

    @property
    def count(self) -> int:
        """How many questions the group holds."""
        return len(self.ids)

    @property
    def examples(self) -> tuple[str, ...]:
        """The texts shown on the page."""
        return self.texts[:EXAMPLES]


@dataclass(frozen=True)
class Unanswered:
    """The page's content: groups still to review, groups already marked, and whether rows were cut."""

    open: list[Group]
    marked: list[Group]
    capped: bool


def questions(session: Session, *, period: Period) -> tuple[list[Question], bool]:
    """The selected questions of the period, newest first, at most LIMIT; and whether there were more."""
    dialect = session.get_bind().dialect.name
    window = {"partition_by": Asked.conversation_id, "order_by": (Asked.at, Asked.id)}
    q = (select(Asked.id, Asked.conversation_id, Asked.at, Asked.outcome, Asked.topic, Asked.confidence, Asked.text,
                func.lag(Asked.topic).over(**window).label("previous_topic"),
                func.lead(Asked.at).over(**window).label("next_at"),
                func.lead(Asked.outcome).over(**window).label("next_outcome"),
                func.lead(Asked.topic).over(**window).label("next_topic"),
                func.lead(Asked.text).over(**window).label("next_text"))
         .where(Asked.at >= period.start - REACTION_WINDOW, Asked.at < period.end + REACTION_WINDOW).subquery())
    reacted_late = seconds_between(q.c.at, q.c.next_at, dialect) > REACTION_WINDOW.total_seconds()
    reasons = {
        "not_answered": q.c.outcome.in_(NOT_ANSWERED),
        "low_confidence": and_(q.c.outcome == "answer", q.c.confidence < CLARIFY_BELOW,
                               or_(q.c.previous_topic.is_(None), q.c.previous_topic != q.c.topic)),
        "not_picked": and_(q.c.outcome == "clarify", or_(
            q.c.next_at.is_(None), q.c.next_outcome != "answer", reacted_late,
            and_(not_(q.c.next_text.like("/%")), or_(q.c.next_topic.is_(None), q.c.next_topic != q.c.topic)))),
        "handoff": exists().where(
            Handoff.conversation_id == q.c.conversation_id, Handoff.reason.notin_(tuple(PRIORITY_OF)),
            Handoff.created_at >= q.c.at,
            seconds_between(q.c.at, Handoff.created_at, dialect) <= REACTION_WINDOW.total_seconds(),
            or_(q.c.next_at.is_(None), q.c.next_at > Handoff.created_at)),
    }
    query = (select(q.c.id, q.c.at, q.c.topic, q.c.text,
                    *(case((condition, 1), else_=0).label(name) for name, condition in reasons.items()),
                    QuestionReview.group_key, QuestionReview.verdict, QuestionReview.entry_id,
                    Staff.display_name, QuestionReview.at.label("marked_at"))
             .outerjoin(QuestionReview, QuestionReview.asked_id == q.c.id)
             .outerjoin(Staff, Staff.id == QuestionReview.staff_id)
             .where(q.c.at >= period.start, q.c.at < period.end, q.c.outcome != "refer", or_(*reasons.values()))
             .order_by(q.c.at.desc(), q.c.id.desc()).limit(LIMIT + 1))
    rows = session.execute(query).all()
    return [Question(row.id, row.at, row.topic, mask_text(row.text), tuple(r for r in REASONS if getattr(row, r)),
                     row.group_key,
                     Review(row.verdict, row.entry_id, row.display_name, row.marked_at) if row.verdict else None)
            for row in rows[:LIMIT]], len(rows) > LIMIT


def unanswered(session: Session, *, period: Period, background: Sequence[str] = ()) -> Unanswered:
    """The period's misses: unmarked ones grouped by similarity, marked ones as they were marked.

    `background` is text whose characters are common in workers' questions (the knowledge base's
    questions), so that grouping weighs the rarer words that name a topic.
    """
    found, capped = questions(session, period=period)
    waiting = [question for question in found if question.review is None]
    marked: dict[int, list[Question]] = {}
    for question in found:
        if question.review is not None:
            marked.setdefault(question.group_key, []).append(question)
    open_groups = [_group([waiting[i] for i in indexes])
                   for indexes in groups_of([question.text for question in waiting], background)]
    marked_groups = [_group(members, review=max((m.review for m in members), key=lambda r: r.at))
                     for members in marked.values()]
    open_groups.sort(key=lambda group: (-group.count, -group.last_at.timestamp()))
    marked_groups.sort(key=lambda group: -group.review.at.timestamp())
    return Unanswered(open_groups, marked_groups, capped)


def mark(session: Session, *, staff: StaffMember, ids: Sequence[int], verdict: str, entry_id: str | None,
         kb: KnowledgeBase) -> int:
    """Record an editor's verdict on every question of a group (a new verdict replaces an old one).

    Admins only: the knowledge base is theirs to change. Returns how many questions were marked.

    Raises:
        UnknownEntry: "covered" names no entry of the knowledge base.
        ValueError: an unknown verdict, or none of the ids is a logged question.
    """
    require_role(staff, "admin")
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    if verdict == "covered" and entry_id not in kb.entries:
        raise UnknownEntry(entry_id or "")
    found = session.execute(select(Asked.id).where(Asked.id.in_(list(ids)))).scalars().all()
    if not found:
        raise ValueError("no such questions")
    session.execute(delete(QuestionReview).where(QuestionReview.asked_id.in_(found)))
    now, key = utcnow(), min(found)
    session.add_all([QuestionReview(asked_id=asked_id, group_key=key, verdict=verdict,
                                    entry_id=entry_id if verdict == "covered" else None, staff_id=staff.id, at=now)
                     for asked_id in found])
    return len(found)


def unmark(session: Session, *, staff: StaffMember, ids: Sequence[int]) -> int:
    """Take the verdicts off these questions (a slip of the hand), so they are grouped with the rest again."""
    require_role(staff, "admin")
    return session.execute(delete(QuestionReview).where(QuestionReview.asked_id.in_(list(ids)))).rowcount


def _group(members: list[Question], review: Review | None = None) -> Group:
    texts = Counter(member.text for member in members)
    first_seen = {member.text: member.id for member in sorted(members, key=lambda m: m.id)}
    topics = Counter(member.topic for member in members if member.topic)
    reasons = Counter(reason for member in members for reason in member.reasons)
    return Group(key=min(member.id for member in members), ids=tuple(sorted(member.id for member in members)),
                 texts=tuple(sorted(texts, key=lambda text: (-texts[text], first_seen[text]))),
                 topic=topics.most_common(1)[0][0] if topics else None,
                 reasons=tuple((reason, reasons[reason]) for reason in REASONS if reasons[reason]),
                 last_at=max(member.at for member in members), review=review)
