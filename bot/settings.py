"""Every setting in one place: ZGFW_* variables (and DATABASE_URL), with defaults that run on one machine.

Each process reads the same variables, and the launcher passes its own settings on to the
processes it starts (`Settings.environment`), so a default is written here once and nowhere else.
Secrets nobody set are made once into build/ and kept: a restart must not cut off workers whose
chat pages are open, and an action server started on its own must call Rasa with Rasa's token.
"""

from __future__ import annotations

import os
import secrets
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import BaseSettings, Field

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"


@cache
def kept_secret(name: str) -> str:
    """A random secret kept in build/<name> (readable by this user only), made on first use."""
    path = BUILD / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


class TrackerSettings(BaseSettings):
    """Rasa's tracker store (endpoints.yml reads these): SQLite under build/ unless told otherwise."""

    dialect: str = "sqlite"
    host: str = ""
    db: str = str(BUILD / "tracker.db")
    user: str = ""
    password: str = ""

    @property
    def read_only_url(self) -> str:
        """The same database as an SQLAlchemy URL for the web server's look at it (SQLite opens it read only)."""
        if self.dialect == "sqlite":
            return f"sqlite:///file:{quote(self.db)}?mode=ro&uri=true"
        if "://" in self.host:  # Rasa takes a whole URL in the host too
            return self.host
        secret = f":{quote(self.password, safe='')}" if self.password else ""
        login = f"{quote(self.user, safe='')}{secret}@" if self.user else ""
        return f"{self.dialect}://{login}{self.host}/{self.db}"

    class Config:
        """ZGFW_TRACKER_DIALECT, ZGFW_TRACKER_DB, ..."""

        env_prefix = "ZGFW_TRACKER_"


class WeChatSettings(BaseSettings):
    """The Official Account: an empty token leaves the channel off (it refuses every request)."""

    token: str = ""
    appid: str = ""
    secret: str = ""
    aes_key: str = ""
    # plain: never encrypted; compatible: encrypted when WeChat says so; safe: always encrypted.
    mode: Literal["plain", "compatible", "safe"] = "plain"
    api_base: str = "https://api.weixin.qq.com"
    # WeChat waits 5 s for the HTTP reply; a slower answer follows as a service message.
    reply_within: float = 4.5

    class Config:
        """ZGFW_WECHAT_TOKEN, ZGFW_WECHAT_APPID, ..."""

        env_prefix = "ZGFW_WECHAT_"


class Settings(BaseSettings):
    """Where things are and how processes reach each other."""

    knowledge_dir: Path = ROOT / "knowledge"
    models_dir: Path = ROOT / "models"
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8000
    rasa_token: str = Field(default_factory=lambda: kept_secret("rasa.token"))
    # Signs the chat page's conversation ids (bot/channels/chat_sessions.py).
    chat_secret: str = Field(default_factory=lambda: kept_secret("chat.secret"), min_length=16)
    # The REST channel lets whoever reaches Rasa's port speak as any sender id: on for scripts and
    # tests on one machine, off in a deployment (ZGFW_REST_CHANNEL=off), where only the chat page's
    # socket.io and the signed WeChat webhook are public.
    rest_channel: bool = True
    database_url: str = Field(f"sqlite:///{BUILD / 'app.db'}", env="DATABASE_URL")
    tracker: TrackerSettings = Field(default_factory=TrackerSettings)
    # The scaled stack (`make run-scaled`): Redis carries Rasa's locks and socket.io messages between
    # replicas (empty: one process, nothing shared); nginx serves everything on the public port.
    redis_url: str = ""
    replicas: int = Field(2, ge=1)
    public_port: int = 0
    postgres_port: int = 15432
    redis_port: int = 16379
    wechat: WeChatSettings = Field(default_factory=WeChatSettings)

    class Config:
        """ZGFW_HOST, ZGFW_RASA_PORT, ...; read afresh by each load_settings()."""

        env_prefix = "ZGFW_"
        allow_mutation = False

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server's HTTP API and channels."""
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        """Webhook the Rasa server calls for custom actions."""
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def web_url(self) -> str:
        """Where a worker opens the chat page."""
        return f"http://{self.host}:{self.web_port}"

    def environment(self) -> dict[str, str]:
        """These settings as the variables a child process reads them from (and endpoints.yml uses)."""
        env = {"DATABASE_URL": self.database_url, "ZGFW_ACTION_URL": self.action_url}
        groups = {"": self.dict(exclude={"tracker", "wechat", "database_url"}),
                  "TRACKER_": self.tracker.dict(), "WECHAT_": self.wechat.dict()}
        for prefix, values in groups.items():
            env.update({f"ZGFW_{prefix}{name.upper()}": str(value) for name, value in values.items()})
        return env


def load_settings() -> Settings:
    """The settings as the environment has them now (tests and the launcher change it).

    Cached by the variables they come from: building them takes 0.3 ms, and every database unit
    and action of a turn asks for them.
    """
    return _settings_from(tuple(sorted((name, value) for name, value in os.environ.items()
                                       if name.startswith("ZGFW_") or name == "DATABASE_URL")))


@lru_cache(maxsize=16)
def _settings_from(variables: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()
