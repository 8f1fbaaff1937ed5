"""Our labelled sets: labels that point at real corpus lines, and none of the corpus's words in the project."""

from pathlib import Path

import pytest

from bot.settings import ROOT
from bot.text import normalize
from bot.tools.evaluation import CORPUS, NOT_LEGAL, OTHER_LAW, UNCOVERED, read_jsonl, real_rows

AREAS = {"family", "traffic", "criminal", "housing", "debt", "consumer", "medical", "inheritance",
         "administrative", "company", "tort", "contract", "ip", "other"}
SHINGLE = 16  # characters in a row that no writer of ours would share with a stranger by chance
PROJECT_TEXT = ("knowledge", "data", "tests", "eval", "bot", "actions")

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside this checkout")


def test_every_label_names_a_corpus_line_and_a_known_label(kb):
    rows = real_rows()
    assert len({row["id"] for row in rows}) == len(rows) >= 660
    for row in rows:
        assert row["label"] in {*kb.topics, OTHER_LAW, UNCOVERED, NOT_LEGAL}, row["id"]
        assert (row.get("area") in AREAS) == (row["label"] == OTHER_LAW), row["id"]
        assert row.get("second") in (None, *kb.topics), row["id"]


def test_label_files_hold_ids_not_texts():
    for path in (ROOT / "eval").glob("real_dev_*.jsonl"):
        for line in read_jsonl(path):
            assert "text" not in line


def _shingles(text: str) -> set[str]:
    text = normalize(text).replace(" ", "")
    return {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def test_no_corpus_sentence_is_copied_into_the_project():
    ours: set[str] = set()
    for folder in PROJECT_TEXT:
        for path in Path(ROOT / folder).rglob("*"):
            if path.suffix in {".yml", ".yaml", ".py", ".jsonl", ".md"}:
                ours |= _shingles(path.read_text("utf-8"))
    # Statute words are everyone's: a question that quotes a law shares them with our citations.
    statutes = set().union(*(_shingles(path.read_text("utf-8")) for path in (ROOT / "knowledge" / "laws").glob("*.md")))
    copied = [row["id"] for row in read_jsonl(CORPUS) if (_shingles(row["text"]) - statutes) & ours]
    assert copied == []
