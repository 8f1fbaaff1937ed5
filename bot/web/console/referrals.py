"""Hardship-aid referrals workers asked for, for the staff who follow them up."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.clock import local_time
from bot.store import aid, audit
from bot.store.database import in_store
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import knowledge_of, page

blueprint = Blueprint("console_referrals", url_prefix="/console")
AID_QUESTIONS = {"union_member": "工会会员", "serious_illness": "大病", "child_in_school": "子女上学",
                 "lost_job": "失业", "income_below_local_standard": "收入低于标准", "flexible_employment": "灵活就业"}


@blueprint.get("/referrals")
@staff_only(*aid.READ_ROLES)
async def referrals_page(request: Request) -> HTTPResponse:
    """Hardship-aid referrals workers asked for, newest first, with the programmes that fit."""
    kb = knowledge_of(request)
    staff = current_staff(request)

    def read(session: Session) -> list[aid.ReferralView]:
        audit.record(session, staff_id=staff.id, action="referrals_list")
        return aid.list_referrals(session, staff=staff)

    rows = await in_store(read)
    return page("referrals.html", request, referrals=rows, local_time=local_time, questions=AID_QUESTIONS,
                answers={aid.YES: "是", aid.NO: "不是", aid.UNKNOWN: "不清楚"},
                programmes={p.id: p.name for p in kb.local.programmes})
