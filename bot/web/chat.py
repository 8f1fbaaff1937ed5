"""The chat page a worker opens, and the little configuration it needs from the server."""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, file, json

blueprint = Blueprint("chat")
PAGE = Path(__file__).parent / "static" / "chat.html"


@blueprint.get("/")
async def page(request: Request) -> HTTPResponse:
    """The chat page (all text on it is Chinese; it talks to Rasa over socket.io)."""
    return await file(str(PAGE), mime_type="text/html; charset=utf-8")


@blueprint.get("/chat/config")
async def config(request: Request) -> HTTPResponse:
    """Which port the page's socket.io client connects to: nginx's when it is in front, else Rasa's."""
    settings = request.app.ctx.settings
    return json({"socketPort": settings.public_port or settings.rasa_port})
