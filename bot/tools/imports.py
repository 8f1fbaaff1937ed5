"""Which of our modules import which: the layout rules' test and the model's code inputs read it here."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.settings import ROOT

OURS = ("bot", "actions")


def module_name(path: Path) -> str:
    """bot/kb/knowledge.py -> bot.kb.knowledge; a package's __init__ is the package."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def module_path(name: str) -> Path | None:
    """Where a module of ours lives, or None for an attribute (`from bot.kb import local` names a module)."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def imported_by(path: Path) -> set[str]:
    """Our modules a file imports, at any depth in the file (imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.split(".")[0] in OURS and module_path(name))
    return found


def closure(folders: list[Path]) -> list[Path]:
    """Every file in the folders and every module of ours they import, followed through, sorted."""
    todo = [path for folder in folders for path in folder.rglob("*.py")]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo += [module_path(name) for name in imported_by(path)]
        parent = path.parent / "__init__.py"  # importing bot.kb.x runs bot/kb/__init__.py (and bot/__init__.py)
        while parent.exists():
            todo.append(parent)
            parent = parent.parent.parent / "__init__.py"
    return sorted(seen)


def model_code() -> list[Path]:
    """The code a trained model runs: the pipeline's components and every module of ours they import.

    config.yml names only bot.nlu components. The answer decision (bot/kb/answering.py) and the
    training data writer are not in it: they run beside the model, and what the writer wrote is
    itself a training input.
    """
    return closure([ROOT / "bot" / "nlu"])
