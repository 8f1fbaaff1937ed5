"""The WeChat service API client: a configurable API base, timeouts, one token for every replica."""

from __future__ import annotations

import logging
from typing import Any

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.channels.wechat import state

log = logging.getLogger(__name__)

API_TIMEOUT_S = 10  # every call to WeChat, the token fetch included


class ServiceClient(WeChatClient):
    """wechatpy's client with a configurable API base and the token shared by every replica."""

    def __init__(self, appid: str, secret: str, api_base: str) -> None:
        """Point the client at WeChat (or a stand-in) and at the shared token store."""
        super().__init__(appid, secret, timeout=API_TIMEOUT_S)
        self.API_BASE_URL = f"{api_base.rstrip('/')}/cgi-bin/"
        self.tokens = state.TokenStore(appid)

    @property
    def access_token(self) -> str:
        """The shared token, refreshed (by one replica) when it is about to expire."""
        return self.tokens.current() or self.tokens.refresh(self._fetch)

    def fetch_access_token(self) -> dict[str, Any]:
        """Called by wechatpy when WeChat rejects the token: replace it, once, for everyone."""
        rejected = self.session.get(self.access_token_key)
        token = self.tokens.refresh(self._fetch, stale=rejected or self.tokens.current())
        self.session.set(self.access_token_key, token)
        return {"access_token": token}

    def _fetch(self) -> tuple[str, int]:
        """A new token from WeChat, within API_TIMEOUT_S: the caller holds the shared lock row meanwhile."""
        response = self._http.get(f"{self.API_BASE_URL}token", timeout=API_TIMEOUT_S, params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        result = self._handle_result(response)
        if "access_token" not in result:
            raise WeChatClientException(result.get("errcode"), result.get("errmsg"), client=self)
        log.info("wechat access token fetched")
        return result["access_token"], int(result.get("expires_in", 7200))

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """Every call carries the shared token (wechatpy's own retry swaps it after a refresh)."""
        kwargs.setdefault("params", {}).setdefault("access_token", self.access_token)
        return super()._request(method, url_or_endpoint, **kwargs)
