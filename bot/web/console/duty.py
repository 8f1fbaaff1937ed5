"""Who is on duty and how much each can hold: the header's switch, and the admins' staff page.

Staff switch themselves on and off duty (only those on duty are offered waiting conversations);
admins see everyone's switch and load and set each person's capacity (bot.store.assignment).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json, redirect

from bot.clock import local_time
from bot.store import assignment
from bot.store.database import in_store
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import page

blueprint = Blueprint("console_duty", url_prefix="/console")
BAD_CAPACITY = f"接待上限要填1到{assignment.MAX_CAPACITY}之间的整数；留空表示用默认值。"


@blueprint.get("/api/duty")
@staff_only(api=True)
async def duty_api(request: Request) -> HTTPResponse:
    """One's own switch, capacity and load (the header's control reads it)."""
    staff = current_staff(request)
    return json(_duty_json(await in_store(lambda session: assignment.duty_of(session, staff=staff), read_only=True)))


@blueprint.post("/api/duty")
@staff_only(api=True)
async def switch_duty(request: Request) -> HTTPResponse:
    """Switch one's own duty on or off."""
    staff, on_duty = current_staff(request), (request.json or {}).get("on_duty")
    if not isinstance(on_duty, bool):
        return json({"error": "请选择在岗或离岗"}, status=400)
    duty = await in_store(lambda session: assignment.set_on_duty(session, staff=staff, on_duty=on_duty))
    return json(_duty_json(duty))


@blueprint.get("/staff")
@staff_only("admin")
async def staff_page(request: Request, error: str = "", typed: dict[int, str] | None = None,
                     status: int = 200) -> HTTPResponse:
    """Everyone's switch, load and capacity; a capacity that did not fit comes back as typed, with why."""
    admin = current_staff(request)
    people = await in_store(lambda session: assignment.roster(session, admin=admin), read_only=True)
    response = page("staff.html", request, people=people, default=assignment.current_rules().capacity,
                    error=error, typed=typed or {}, max_capacity=assignment.MAX_CAPACITY, local_time=local_time)
    response.status = status
    return response


@blueprint.post("/staff/<staff_id:int>/capacity")
@staff_only("admin")
async def staff_capacity(request: Request, staff_id: int) -> HTTPResponse:
    """Set one person's capacity (an empty field: back to the default)."""
    admin, typed = current_staff(request), (request.form or {}).get("capacity", "").strip()
    if typed and not typed.isdigit():
        return await staff_page(request, BAD_CAPACITY, {staff_id: typed}, 400)
    capacity = int(typed) if typed else None
    try:
        await in_store(lambda session: assignment.set_capacity(session, admin=admin, staff_id=staff_id,
                                                               capacity=capacity))
    except ValueError:
        return await staff_page(request, BAD_CAPACITY, {staff_id: typed}, 400)
    except LookupError:
        return await staff_page(request, "没有这个工作人员（可能已停用），请刷新页面。", None, 404)
    return redirect("/console/staff", status=303)


def _duty_json(duty: assignment.Duty) -> dict[str, Any]:
    data = asdict(duty)
    data["last_offered_at"] = duty.last_offered_at and local_time(duty.last_offered_at).strftime("%m-%d %H:%M")
    return data
