"""Duty and capacity over the console's HTTP API in the running system, and the idle closer beside them."""

import asyncio
import datetime as dt
import json
import os
import time

from bot.clock import utcnow
from bot.store.database import session_scope
from bot.store.models import AuditEntry, Handoff
from tests.test_assignment_browser import set_capacity, waiting_handoff
from tests.test_console import Browser, tracker


def signed_in(servers, username: str) -> Browser:
    client = Browser(servers.web_url)
    assert client.login(username) == 302
    return client


def test_the_duty_switch_wants_a_yes_or_no_and_the_refusal_is_json(servers, staff_accounts):
    counselor = signed_in(servers, staff_accounts["counselor"])
    status, body, _ = counselor.request("POST", "/console/api/duty", body={"on_duty": "yes"})
    assert (status, json.loads(body)) == (400, {"error": "请选择在岗或离岗"})
    assert counselor.request("POST", "/console/api/duty", body={"on_duty": True}, csrf=False)[0] == 403
    set_capacity(staff_accounts, staff_accounts["counselor"], 1)
    try:
        first, second = waiting_handoff(servers, "assign-api-1"), waiting_handoff(servers, "assign-api-2")
        assert counselor.request("POST", f"/console/api/handoffs/{first}/take", body={})[0] == 200
        status, body, _ = counselor.request("POST", f"/console/api/handoffs/{second}/take", body={})
        assert (status, json.loads(body)) == (409, {"error": "您正在接待的会话已达上限（1个），请先结束一个再接入"})
        assert counselor.request("POST", f"/console/api/handoffs/{first}/close", body={})[0] == 200
    finally:
        set_capacity(staff_accounts, staff_accounts["counselor"], None)


def idle_closes(sender: str) -> int:
    with session_scope(os.environ["DATABASE_URL"]) as session:
        return session.query(AuditEntry).filter_by(action="handoff_idle_close", target=sender).count()


def test_a_conversation_taken_and_left_is_closed_the_worker_told_and_the_place_freed(servers, staff_accounts):
    from bot.web.app import create_app
    from bot.web.idle import close_idle

    counselor = signed_in(servers, staff_accounts["counselor"])
    handoff_id = waiting_handoff(servers, "assign-left")
    assert counselor.request("POST", f"/console/api/handoffs/{handoff_id}/take", body={})[0] == 200
    assert json.loads(counselor.request("GET", "/console/api/duty")[1])["holding"] == 1
    with session_scope(os.environ["DATABASE_URL"]) as session:  # nobody acted on it for two hours
        session.get(Handoff, handoff_id).last_staff_at = utcnow() - dt.timedelta(hours=2)
    # This closer or the server's own (it runs every minute too, and may come first): closed once, and told.
    asyncio.run(close_idle(create_app(servers, name="assign_idle_test")))
    deadline = time.monotonic() + 30
    while idle_closes("assign-left") == 0 and time.monotonic() < deadline:  # the server's may be telling now
        time.sleep(0.2)
    assert idle_closes("assign-left") == 1
    with session_scope(os.environ["DATABASE_URL"]) as session:
        assert session.get(Handoff, handoff_id).status == "closed"
    said = [e["text"] for e in tracker(servers, "assign-left")["events"] if e["event"] == "bot"]
    assert any("有一阵子没有回复" in text for text in said[-2:])
    assert json.loads(counselor.request("GET", "/console/api/duty")[1])["holding"] == 0



def test_signing_out_goes_off_duty(servers, staff_accounts):
    lawyer = signed_in(servers, staff_accounts["legal"])
    assert json.loads(lawyer.request("POST", "/console/api/duty", body={"on_duty": True})[1])["on_duty"]
    assert lawyer.request("POST", "/console/logout", form={"csrf_token": lawyer.csrf})[0] == 302
    again = signed_in(servers, staff_accounts["legal"])
    assert not json.loads(again.request("GET", "/console/api/duty")[1])["on_duty"]
