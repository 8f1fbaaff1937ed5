"""Replies the custom actions send, read from knowledge/replies.yml so staff can reword them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Every reply the actions use; `kb check` fails if replies.yml lacks one.
REQUIRED = ("kb_answer", "kb_answer_plain", "clarify", "unknown", "ask_topic_first", "article",
            "article_not_found", "ask_rephrase", "offer_human", "centre", "hotlines", "hotline_line")


@dataclass(frozen=True)
class Reply:
    """A message template and the buttons under it."""

    text: str
    buttons: tuple[dict[str, str], ...] = ()

    def render(self, **values: Any) -> dict[str, Any]:
        """Text with `{name}` filled in, as keyword arguments for `dispatcher.utter_message`."""
        return {"text": self.text.format(**values), "buttons": [dict(b) for b in self.buttons]}


def parse_replies(raw: dict[str, Any]) -> dict[str, Reply]:
    """Replies by name from the YAML mapping."""
    return {name: Reply(spec["text"], tuple(spec.get("buttons") or ())) for name, spec in raw.items()}
