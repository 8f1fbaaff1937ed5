"""The admin page for canned responses (常用回复): add, edit, delete; each change checked, written whole, audited."""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy.orm import Session

from bot.staff import canned
from bot.store import audit
from bot.store.database import in_store
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.context import canned_path
from bot.web.console.pages import page

blueprint = Blueprint("console_canned", url_prefix="/console")


@blueprint.get("/canned")
@staff_only("admin")
async def canned_page(request: Request, *, draft: dict[str, str] | None = None, error: str = "") -> HTTPResponse:
    """Every response, and a form to add one or edit the one named by ?edit=<id> (or the draft that failed)."""
    path = canned_path(request)
    try:
        entries, problem = await asyncio.to_thread(canned.load, path), ""  # a file read, off the event loop
    except canned.CannedError as broken:
        entries, problem = [], f"文件 {canned.FILE} 有误，请先改好文件：{broken}"
    editing = next((c for c in entries if c.id == request.args.get("edit")), None)
    if draft is None:
        draft = {"id": "", "title": "", "text": "", "tags": "", "replaces": ""} if editing is None else {
            "id": editing.id, "title": editing.title, "text": editing.text, "tags": " ".join(editing.tags),
            "replaces": editing.id}
    return page("canned.html", request, entries=entries, draft=draft, error=error or problem,
                variables=canned.VARIABLES)


@blueprint.post("/canned")
@staff_only("admin")
async def save_canned(request: Request) -> HTTPResponse:
    """Add a response or replace the one being edited; on a problem the form comes back as typed."""
    staff = current_staff(request)
    form = request.form or {}
    draft = {key: form.get(key, "").strip() for key in ("id", "title", "text", "tags", "replaces")}
    entry = canned.Canned(draft["id"], draft["title"], draft["text"],
                          tuple(tag for tag in draft["tags"].replace("，", " ").replace(",", " ").split() if tag))
    path = canned_path(request)

    def write(session: Session) -> None:
        canned.save(path, canned=entry, replaces=draft["replaces"] or None)
        audit.record(session, staff_id=staff.id, action="canned_save", target=entry.id,
                     detail=f"replaces {draft['replaces']}" if draft["replaces"] else "new")

    try:
        await in_store(write)
    except canned.CannedError as error:
        return await canned_page(request, draft=draft, error=f"没有保存：{error}")
    return redirect("/console/canned")


@blueprint.post("/canned/<canned_id>/delete")
@staff_only("admin")
async def delete_canned(request: Request, canned_id: str) -> HTTPResponse:
    """Remove one response."""
    staff = current_staff(request)
    path = canned_path(request)

    def write(session: Session) -> None:
        canned.delete(path, canned_id=canned_id)
        audit.record(session, staff_id=staff.id, action="canned_delete", target=canned_id)

    try:
        await in_store(write)
    except canned.CannedError as error:
        return await canned_page(request, error=f"没有删除：{error}")
    return redirect("/console/canned")
