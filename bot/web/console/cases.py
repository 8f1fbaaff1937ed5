"""Legal-aid cases for the legal team: the list with filters, one case, moving its status."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.clock import local_time
from bot.rasa_api import RasaUnavailable
from bot.store import audit, cases
from bot.store.database import in_store
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import knowledge_of, labels, page

blueprint = Blueprint("console_cases", url_prefix="/console")


@blueprint.get("/cases")
@staff_only("legal")
async def cases_page(request: Request) -> HTTPResponse:
    """Legal-aid cases with filters by status, dispute type and street."""
    filters = {key: request.args.get(key) or None for key in ("status", "dispute_type", "street")}
    staff = current_staff(request)

    def read(session: Session) -> list[cases.CaseView]:
        audit.record(session, staff_id=staff.id, action="cases_list",
                     detail=",".join(f"{k}={v}" for k, v in filters.items() if v))
        return cases.list_cases(session, staff=staff, **filters)

    rows = await in_store(read)
    return page("cases.html", request, cases=rows, filters=filters, statuses=cases.STATUSES,
                local_time=local_time, **labels(knowledge_of(request)))


@blueprint.get("/cases/<number>")
@staff_only("legal")
async def case_page(request: Request, number: str, notice: str = "") -> HTTPResponse:
    """One case, its history, and the status form."""
    staff = current_staff(request)

    def read(session: Session) -> cases.CaseView:
        view = cases.get_case(session, staff=staff, number=number)
        audit.record(session, staff_id=staff.id, action="case_read", target=view.number)
        return view

    view = await in_store(read)
    return page("case.html", request, case=view, statuses=cases.STATUSES, notice=notice, local_time=local_time,
                **labels(knowledge_of(request)))


@blueprint.post("/cases/<number>/status")
@staff_only("legal")
async def case_status(request: Request, number: str) -> HTTPResponse:
    """Move the case; the worker is told on the channel they used (the change stands if that fails)."""
    form = request.form or {}
    status, note = form.get("status", ""), form.get("note", "").strip()[:500]
    if status not in cases.STATUSES:
        return await case_page(request, number, "请选择一个状态。")
    staff = current_staff(request)
    def move(session: Session) -> cases.CaseView:
        changed = cases.change_status(session, staff=staff, number=number, status=status, note=note)
        audit.record(session, staff_id=staff.id, action="case_status", target=changed.number, detail=status)
        return changed

    changed = await in_store(move)
    try:
        await request.app.ctx.notify.tell(changed.conversation_id, "case_status_changed", staff=staff.display_name,
                                          number=changed.number, status=cases.STATUSES[status], note=note)
        notice = "状态已更新，已通知职工。"
        if status == "closed":
            request.app.ctx.notify.ask_rating_soon("case", changed.case_id)
    except RasaUnavailable:
        notice = "状态已更新，但没能通知到职工（对话服务暂时不可用），请电话告知。"
    return await case_page(request, number, notice)
