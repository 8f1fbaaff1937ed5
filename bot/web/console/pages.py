"""What every console page shares: templates, the signed-in staff member, labels, cookies."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic.request import Request
from sanic.response import HTTPResponse, html

from bot.kb.knowledge import KnowledgeBase, load_cached
from bot.store import handoff

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
                        autoescape=select_autoescape(["html"]))
ROLE_NAMES = {"counselor": "心理咨询师", "legal": "法律援助", "admin": "管理员"}


def page(name: str, request: Request, **values: Any) -> HTTPResponse:
    """Render a console page with the staff member and CSRF token every page needs."""
    staff = getattr(request.ctx, "staff", None)
    body = TEMPLATES.get_template(name).render(staff=staff, role_names=ROLE_NAMES, skills=handoff.SKILLS,
                                               csrf=getattr(request.ctx, "csrf", ""), **values)
    return html(body, headers={"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
                               "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


def download(body: str, *, filename: str, content_type: str) -> HTTPResponse:
    """A file the browser saves under `filename`, never cached (it holds what workers asked or did)."""
    return HTTPResponse(body, content_type=content_type,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                 "Cache-Control": "no-store"})


def csv_download(filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> HTTPResponse:
    """A table as a CSV download: UTF-8 with a byte-order mark, so spreadsheet programs show the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return download("\ufeff" + out.getvalue(), filename=filename, content_type="text/csv; charset=utf-8")


def knowledge_of(request: Request) -> KnowledgeBase:
    """The checked knowledge base the app was started with (replies, dispute types, streets)."""
    return load_cached(str(request.app.ctx.settings.knowledge_dir))


def labels(kb: KnowledgeBase) -> dict[str, dict[str, str]]:
    """Names for codes on the case pages."""
    return {"disputes": {c: d.label for c, d in kb.legal_aid.dispute_types.items()},
            "streets": {street.id: street.name for street in kb.local.streets}}


def set_cookie(response: HTTPResponse, name: str, value: str, *, path: str, max_age: int | None = None,
               secure: bool = False) -> None:
    """An HttpOnly, SameSite=Strict cookie (max_age=0 removes it)."""
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"], cookie["samesite"], cookie["path"] = True, "Strict", path
    if max_age is not None:
        cookie["max-age"] = max_age
    if secure:
        cookie["secure"] = True
