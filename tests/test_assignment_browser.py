"""Duty, capacity and offers in the running system: the header's switch, the staff page, the refusal, idle close."""

import os
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from bot.clock import utcnow
from bot.settings import ROOT
from bot.store import assignment
from bot.store.database import session_scope
from bot.store.models import Handoff, Staff
from bot.store.roles import StaffMember
from tests.conftest import console_page, page_errors
from tests.test_rest_channel import say

ARTIFACTS = ROOT / "build" / "test-artifacts"
GENERAL = "转人工 我想问问工会会员卡怎么办理"  # a general question: a counselor's queue, never a crisis


@pytest.fixture(autouse=True)
def empty_queue(servers) -> None:
    """Each test counts loads and offers from an empty queue, whatever earlier browser tests left open."""
    with session_scope(os.environ["DATABASE_URL"]) as session:
        session.execute(update(Handoff).where(Handoff.status != "closed").values(status="closed", closed_at=utcnow()))


def member(username: str) -> StaffMember:
    with session_scope(os.environ["DATABASE_URL"]) as session:
        row = session.query(Staff).filter_by(username=username).one()
        return StaffMember(row.id, row.username, row.display_name, row.role)


def set_capacity(staff_accounts: dict, username: str, capacity: int | None) -> None:
    with session_scope(os.environ["DATABASE_URL"]) as session:
        assignment.set_capacity(session, admin=member(staff_accounts["admin"]), staff_id=member(username).id,
                                capacity=capacity)


def waiting_handoff(servers, sender: str) -> int:
    say(servers, sender, GENERAL)
    with session_scope(os.environ["DATABASE_URL"]) as session:
        row = session.query(Handoff).filter_by(conversation_id=sender, status="waiting").one()
        assert row.priority == 0, "the test needs an ordinary conversation, not a crisis"
        return row.id


def test_a_counselor_switches_duty_from_the_header_and_it_stays_switched(browser, servers, staff_accounts):
    page = console_page(browser, servers.web_url, staff_accounts["counselor"])
    errors = page_errors(page)
    switch = page.locator("#duty")
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(switch).to_have_text("离岗 · 接待 0/3")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    expect(switch).to_contain_text("在岗")
    page.reload()
    expect(page.locator("#duty")).to_have_attribute("aria-pressed", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("header").screenshot(path=str(ARTIFACTS / "console-header-on-duty.png"))
    page.goto(servers.web_url + "/console/orders")  # every console page has the switch
    expect(page.locator("#duty")).to_have_text("在岗 · 接待 0/3")
    page.locator("#duty").click()
    expect(page.locator("#duty")).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(page.locator("#duty")).to_have_text("离岗 · 接待 0/3")
    assert errors == []
    page.context.close()


def test_a_waiting_conversation_is_offered_to_the_counselor_on_duty(browser, servers, staff_accounts):
    page = console_page(browser, servers.web_url, staff_accounts["counselor"])
    page.locator("#duty").click()
    expect(page.locator("#duty")).to_have_attribute("aria-pressed", "true")
    started = time.monotonic()
    handoff_id = waiting_handoff(servers, "assign-offered")
    offered = None
    while offered is None and time.monotonic() - started < 30:
        items = page.request.get(servers.web_url + "/console/api/queue").json()["items"]
        offered = next(i["offered_to_name"] for i in items if i["id"] == handoff_id)
        time.sleep(0.5)
    print(f"\nworker request -> offered to the counselor on duty: {time.monotonic() - started:.1f} s")
    assert offered == "小李"
    page.locator("#duty").click()  # off duty: the offer is handed on (nobody else is on duty)
    expect(page.locator("#duty")).to_have_attribute("aria-pressed", "false")
    items = page.request.get(servers.web_url + "/console/api/queue").json()["items"]
    assert next(i["offered_to"] for i in items if i["id"] == handoff_id) is None
    page.context.close()


def test_an_admin_sets_a_capacity_on_the_staff_page(browser, servers, staff_accounts):
    counselor = console_page(browser, servers.web_url, staff_accounts["counselor"])
    assert counselor.request.get(servers.web_url + "/console/staff").status == 403
    counselor.context.close()
    page = console_page(browser, servers.web_url, staff_accounts["admin"])
    errors = page_errors(page)
    page.click("text=人员与接待量")
    expect(page.locator("h1")).to_have_text("人员与接待量")
    row = page.locator("#staff tr", has_text="小李")
    row.locator("input[name=capacity]").fill("三个")
    row.get_by_role("button", name="保存").click()
    expect(page.locator("#error")).to_contain_text("接待上限要填1到20之间的整数")
    expect(page.locator("#staff tr", has_text="小李").locator("input[name=capacity]")).to_have_value("三个")
    row = page.locator("#staff tr", has_text="小李")
    row.locator("input[name=capacity]").fill("2")
    row.get_by_role("button", name="保存").click()
    expect(page.locator("#error")).to_be_hidden()
    row = page.locator("#staff tr", has_text="小李")
    expect(row.locator("input[name=capacity]")).to_have_value("2")
    expect(row).to_contain_text("0 / 2")
    expect(page.locator("#staff tr", has_text="王律师")).to_contain_text("0 / 3")  # the default
    with session_scope(os.environ["DATABASE_URL"]) as session:  # 小李 switches on duty meanwhile
        assignment.set_on_duty(session, staff=member(staff_accounts["counselor"]), on_duty=True)
    page.reload()
    first = page.locator("#staff tbody tr").first  # those on duty come first
    expect(first.locator("td").nth(0)).to_have_text("小李")
    expect(first.locator("td").nth(2)).to_have_text("在岗")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-staff-capacity-and-duty.png"), full_page=True)
    assert [e for e in errors if "status of 400" not in e] == []  # the refused form came back as a 400
    page.context.close()
    set_capacity(staff_accounts, staff_accounts["counselor"], None)
    with session_scope(os.environ["DATABASE_URL"]) as session:
        assignment.set_on_duty(session, staff=member(staff_accounts["counselor"]), on_duty=False)


def test_a_counselor_at_capacity_is_refused_on_the_conversation_page(browser, servers, staff_accounts):
    set_capacity(staff_accounts, staff_accounts["counselor"], 1)
    held, refused = waiting_handoff(servers, "assign-held"), waiting_handoff(servers, "assign-refused")
    page = console_page(browser, servers.web_url, staff_accounts["counselor"])
    page.goto(f"{servers.web_url}/console/conversations/{held}")
    page.click("#take")
    expect(page.locator("#conv-state")).to_contain_text("处理中")
    page.goto(f"{servers.web_url}/console/conversations/{refused}")
    expect(page.locator("#take")).to_be_enabled()
    page.click("#take")
    expect(page.locator("#error")).to_have_text("您正在接待的会话已达上限（1个），请先结束一个再接入")
    expect(page.locator("#conv-state")).to_contain_text("等待中")
    page.goto(f"{servers.web_url}/console/conversations/{held}")
    page.click("#close")
    expect(page.locator("#conv-state")).to_contain_text("已结束")
    page.goto(f"{servers.web_url}/console/conversations/{refused}")
    page.click("#take")  # one ended: room for the next
    expect(page.locator("#conv-state")).to_contain_text("处理中")
    page.click("#close")
    expect(page.locator("#conv-state")).to_contain_text("已结束")
    page.context.close()
    set_capacity(staff_accounts, staff_accounts["counselor"], None)

