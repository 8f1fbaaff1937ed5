"""Console access: the signed-in staff member for a request, CSRF checks, role checks."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse, json, redirect

from bot.database import in_store
from bot.staff import StaffMember
from bot.staff_sessions import SignedIn, csrf_ok, resolve

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
