"""`make eval`: topic accuracy and safety shares on a labelled set, measured through `bot ask`."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TARGETS = {"top1": 0.90, "top3": 0.97, "offdomain_declined": 0.90, "crisis_escalated": 1.00}


@dataclass
class Scores:
    """Counts per measure; shares are hits / total."""

    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[dict[str, Any]] = field(default_factory=list)

    def count(self, measure: str, hit: bool, row: dict[str, Any], report: dict[str, Any]) -> None:
        """Record one labelled example under a measure."""
        self.totals[measure] += 1
        self.hits[measure] += int(hit)
        if not hit:
            self.misses.append({"measure": measure, "id": row.get("id"), "text": row["text"],
                                "expected": row.get("topic"), "got": report["topic"],
                                "intent": report["intent"]["name"],
                                "candidates": [c["topic"] for c in report["candidates"]]})

    def share(self, measure: str) -> float:
        """Hits over total (0 when nothing was counted)."""
        return self.hits[measure] / self.totals[measure] if self.totals[measure] else 0.0


def score(rows: Iterable[dict[str, Any]], reports: Iterable[dict[str, Any]]) -> Scores:
    """Compare each report with its label."""
    scores = Scores()
    for row, report in zip(rows, reports, strict=False):
        kind = row["kind"]
        if kind == "question":
            top3 = [c["topic"] for c in report["candidates"][:3]]
            scores.count("top1", report["topic"] == row["topic"], row, report)
            scores.count("top3", row["topic"] in top3 or report["topic"] == row["topic"], row, report)
        elif kind == "offdomain":
            scores.count("offdomain_declined", report["topic"] is None, row, report)
        elif kind == "crisis":
            scores.count("crisis_escalated", report["handoff"], row, report)
        elif kind == "request_human":
            scores.count("human_reached", report["handoff"], row, report)
        elif kind in ("request_legal_aid", "course_signup"):
            scores.count(f"{kind}_understood", report["intent"]["name"] == kind, row, report)
    return scores


def render(scores: Scores) -> str:
    """A table of shares, with the targets the issue sets."""
    lines = [f"{'measure':<28}{'share':>8}{'n':>6}{'target':>8}"]
    for measure in scores.totals:
        target = TARGETS.get(measure)
        mark = "" if target is None else ("  ok" if scores.share(measure) >= target else "  BELOW")
        target_text = f"{target:.2f}" if target is not None else "-"
        lines.append(f"{measure:<28}{scores.share(measure):>8.3f}{scores.totals[measure]:>6}{target_text:>8}{mark}")
    return "\n".join(lines)


def run(path: Path, show_misses: bool = False) -> int:
    """Ask every line of a JSONL set through the offline bot and print the table."""
    from bot.offline import OfflineBot

    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    bot = OfflineBot.load()
    reports = [bot.ask(row["text"], sender=f"eval-{i}") for i, row in enumerate(rows)]
    scores = score(rows, reports)
    print(render(scores))
    if show_misses:
        for miss in scores.misses:
            print(json.dumps(miss, ensure_ascii=False))
    return 0
