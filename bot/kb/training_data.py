"""Training inputs generated from knowledge/: the jieba dictionary and `ask_knowledge` examples.

They are written to build/ at training time (never committed), so a new entry or term a
union adds reaches the tokenizer and DIET with the next `make train`.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.kb.knowledge import KnowledgeBase
from bot.kb.vocabulary import dictionary

ASK_KNOWLEDGE = "ask_knowledge"
_ANNOTATION = str.maketrans({"[": "", "]": "", "{": "", "}": "", "\n": " "})


def userdict_text(kb: KnowledgeBase) -> str:
    """Jieba user dictionary: one word a line (jieba picks a frequency that keeps it whole)."""
    return "".join(f"{word}\n" for word in dictionary(kb) if " " not in word)


def handwritten_examples(data_dir: Path) -> set[str]:
    """Every example already in data/nlu: those keep their hand-given intent ("转人工")."""
    examples = set()
    for path in data_dir.glob("nlu/*.yml"):
        for item in yaml.safe_load(path.read_text("utf-8")).get("nlu") or []:
            examples.update(line[2:].strip() for line in str(item.get("examples", "")).splitlines()
                            if line.startswith("- "))
    return examples


# Topic groups whose worker-style examples read like requests for the service itself ("帮我报那个
# 家政培训", "给我安排个律师"): DIET must learn those as request intents, so it does not see them.
SERVICE_GROUPS = ("legalaid", "course", "service")


def knowledge_questions(kb: KnowledgeBase) -> list[str]:
    """Every way of asking the knowledge base something, as DIET learns `ask_knowledge`.

    Entry questions, worker-style examples (but those of SERVICE_GROUPS), and questions from other
    areas of law (asked as questions too; the answer is a referral).
    """
    texts = [text for entry in kb.entries.values() for text in (entry.title, *entry.questions)]
    texts += [text for topic, examples in kb.examples.items() if kb.topics[topic].group not in SERVICE_GROUPS
              for text in examples]
    texts += [text for area in kb.law_areas.values() for text in area.examples]
    return texts


def nlu_text(kb: KnowledgeBase, exclude: set[str]) -> str:
    """Rasa NLU YAML with every knowledge question as an `ask_knowledge` example."""
    examples = dict.fromkeys(text.translate(_ANNOTATION).strip() for text in knowledge_questions(kb))
    lines = "".join(f"      - {text}\n" for text in examples if text and text not in exclude)
    return f'version: "3.1"\nnlu:\n  - intent: {ASK_KNOWLEDGE}\n    examples: |\n{lines}'


def write(kb: KnowledgeBase, build_dir: Path, data_dir: Path) -> list[Path]:
    """Write both files under build_dir; return their paths."""
    userdict = build_dir / "jieba" / "userdict.txt"
    nlu = build_dir / "data" / "nlu" / "knowledge.yml"
    for path, text in ((userdict, userdict_text(kb)), (nlu, nlu_text(kb, handwritten_examples(data_dir)))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [userdict, nlu]
