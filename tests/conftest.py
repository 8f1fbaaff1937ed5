"""Shared fixtures: the knowledge base, the trained bot in-process, and the running servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, load
from bot.settings import ROOT, Settings

MODEL = ROOT / "models" / "current.tar.gz"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load(ROOT / "knowledge")


@pytest.fixture(scope="session")
def offline_bot():  # noqa: ANN201
    from bot.offline import OfflineBot

    assert MODEL.exists(), "no trained model: run `make train` (make test does it for you)"
    return OfflineBot.load(MODEL)


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Ports away from the defaults, so tests run beside a `make run`."""
    return Settings(knowledge_dir=ROOT / "knowledge", models_dir=ROOT / "models", host="127.0.0.1",
                    rasa_port=15005, action_port=15055, web_port=18000, rasa_token="test-token")


@pytest.fixture(scope="session")
def servers(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The whole system as `make run` starts it, with a fresh SQLite tracker store."""
    from bot import launcher

    os.environ["ZGFW_TRACKER_DB"] = str(tmp_path_factory.mktemp("tracker") / "tracker.db")
    children = launcher.start(test_settings)
    try:
        yield test_settings
    finally:
        launcher.stop(children)


def write_knowledge_copy(tmp: Path) -> Path:
    """A copy of knowledge/ that a test may break."""
    import shutil

    target = tmp / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


def make_parse(kb: KnowledgeBase, intent: str, ranking: list[tuple[str, float]], text: str = "",
               entities: tuple = ()) -> dict:
    """An NLU result as the TopicRanker writes it, with each topic's overview as its best entry."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": list(entities),
        "topic_ranking": [{"topic": t, "confidence": c} for t, c in ranking],
        "entry_ranking": [{"entry": kb.overview(t).id, "topic": t, "score": c} for t, c in ranking if t in kb.topics],
    }
