"""Settings read from the environment, with embedded defaults that run on one machine."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where things are and how processes reach each other."""

    knowledge_dir: Path
    models_dir: Path
    host: str
    rasa_port: int
    action_port: int
    web_port: int
    rasa_token: str
    # The REST channel lets whoever reaches Rasa's port speak as any sender id: on for scripts and
    # tests on one machine, off in a deployment (ZGFW_REST_CHANNEL=off), where only the chat page's
    # socket.io and the signed WeChat webhook are public.
    rest_channel: bool = True

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


def load_settings() -> Settings:
    """Read ZGFW_* variables; a missing token gets a fresh random one for this run."""
    env = os.environ
    return Settings(
        knowledge_dir=Path(env.get("ZGFW_KNOWLEDGE_DIR", ROOT / "knowledge")),
        models_dir=Path(env.get("ZGFW_MODELS_DIR", ROOT / "models")),
        host=env.get("ZGFW_HOST", "127.0.0.1"),
        rasa_port=int(env.get("ZGFW_RASA_PORT", "5005")),
        action_port=int(env.get("ZGFW_ACTION_PORT", "5055")),
        web_port=int(env.get("ZGFW_WEB_PORT", "8000")),
        rasa_token=env.get("ZGFW_RASA_TOKEN") or secrets.token_urlsafe(24),
        rest_channel=env.get("ZGFW_REST_CHANNEL", "on").lower() not in ("off", "0", "false", "no"),
    )
