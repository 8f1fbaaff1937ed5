"""Fixtures every action test shares."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def scratch_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers write the question log: without a database of their own, tests would write to build/app.db.

    Tests that read what actions stored ask for `use_database`, which points elsewhere after this.
    """
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
