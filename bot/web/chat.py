"""The chat page a worker opens, and the little it needs from the server: where socket.io is, who is on duty."""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, file, json

from bot.clock import utcnow
from bot.kb.knowledge import load_cached
from bot.store import handoff

blueprint = Blueprint("chat")
PAGE = Path(__file__).parent / "static" / "chat.html"
# The page's own scripts and styles only; socket.io runs on Rasa's port, so websockets may go elsewhere.
POLICY = "default-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'"


@blueprint.get("/")
async def page(request: Request) -> HTTPResponse:
    """The chat page (all text on it is Chinese; it talks to Rasa over socket.io)."""
    return await file(str(PAGE), mime_type="text/html; charset=utf-8", headers={"Content-Security-Policy": POLICY})


@blueprint.get("/chat/config")
async def config(request: Request) -> HTTPResponse:
    """Which port the page's socket.io client connects to: nginx's when it is in front, else Rasa's."""
    settings = request.app.ctx.settings
    return json({"socketPort": settings.public_port or settings.rasa_port})


@blueprint.get("/chat/status")
async def status(request: Request) -> HTTPResponse:
    """Whether a person is on duty now, and the service hours: out of hours the page says so before anyone asks.

    The page asks again every few minutes, so an open page notices the hours begin or end.
    """
    kb = load_cached(str(request.app.ctx.settings.knowledge_dir))
    duty, hours = kb.local.handoff, handoff.hours_text(kb.local.handoff)
    on_duty = handoff.in_service_hours(utcnow(), duty)
    status = {"onDuty": on_duty, "hours": hours}
    if not on_duty:  # the wording is staff's to change, in knowledge/replies.yml
        status["notice"] = kb.replies["chat_off_duty"].render(hours=hours)
    return json(status, headers={"Cache-Control": "no-store"})
