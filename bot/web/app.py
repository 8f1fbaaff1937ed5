"""App factory for the web server (Sanic, which Rasa already ships)."""

from __future__ import annotations

from pathlib import Path

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.rasa_api import RasaClient
from bot.settings import ROOT, Settings
from bot.web import chat, console

STATIC = Path(__file__).parent / "static"
SOCKET_IO_CLIENT = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def create_app(settings: Settings, name: str = "zgfw_web") -> Sanic:
    """Routes for the chat page and the staff console, their static files, the socket.io client."""
    app = Sanic(name)
    app.ctx.settings = settings
    app.ctx.rasa = RasaClient(settings.rasa_url, settings.rasa_token)
    app.static("/static", str(STATIC))
    app.static("/vendor/socket.io.js", str(SOCKET_IO_CLIENT), content_type="application/javascript")
    app.blueprint(chat.blueprint)
    app.blueprint(console.blueprint)

    @app.get("/healthz")
    async def healthz(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    return app
