"""`python -m bot kb import DIR`: bring in a union's own knowledge files, all or nothing.

The union's files (entries/*.yml, local/*.yml, terms.yml, next_steps.yml) are laid over a
copy of knowledge/ and the whole is checked; only a base that passes every check replaces
the current files, so a typo never takes the assistant down.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bot.kb.knowledge import KnowledgeError, load

IMPORTABLE = ("entries/*.yml", "local/*.yml", "terms.yml", "next_steps.yml", "legal_aid.yml")


def importable_files(source: Path) -> list[Path]:
    """The files under `source` that import may bring in, relative to it."""
    return sorted({path.relative_to(source) for pattern in IMPORTABLE for path in source.glob(pattern)})


def import_knowledge(source: Path, knowledge_dir: Path) -> list[Path]:
    """Check the union's files together with the rest, then copy them in; return what was copied."""
    files = importable_files(source)
    if not files:
        raise KnowledgeError([f"{source}: no entries/*.yml, local/*.yml, terms.yml or next_steps.yml found"])
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / "knowledge"
        shutil.copytree(knowledge_dir, candidate)
        for relative in files:
            shutil.copyfile(source / relative, candidate / relative)
        load(candidate)
    for relative in files:
        (knowledge_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, knowledge_dir / relative)
    return files
