"""Console access: signing in and out, the signed-in staff member for a request, CSRF and role checks."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json, redirect
from sqlalchemy.orm import Session

from bot.staff.sessions import SignedIn, csrf_ok, login, logout, resolve
from bot.staff.throttle import TooManyAttempts, unlock
from bot.store import assignment, audit, live
from bot.store.database import StoreUnavailable, in_store
from bot.store.roles import StaffMember
from bot.web.console.pages import page, set_cookie

blueprint = Blueprint("console_auth", url_prefix="/console")
COOKIE = "zgfw_staff"
LOGIN_CSRF_COOKIE = "zgfw_login_csrf"
Handler = Callable[..., Awaitable[HTTPResponse]]


async def signed_in(request: Request, *, by_person: bool = True) -> SignedIn | None:
    """The live session behind the request's cookie (only a person's request keeps it alive)."""
    token = request.cookies.get(COOKIE)
    return await in_store(lambda session: resolve(session, token=token, touch=by_person))


def staff_only(*roles: str, api: bool = False) -> Callable[[Handler], Handler]:
    """Require a live session (and one of the roles, if given); POSTs must carry the CSRF token.

    Pages redirect to the login page; API calls answer 401/403 JSON that the page can show.
    """
    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            current = await signed_in(request, by_person=not (api and request.method == "GET"))  # GET API = polling
            if current is None:
                return json({"error": "请先登录"}, status=401) if api else redirect("/console/login")
            if roles and current.staff.role != "admin" and current.staff.role not in roles:
                return json({"error": "您的角色无权进行此操作"}, status=403) if api else \
                    HTTPResponse("您的角色无权查看此页面", status=403, content_type="text/plain; charset=utf-8")
            if request.method == "POST":
                sent = request.headers.get("x-csrf-token") or (request.form or {}).get("csrf_token")
                if not csrf_ok(current, sent):
                    return json({"error": "页面已过期，请刷新后再试"}, status=403)
            request.ctx.staff = current.staff
            request.ctx.csrf = current.csrf_token
            return await handler(request, *args, **kwargs)
        return wrapper
    return decorate


def current_staff(request: Request) -> StaffMember:
    """The staff member `staff_only` found."""
    return request.ctx.staff


def login_csrf(request: Request) -> str:
    """Before sign-in there is no session: a cookie and a hidden field must match (double submit)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def client_address(request: Request) -> str:
    """The address counted by the login rate limit.

    Behind a proxy, Sanic trusts its forwarding headers only when told how (SANIC_PROXIES_COUNT or
    SANIC_FORWARDED_SECRET in the environment); then `remote_addr` is the staff member's address.
    """
    return request.remote_addr or request.ip or "unknown"


@blueprint.get("/login")
async def login_page(request: Request, error: str = "", status: int = 200) -> HTTPResponse:
    """The sign-in form (double-submit CSRF cookie, since there is no session yet)."""
    token = login_csrf(request)
    response = page("login.html", request, error=error, login_csrf=token)
    response.status = status
    set_cookie(response, LOGIN_CSRF_COOKIE, token, path="/console")
    return response


@blueprint.post("/login")
async def login_submit(request: Request) -> HTTPResponse:
    """Check the form, the rate limit and the password; start a session."""
    form = request.form or {}
    sent, expected = form.get("csrf_token", ""), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(sent, expected):
        return await login_page(request, "页面已过期，请重新登录。", 403)
    username, password, address = form.get("username", "").strip(), form.get("password", ""), client_address(request)
    try:
        current = await in_store(lambda session: login(session, username=username, password=password, address=address))
    except TooManyAttempts:
        return await login_page(request, "尝试次数过多，请过几分钟再试（最多15分钟），或请管理员解锁。", 429)
    except StoreUnavailable:
        return await login_page(request, "数据库暂时不可用，请稍后再试。", 503)
    if current is None:
        return await login_page(request, "用户名或密码不对。", 401)
    response = redirect("/console")
    set_cookie(response, COOKIE, current.token, path="/", max_age=8 * 3600, secure=request.scheme == "https")
    set_cookie(response, LOGIN_CSRF_COOKIE, "", path="/console", max_age=0)
    return response


@blueprint.post("/api/staff/<username>/unlock")
@staff_only("admin", api=True)
async def unlock_staff(request: Request, username: str) -> HTTPResponse:
    """An admin lets a locked-out colleague sign in again at once."""
    admin = current_staff(request)
    await in_store(lambda session: unlock(session, admin=admin, username=username))
    return json({"unlocked": username})


@blueprint.post("/logout")
@staff_only()
async def logout_submit(request: Request) -> HTTPResponse:
    """End the session, and the duty: nobody is offered conversations after they left."""
    token, staff = request.cookies.get(COOKIE), current_staff(request)

    def end(session: Session) -> None:
        logout(session, token=token)
        assignment.set_on_duty(session, staff=staff, on_duty=False)
        audit.record(session, staff_id=staff.id, action="logout")
        live.note(session, kind="signout", staff_id=staff.id)  # this session's open streams end (console/live.py)

    await in_store(end)
    response = redirect("/console/login")
    set_cookie(response, COOKIE, "", path="/", max_age=0)
    return response
