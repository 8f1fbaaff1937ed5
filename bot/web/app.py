"""App factory for the web server (Sanic, which Rasa already ships)."""

from __future__ import annotations

from pathlib import Path

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.notify import Notifier
from bot.rasa_api import RasaClient
from bot.settings import ROOT, Settings
from bot.store.assignment import AtCapacity, read_rules
from bot.store.cases import CaseNotFound
from bot.store.database import StoreUnavailable
from bot.store.orders import OrderNotFound
from bot.web import assign, chat, chat_live, console, idle, live

STATIC = Path(__file__).parent / "static"
SOCKET_IO_CLIENT = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
ECHARTS = ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"


def create_app(settings: Settings, name: str = "zgfw_web") -> Sanic:
    """Routes for the chat page and the staff console, their static files, socket.io's client and ECharts."""
    app = Sanic(name)
    app.ctx.settings = settings
    app.ctx.rasa = RasaClient(settings.rasa_url, settings.rasa_token)
    app.ctx.notify = Notifier(app.ctx.rasa, settings)
    rules = read_rules(settings.knowledge_dir)  # a knowledge/assignment.yml that does not fit stops the start
    app.static("/static", str(STATIC))
    app.static("/vendor/socket.io.js", str(SOCKET_IO_CLIENT), content_type="application/javascript")
    app.static("/vendor/echarts.js", str(ECHARTS), content_type="application/javascript")
    app.blueprint(chat.blueprint)
    app.blueprint(chat_live.blueprint)
    app.blueprint(console.blueprint)

    live.install(app)

    @app.get("/favicon.ico")
    async def no_icon(request: Request) -> HTTPResponse:
        """No icon, and no 404 in every page's console for the one browsers ask for."""
        return HTTPResponse(status=204)

    @app.get("/healthz")
    async def healthz(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.after_server_start
    async def start_closing_idle(app: Sanic, _loop: object) -> None:
        app.add_task(idle.keep_closing_idle(app), name="close_idle_handoffs")

    @app.after_server_start
    async def start_assigning(app: Sanic, _loop: object) -> None:
        app.add_task(assign.keep_assigning(rules), name="assign_handoffs")

    @app.exception(StoreUnavailable)
    async def store_down(request: Request, error: StoreUnavailable) -> HTTPResponse:
        """A database outage is a 503 with words staff can act on, not a 500 on every page."""
        return _error(request, STORE_DOWN, 503)

    @app.exception(AtCapacity)
    async def at_capacity(request: Request, error: AtCapacity) -> HTTPResponse:
        """A take beyond one's capacity: a 409 that says how many and what to do."""
        return _error(request, error.message, 409)

    @app.exception(CaseNotFound)
    async def no_such_case(request: Request, error: CaseNotFound) -> HTTPResponse:
        """An unknown case number is a 404 wherever it is used."""
        return _error(request, "没有这个案件", 404)

    @app.exception(OrderNotFound)
    async def no_such_order(request: Request, error: OrderNotFound) -> HTTPResponse:
        """An order that does not exist, or that this staff member's teams do not handle."""
        return _error(request, "没有这张工单，或它不归您的岗位办理", 404)

    return app


STORE_DOWN = "数据库暂时连不上，请稍后刷新再试；已经保存的内容不会丢失。"


def _error(request: Request, message: str, status: int) -> HTTPResponse:
    """JSON for the console's API calls, plain text for pages."""
    if request.path.startswith("/console/api/"):
        return json({"error": message}, status=status)
    return HTTPResponse(message, status=status, content_type="text/plain; charset=utf-8")
