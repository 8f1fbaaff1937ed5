"""The sample deployment's work-order terms (knowledge/local), for tests that open requests directly."""

from bot.kb.knowledge import load_cached
from bot.settings import ROOT
from bot.store.orders import Terms


def terms() -> Terms:
    """Tier rules and calendar of the sample deployment (the knowledge base is loaded once per process)."""
    return Terms.of(load_cached(str(ROOT / "knowledge")).local)
