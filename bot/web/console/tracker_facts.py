"""What staff read from a conversation's tracker besides the transcript: form answers, guessed topic, answered entry.

The tracker is the one record of the conversation as the bot saw it, read by the console anyway
for the transcript, so nothing here needs a second store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.kb.answering import UNKNOWN_BELOW
from bot.kb.knowledge import NONE, KnowledgeBase
from bot.privacy import mask_phone, mask_text
from bot.store import aid, cases
from bot.store.roles import StaffMember, allowed

# The answers a worker types into the forms (domain.yml `forms`), with their labels and the roles that may read them;
# consent, confirmation and retry slots are the form's own bookkeeping, not answers.
FORM_ANSWERS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "legal_aid_form": (cases.READ_ROLES, {
        "case_dispute": "纠纷类型", "case_employer": "用人单位", "case_facts": "事情经过", "case_amount": "涉及金额",
        "case_since": "开始时间", "case_street": "所在街道", "case_name": "姓名", "case_phone": "手机号"}),
    "aid_form": (aid.READ_ROLES, {
        "aid_union_member": "工会会员", "aid_serious_illness": "本人或家人患重病", "aid_child_in_school": "子女在上学",
        "aid_lost_job": "失业", "aid_income_below_local_standard": "收入低于当地标准",
        "aid_flexible_employment": "灵活就业", "aid_name": "姓名", "aid_phone": "手机号"}),
    "signup_form": ((), {"course_session": "报名场次", "signup_name": "姓名", "signup_phone": "手机号"}),
    "callback_form": ((), {"callback_phone": "回电号码", "callback_note": "留言"}),
}
# Topic groups that say where a worker wants to go (a person, a hotline, a centre), not what their problem is.
NOT_PROBLEMS = frozenset({"service"})
PHONES = frozenset({"case_phone", "aid_phone", "signup_phone", "callback_phone"})
CHOICES = {"yes": "是", "no": "否", "unknown": "不清楚", True: "是", False: "否"}


@dataclass(frozen=True)
class Answer:
    """One form answer as staff read it: phone numbers masked, ID numbers inside text masked."""

    form: str
    slot: str
    label: str
    value: str


@dataclass(frozen=True)
class Guess:
    """What the bot made of the worker's problem: the topic it guessed, and the entry it answered with."""

    topic: str | None  # the topic ranker's first choice for the latest message (None: outside every topic)
    confidence: float | None
    entry: str | None  # the entry whose answer the bot sent last about the problem (`last_entry` slot events)


def form_answers(events: list[dict[str, Any]], *, staff: StaffMember,
                 names: dict[str, dict[str, str]]) -> list[Answer]:
    """The last value the worker gave for each form question, in form order, that this staff member may read.

    `names` turns codes into words: {"case_dispute": {"wage": "欠薪"}, ...}.
    """
    given = last_values(events)
    answers = []
    for form, (roles, labels) in FORM_ANSWERS.items():
        if roles and not allowed(staff, *roles):
            continue
        answers += [Answer(form, slot, label, _shown(slot, given[slot], names.get(slot, {})))
                    for slot, label in labels.items() if slot in given]
    return answers


def last_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Each slot's last non-empty value in the conversation (forms clear theirs once submitted)."""
    given: dict[str, Any] = {}
    for event in events:
        if event.get("event") == "slot" and event.get("value") not in (None, ""):
            given[event.get("name")] = event["value"]
    return given


def guess(tracker: dict[str, Any], kb: KnowledgeBase) -> Guess:
    """The topic of the worker's latest question about their problem, and the entry the bot answered it with.

    The topic is the first of the `topic_ranking` in the parse of the latest worker message whose
    best topic is a real one the bot would act on (not `none`, at least answering.UNKNOWN_BELOW)
    and says what the problem is: "转人工" (a `service` topic) or a name typed into a form does
    not, the question before it does. It is the classifier's own guess, shown even when the bot
    was not sure enough to answer, which is when staff most need it.

    The entry is the latest value of the `last_entry` slot the knowledge action sets with each
    answer it sends (actions/say.py), again passing over `service` topics: so it is an entry the
    worker actually read, a button tap or a follow-up included. The question log (bot.store.asked)
    is not used: it is kept for counting, skips a question when its database is down, and would be
    a second read of what the tracker holds.
    """
    def about_the_problem(topic: str) -> bool:
        return topic != NONE and topic.split(".", 1)[0] not in NOT_PROBLEMS

    best: dict[str, Any] = {}
    entry = None
    for event in reversed(tracker.get("events") or []):
        ranking = (event.get("parse_data") or {}).get("topic_ranking") if event.get("event") == "user" else None
        if not best and ranking and about_the_problem(str(ranking[0].get("topic"))) \
                and ranking[0].get("confidence", 0) >= UNKNOWN_BELOW:
            best = ranking[0]
        answered = kb.entries.get(event.get("value")) if event.get("event") == "slot" and \
            event.get("name") == "last_entry" and isinstance(event.get("value"), str) else None
        if entry is None and answered is not None and about_the_problem(answered.topic):
            entry = answered.id
    return Guess(best.get("topic"), best.get("confidence"), entry)


def _shown(slot: str, value: Any, names: dict[str, str]) -> str:
    if slot in PHONES:
        return mask_phone(str(value))
    if isinstance(value, bool | str) and value in CHOICES:
        return CHOICES[value]
    return mask_text(names.get(str(value), str(value)))
