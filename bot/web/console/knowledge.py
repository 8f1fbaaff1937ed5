"""Knowledge entries staff look up from a conversation, to send an answer the bot knows (发送知识条目).

A plain search over titles and questions is enough for staff, who type a few words of the topic;
it does not use the bot's classifier (bot/nlu), so it never depends on the trained model.
"""

from __future__ import annotations

import re

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.kb.knowledge import Entry, KnowledgeBase
from bot.web.console.auth import staff_only
from bot.web.console.context import entry_json
from bot.web.console.pages import knowledge_of

blueprint = Blueprint("console_knowledge", url_prefix="/console")
RESULTS = 8
_NOT_WORDS = re.compile(r"[\s\W_]+")


def search(kb: KnowledgeBase, query: str, *, limit: int = RESULTS) -> list[Entry]:
    """Entries whose title or questions hold the words typed, best first.

    An entry scores by the share of the query's character pairs found in its title and questions
    (Chinese has no spaces to split on), with a bonus when the title holds the whole query; at least
    half the pairs must be found, so one common character does not list everything.
    """
    wanted = _NOT_WORDS.sub("", query.lower())
    if not wanted:
        return []
    pairs = {wanted[i:i + 2] for i in range(len(wanted) - 1)} or {wanted}
    scored = []
    for entry in kb.entries.values():
        title = _NOT_WORDS.sub("", entry.title.lower())
        text = title + "|" + "|".join(_NOT_WORDS.sub("", q.lower()) for q in entry.questions)
        share = sum(pair in text for pair in pairs) / len(pairs)
        if share >= 0.5:
            scored.append((share + (1 if wanted in title else 0), entry))
    scored.sort(key=lambda pair: -pair[0])
    return [entry for _, entry in scored[:limit]]


@blueprint.get("/api/knowledge")
@staff_only(api=True)
async def knowledge_api(request: Request) -> HTTPResponse:
    """Entries matching ?q=, each with the text to put in the reply box (its answer and citation line)."""
    kb = knowledge_of(request)
    query = request.args.get("q", "")[:50]
    return json({"entries": [entry_json(entry, kb) for entry in search(kb, query)]})
