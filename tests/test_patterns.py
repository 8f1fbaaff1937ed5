"""The NLU regexes (data/nlu): what they find, and no catastrophic backtracking on long input.

Rasa runs these on every message, on the event loop. A repeat inside a repeat ("(\\d+|…)+") backtracks
exponentially when a long run of digits has no unit after it: one card number froze the server.
"""

import re
import sre_constants
import sre_parse
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.settings import ROOT

REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)


def patterns() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(Path(ROOT / "data").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu", []):
            if "regex" in block:
                lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
                found.setdefault(block["regex"], []).extend(lines)
    return found


def _unbounded_repeat_inside(items, inside: bool = False) -> bool:  # noqa: ANN001 - sre_parse's parsed items
    for op, av in items:
        if op in REPEATS:
            low, high, body = av
            unbounded = high == sre_constants.MAXREPEAT
            if unbounded and inside:
                return True
            if _unbounded_repeat_inside(body, inside or unbounded):
                return True
        elif op == sre_constants.SUBPATTERN:
            if _unbounded_repeat_inside(av[-1], inside):
                return True
        elif op == sre_constants.BRANCH:
            if any(_unbounded_repeat_inside(branch, inside) for branch in av[1]):
                return True
    return False


def test_no_pattern_repeats_a_repeat():
    found = patterns()
    assert {"phone", "money", "duration", "date", "article"} <= set(found)
    nested = [p for ps in found.values() for p in ps if _unbounded_repeat_inside(sre_parse.parse(p))]
    assert nested == []
    assert _unbounded_repeat_inside(sre_parse.parse(r"(\d+|[一二])+年"))  # the check sees the old pattern


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("duration", "欠了我三个月工资", ["三个月"]),
    ("duration", "干了2年半，又做了十五天", ["2年", "十五天"]),
    ("duration", "一天干12 小时", ["一天", "12 小时"]),
    ("duration", "二十二个月没发", ["二十二个月"]),
    ("money", "每月3500元，押金 2 万 元，还差五百块", ["3500元", "2 万 元", "万 元", "五百块"]),
    ("money", "扣了1.5千块钱", ["1.5千块钱", "千块钱"]),  # each pattern finds its own; Rasa keeps both
    ("money", "两万五千块", ["两万五千块"]),
    ("phone", "打13812345678或者138123456789", ["13812345678"]),
])
def test_patterns_find_what_workers_write(name, text, expected):
    found = [m.group(0) for p in patterns()[name] for m in re.finditer(p, text, re.IGNORECASE)]
    assert found == expected


ADVERSARIAL = """
import re, sys, yaml
from tests.test_patterns import patterns
texts = ["1" * 5000 + "x", "二" * 5000 + "x", "1" + " " * 5000 + "x", "1万" + " " * 5000 + "x",
         "2026年" + " " * 5000 + "x", "第" + " " * 5000 + "x"]
for name, ps in patterns().items():
    for p in ps:
        for text in texts:
            list(re.finditer(p, text, re.IGNORECASE))
print("ok")
"""


def test_long_runs_without_a_match_end():
    """Each pattern over 5,000-character runs that never match. Linear patterns take milliseconds;
    the timeout only stops a hang (an exponential pattern would run for hours)."""
    done = subprocess.run([sys.executable, "-c", ADVERSARIAL], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
