"""The chat page's conversation tokens: the id and an HMAC tag only the server can make.

Rasa's socket.io channel hands them out (bot/channels/chat_sessions.py) and the web server's live
status line checks them (bot/web/chat_live.py): whoever holds a token is that conversation's page.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

TAG_CHARS = 32


def sign(conversation_id: str, secret: str) -> str:
    """The session token the page keeps: the id and its tag."""
    tag = hmac.new(secret.encode(), conversation_id.encode(), hashlib.sha256).hexdigest()[:TAG_CHARS]
    return f"{conversation_id}.{tag}"


def verified(token: Any, secret: str) -> str | None:
    """The conversation id inside a token this server signed, else None."""
    if not isinstance(token, str) or "." not in token:
        return None
    conversation_id = token.rsplit(".", 1)[0]
    return conversation_id if hmac.compare_digest(sign(conversation_id, secret), token) else None
