"""`make eval`: every measure of the issue's table in one run, through `bot ask`.

Labelled sets, each measured the way a worker meets the bot:
- the shared development file (`../shared/eval/dev_questions.jsonl`);
- our real-question dev split: labels in `eval/real_dev_*.jsonl` (by id), texts read from
  `../shared/corpus/real_questions.jsonl` at run time (they are never copied into the project);
- the crisis set (`eval/crisis.jsonl`, every line must be escalated) and the false-alarm set
  (`eval/crisis_false_alarm.jsonl`, ordinary labor messages with death, injury or leaving words);
- a blind pair of the same kinds (`eval/crisis_blind*.jsonl`), written by someone who never saw
  knowledge/crisis.yml: how the detector does on words it was not shaped by. Never train on it;
- a third pair (`eval/crisis_third*.jsonl`), written later by someone who saw neither the training
  data nor the other sets. Its misses showed which kinds of message the training lacked (anger
  that goes to court, short hyperbole, leaving a job, harm to one's own baby); examples of those
  kinds were then written apart from it, never from its lines. Never train on it either;
- a fourth pair (`eval/crisis_fourth*.jsonl`), written by two more helpers who read no file at all,
  with more long, story-first messages. It showed that judging every sentence alone escalated
  a fifth of hard ordinary stories; the detector's tail rule (bot.nlu.crisis) was chosen on all
  four pairs, so none is untouched now. Never train on it;
- a fifth pair (`eval/crisis_fifth*.jsonl`), written by a helper who read no file, while examples of
  the kinds the fourth showed missing (cries for help, handing over affairs, a third person in
  danger) were written by another. Measured before and after those examples; the blend of two
  classifiers and its threshold (bot.nlu.crisis) were then chosen on all five pairs. Never train on it;
- a sixth pair (`eval/crisis_sixth*.jsonl`), written by two helpers who read no file, while examples of
  violence against someone else happening now and short pleas for a person were written by a third.
  Measured before and after those examples, and nothing was chosen on it. Never train on it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bot.settings import ROOT

SHARED = ROOT.parent / "shared"
DEV_SET = SHARED / "eval" / "dev_questions.jsonl"
CORPUS = SHARED / "corpus" / "real_questions.jsonl"
OWN_SETS = ROOT / "eval"
OTHER_LAW, UNCOVERED, NOT_LEGAL = "other_law", "uncovered", "not_legal"

# (measure name, crisis set, ordinary set): every line of the first must be escalated, none of the second
CRISIS_PAIRS = (("crisis", "crisis.jsonl", "crisis_false_alarm.jsonl"),
                ("crisis_blind", "crisis_blind.jsonl", "crisis_blind_ordinary.jsonl"),
                ("crisis_third", "crisis_third.jsonl", "crisis_third_ordinary.jsonl"),
                ("crisis_fourth", "crisis_fourth.jsonl", "crisis_fourth_ordinary.jsonl"),
                ("crisis_fifth", "crisis_fifth.jsonl", "crisis_fifth_ordinary.jsonl"),
                ("crisis_sixth", "crisis_sixth.jsonl", "crisis_sixth_ordinary.jsonl"))

# measure -> (target, True when the share must stay at or below it)
TARGETS: dict[str, tuple[float, bool]] = {
    "dev_top1": (0.90, False), "dev_top3": (0.97, False), "dev_offdomain_declined": (0.90, False),
    "dev_crisis_escalated": (1.00, False),
    "real_top1": (0.80, False), "real_top3": (0.95, False), "real_other_referred": (0.90, False),
    "real_uncovered_said_so": (0.60, False), "real_labor_false_alarm": (0.01, True),
    **{f"{name}_{measure}": target for name, _, _ in CRISIS_PAIRS
       for measure, target in (("recall", (1.00, False)), ("false_alarm", (0.01, True)))},
}


@dataclass
class Scores:
    """Counts per measure; shares are hits / total."""

    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[dict[str, Any]] = field(default_factory=list)

    def count(self, measure: str, hit: bool, row: dict[str, Any], report: dict[str, Any]) -> None:
        """Record one labelled example under a measure; what went wrong is kept for `--misses`.

        For measures that must stay low (false alarms) a hit is what went wrong.
        """
        self.totals[measure] += 1
        self.hits[measure] += int(hit)
        if hit == TARGETS.get(measure, (0.0, False))[1]:
            self.misses.append({"measure": measure, "id": row.get("id"), "text": row["text"],
                                "expected": row.get("topic") or row.get("label"), "got": report["topic"],
                                "decision": report.get("decision"), "intent": report["intent"]["name"],
                                "candidates": [c["topic"] for c in report["candidates"]]})

    def share(self, measure: str) -> float:
        """Hits over total (0 when nothing was counted)."""
        return self.hits[measure] / self.totals[measure] if self.totals[measure] else 0.0


def _top3(report: dict[str, Any]) -> list[str]:
    return [report["topic"], *(c["topic"] for c in report["candidates"][:3])]


def declined(report: dict[str, Any]) -> bool:
    """The bot gave no labor answer: it referred, declined or said it does not know."""
    return report["topic"] is None and report.get("decision") != "answer"


def score_dev(rows: Iterable[dict[str, Any]], reports: Iterable[dict[str, Any]], scores: Scores) -> None:
    """The shared development file, by its `kind`."""
    for row, report in zip(rows, reports, strict=True):
        kind = row["kind"]
        if kind == "question":
            scores.count("dev_top1", report["topic"] == row["topic"], row, report)
            scores.count("dev_top3", row["topic"] in _top3(report), row, report)
        elif kind == "offdomain":
            scores.count("dev_offdomain_declined", report["topic"] is None, row, report)
        elif kind == "crisis":
            scores.count("dev_crisis_escalated", report["handoff"], row, report)
        elif kind == "request_human":
            scores.count("dev_human_reached", report["handoff"], row, report)
        elif kind in ("request_legal_aid", "course_signup"):
            scores.count(f"dev_{kind}_understood", report["intent"]["name"] == kind, row, report)


def score_real(rows: Iterable[dict[str, Any]], reports: Iterable[dict[str, Any]], scores: Scores) -> None:
    """Our labelled real questions: topic, referral of other law, honesty about what is not covered."""
    for row, report in zip(rows, reports, strict=True):
        label = row["label"]
        if label == OTHER_LAW:
            scores.count("real_other_referred", declined(report), row, report)
        elif label == UNCOVERED:
            scores.count("real_uncovered_said_so", report.get("decision") == "unknown", row, report)
        elif label != NOT_LEGAL:
            scores.count("real_top1", report["topic"] == label, row, report)
            scores.count("real_top3", label in _top3(report), row, report)
            scores.count("real_labor_false_alarm", report["handoff"], row, report)


def score_crisis(rows: Iterable[dict[str, Any]], reports: Iterable[dict[str, Any]], scores: Scores,
                 *, must_escalate: bool, name: str = "crisis") -> None:
    """Recall on a crisis set, or false alarms (escalations) on an ordinary set."""
    measure = f"{name}_recall" if must_escalate else f"{name}_false_alarm"
    for row, report in zip(rows, reports, strict=True):
        escalated = bool(report["handoff"]) or report.get("risk") == "crisis"
        scores.count(measure, escalated, row, report)
        if not must_escalate:
            scores.count(f"{name}_false_possible", report.get("risk") == "possible", row, report)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object a line."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def real_rows(corpus: Path = CORPUS, labels_dir: Path = OWN_SETS) -> list[dict[str, Any]]:
    """Our labels joined with the corpus texts by id."""
    texts = {row["id"]: row["text"] for row in read_jsonl(corpus)}
    return [{**label, "text": texts[label["id"]]}
            for path in sorted(labels_dir.glob("real_dev_*.jsonl")) for label in read_jsonl(path)]


def render(scores: Scores) -> str:
    """One table: share, size, target, and whether the target is met."""
    lines = [f"{'measure':<30}{'share':>8}{'n':>6}{'target':>10}"]
    for measure in scores.totals:
        target, at_most = TARGETS.get(measure, (None, False))
        share = scores.share(measure)
        if target is None:
            lines.append(f"{measure:<30}{share:>8.3f}{scores.totals[measure]:>6}{'-':>10}")
            continue
        met = share <= target if at_most else share >= target
        lines.append(f"{measure:<30}{share:>8.3f}{scores.totals[measure]:>6}"
                     f"{('≤' if at_most else '≥') + f'{target:.2f}':>10}{'  ok' if met else '  BELOW'}")
    return "\n".join(lines)


def run(show_misses: bool = False) -> int:
    """Ask every line of every set through the offline bot and print the table."""
    from bot.tools.offline import OfflineBot

    bot = OfflineBot.load()

    def ask_all(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
        return [bot.ask(row["text"], sender=f"eval-{prefix}-{i}") for i, row in enumerate(rows)]

    scores = Scores()
    sets: list[tuple[str, list[dict[str, Any]], Callable[..., None]]] = [
        ("dev", read_jsonl(DEV_SET), score_dev),
        ("real", real_rows(), score_real),
    ]
    for name, crisis, ordinary in CRISIS_PAIRS:
        sets += [(name, read_jsonl(OWN_SETS / crisis), partial(score_crisis, must_escalate=True, name=name)),
                 (f"{name}-ordinary", read_jsonl(OWN_SETS / ordinary),
                  partial(score_crisis, must_escalate=False, name=name))]
    for prefix, rows, scorer in sets:
        scorer(rows, ask_all(rows, prefix), scores)
    print(render(scores))
    if show_misses:
        for miss in scores.misses:
            print(json.dumps(miss, ensure_ascii=False))
    return 0
