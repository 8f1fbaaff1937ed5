"""The WeChat channel's shared state in the app database, so any replica can serve any request.

- `first_delivery`: WeChat retries a message (same MsgId) up to three times; only the first counts.
- `TokenStore`: one access token for all replicas, refreshed by one of them at a time.
- menus: the numbered options last sent to a worker, so "2" can mean the second button, for the
  worker's next message only (and not after MENU_FOR): a "2" typed days later is just "2".

Every function here does blocking database work: the channel calls them through a thread.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.store.database import session_scope
from bot.store.models import WeChatState

SEEN_FOR = dt.timedelta(days=1)
TOKEN_MARGIN = dt.timedelta(seconds=120)
MENU_FOR = dt.timedelta(minutes=30)
LOCK_KEY = "token-lock"


def first_delivery(msg_id: str) -> bool:
    """Record a MsgId; False when it was already recorded (a retry of a message being handled).

    MsgIds older than a day (far beyond WeChat's retries) are dropped in the same unit of work.
    """
    try:
        with session_scope() as session:
            session.execute(delete(WeChatState).where(WeChatState.key.like("msg:%"), WeChatState.expires_at < utcnow())
                            .execution_options(synchronize_session=False))
            session.add(WeChatState(key=f"msg:{msg_id}", value="", expires_at=utcnow() + SEEN_FOR))
    except IntegrityError:
        return False
    return True


def save_menu(openid: str, options: list[dict[str, str]]) -> None:
    """The buttons just sent to a worker, by number; a message without buttons forgets older ones."""
    with session_scope() as session:
        if options:
            session.merge(WeChatState(key=f"menu:{openid}", value=json.dumps(options, ensure_ascii=False),
                                      expires_at=utcnow() + MENU_FOR))
        else:
            session.execute(delete(WeChatState).where(WeChatState.key == f"menu:{openid}"))


def take_menu(openid: str) -> list[dict[str, str]]:
    """The buttons of the last answer, used up by the worker's next message (empty when none or too old)."""
    with session_scope() as session:
        row = session.get(WeChatState, f"menu:{openid}")
        if row is None:
            return []
        session.delete(row)
        fresh = row.expires_at is not None and row.expires_at > utcnow()
        return json.loads(row.value) if fresh else []


class TokenStore:
    """The access token of one AppID, fetched once for every replica."""

    def __init__(self, appid: str) -> None:
        """Tokens are kept per AppID."""
        self.key = f"token:{appid}"

    def current(self) -> str | None:
        """The stored token if it is still good for a while."""
        with session_scope() as session:
            row = session.get(WeChatState, self.key)
            if row and row.expires_at and row.expires_at - TOKEN_MARGIN > utcnow():
                return row.value
        return None

    def refresh(self, fetch: Callable[[], tuple[str, int]], *, stale: str | None = None) -> str:
        """Fetch a new token unless another replica did while we waited for the lock.

        `stale` is a token WeChat just rejected: it must not be handed out again.
        """
        with session_scope() as session:
            # The first statement is a write to the lock row (made by the migration): refreshers queue here.
            session.execute(update(WeChatState).where(WeChatState.key == LOCK_KEY).values(value=self.key))
            row = session.get(WeChatState, self.key)
            if row and row.value != stale and row.expires_at and row.expires_at - TOKEN_MARGIN > utcnow():
                return row.value
            token, expires_in = fetch()
            session.merge(WeChatState(key=self.key, value=token,
                                      expires_at=utcnow() + dt.timedelta(seconds=expires_in)))
            return token
