"""The one client the console uses to reach Rasa's HTTP API: read transcripts, add events.

Adding `bot` events with `execute_side_effects` sends the text to the worker on the channel
they last used (output_channel=latest); `pause` and `resume` stop and restart the bot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=15)


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer; the console says so and the staff member can retry."""


@dataclass(frozen=True)
class Line:
    """One line of a transcript: who said it, what, and when (epoch seconds)."""

    speaker: str  # "worker", "bot" or "staff"
    text: str
    at: float
    staff: str | None = None  # which staff member, for a staff line (the name `say` put in the event's metadata)


class RasaClient:
    """Rasa's HTTP API with the server's token."""

    def __init__(self, base_url: str, token: str) -> None:
        """Remember where Rasa is; one aiohttp session per call keeps this safe across event loops."""
        self.base_url = base_url.rstrip("/")
        self.token = token

    async def transcript(self, conversation_id: str) -> tuple[list[Line], bool]:
        """What the worker, the bot and staff said, in order, and whether the bot is paused."""
        tracker = await self.tracker(conversation_id)
        lines = []
        for event in tracker.get("events") or []:
            if event.get("event") == "user" and event.get("text"):
                lines.append(Line("worker", event["text"], event.get("timestamp", 0)))
            elif event.get("event") == "bot" and event.get("text"):
                staff = (event.get("metadata") or {}).get("staff")
                lines.append(Line("staff" if staff else "bot", event["text"], event.get("timestamp", 0), staff))
        return lines, bool(tracker.get("paused"))

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The whole tracker: every event, the slots, the latest message's parse."""
        return await self._call("GET", f"/conversations/{quote(conversation_id, safe='')}/tracker")

    async def say(self, conversation_id: str, text: str, *, buttons: Sequence[dict[str, str]] = (),
                  staff: str | None = None, pause: bool = False, resume: bool = False) -> None:
        """Send a message (and buttons) to the worker's channel; optionally pause before or resume after it."""
        message: dict[str, Any] = {"event": "bot", "text": text, "metadata": {"staff": staff} if staff else {},
                                   "data": {"buttons": list(buttons)} if buttons else {}}
        events = [*([{"event": "pause"}] if pause else []), message, *([{"event": "resume"}] if resume else [])]
        await self._call("POST", f"/conversations/{quote(conversation_id, safe='')}/tracker/events"
                                 f"?execute_side_effects=true&output_channel=latest", events)

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        separator = "&" if "?" in path else "?"
        url = f"{self.base_url}{path}{separator}token={quote(self.token)}"
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as client, \
                    client.request(method, url, json=body) as response:
                if response.status >= 400:
                    raise RasaUnavailable(f"{method} {path.split('?')[0]}: HTTP {response.status}")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(str(error)) from error
