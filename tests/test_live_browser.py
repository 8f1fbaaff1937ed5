"""The live console and chat page in headless Chromium against the running system: no reloads, no polling.

Workers are chat pages (channel 网页) or REST conversations (channel 其他); staff are console pages.
Each test starts from an empty queue.
"""

import os
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.store import handoff
from bot.store.database import session_scope
from bot.store.models import Staff
from bot.store.roles import StaffMember
from tests.conftest import console_page, page_errors, web_alone
from tests.test_browser import ask, bot_bubbles
from tests.test_console import Browser
from tests.test_console_browser import conversation_of, seconds_to_row
from tests.test_rest_channel import say

ARTIFACTS = Path(__file__).resolve().parent.parent / "build" / "test-artifacts"
# Counts the tones the page plays and the desktop notifications it shows (Chromium's real Web Audio runs too).
COUNT_NOTICES = """
window.tones = 0;
window.notices = [];
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.tones += 1; return createOscillator.call(this); };
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) { super(title, options); window.notices.push(title); }
};
"""


@pytest.fixture(autouse=True)
def empty_queue(servers, staff_accounts) -> None:
    """Every open handoff closed in the database (without telling anyone), so places count from 1."""
    with session_scope(os.environ["DATABASE_URL"]) as session:
        row = session.execute(select(Staff).where(Staff.username == staff_accounts["admin"])).scalar_one()
        admin = StaffMember(row.id, row.username, row.display_name, row.role)
        for item in handoff.queue(session, staff=admin):
            handoff.close(session, staff=admin, handoff_id=item.id)


def chat_page(browser, base: str) -> Page:  # noqa: ANN001 - a Playwright Browser
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/")
    expect(bot_bubbles(page).first).to_be_visible(timeout=30_000)
    return page


def staff_console(browser, base: str, username: str, *, notifications: bool = False) -> Page:  # noqa: ANN001
    page = console_page(browser, base, username)
    if notifications:
        page.context.grant_permissions(["notifications"], origin=base)
    page.context.add_init_script(COUNT_NOTICES)
    page.reload()
    return page


def api(base: str, username: str) -> Browser:
    client = Browser(base)
    assert client.login(username) == 302
    return client


def handoff_id(conversation_id: str) -> int:
    with session_scope(os.environ["DATABASE_URL"], read_only=True) as session:
        admin = StaffMember(0, "test", "test", "admin")
        return next(i.id for i in handoff.queue(session, staff=admin) if i.conversation_id == conversation_id)


def row_of(page: Page, conversation_id: str):  # noqa: ANN201 - a Locator
    return page.locator(f"#queue [data-conversation='{conversation_id}']")


def test_streams_are_for_signed_in_staff_and_signed_chat_pages(servers):
    for path in ("/console/api/live/queue", "/console/api/live/handoffs/1", "/chat/live?session=forged.0000"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(servers.web_url + path, timeout=10)
        assert refused.value.code == (403 if path.startswith("/chat") else 401)


def test_the_queue_row_tells_channel_topic_masked_last_words_place_and_owner(browser, servers, staff_accounts):
    admin = staff_console(browser, servers.web_url, staff_accounts["admin"])
    problems = page_errors(admin)
    worker = chat_page(browser, servers.web_url)
    say(servers, "live-wage", "老板拖欠我三个月工资了，电话也不接，怎么办")
    say(servers, "live-wage", "转人工")
    say(servers, "live-wage", "我电话13912345678，身份证110101199003071234")
    wage = row_of(admin, "live-wage")
    # A labor question before 转人工: the legal team's line.
    expect(wage).to_contain_text("其他 · 法律咨询 · 拖欠工资 / 讨薪 · 职工要求", timeout=30_000)
    expect(wage.locator(".q-last")).to_have_text("最后一句：我电话139****5678，身份证110101********1234")
    expect(wage.locator(".q-place")).to_have_text("排第1位")

    ask(worker, "我想找个人聊聊，最近压力太大了 转人工")
    talk = row_of(admin, conversation_of(worker))
    expect(talk).to_contain_text("网页 · 心理咨询", timeout=30_000)
    expect(talk.locator(".q-last")).to_contain_text("压力太大")
    api(servers.web_url, staff_accounts["counselor"]).request(
        "POST", f"/console/api/handoffs/{handoff_id(conversation_of(worker))}/take", body={})
    expect(talk.locator(".q-owner")).to_have_text("小李 处理中")
    expect(talk.locator(".q-wait")).to_contain_text("已进行")
    admin.screenshot(path=str(ARTIFACTS / "live-queue-desktop.png"), full_page=True)
    admin.set_viewport_size({"width": 390, "height": 844})
    expect(talk.locator(".q-last")).to_be_in_viewport()
    admin.screenshot(path=str(ARTIFACTS / "live-queue-phone.png"), full_page=True)

    admin.select_option("#filter-skill", "legal")
    expect(admin.locator("#queue .q-row")).to_have_count(1)
    expect(wage).to_be_visible()
    admin.select_option("#filter-skill", "")
    admin.select_option("#filter-state", "active")
    assert urllib.parse.urlparse(admin.url).query == "state=active"
    admin.reload()
    expect(admin.locator("#filter-state")).to_have_value("active")
    expect(admin.locator("#queue .q-row")).to_have_count(1)
    expect(talk).to_be_visible()
    admin.goto(servers.web_url + "/console/?skill=legal&state=active")
    expect(admin.locator("#queue")).to_contain_text("没有符合筛选条件的会话")
    assert problems == []


def test_a_crisis_is_pinned_red_counting_its_wait_with_a_tone_a_notice_and_the_title_count(browser, servers,
                                                                                           staff_accounts):
    staff = staff_console(browser, servers.web_url, staff_accounts["counselor"], notifications=True)
    expect(staff.locator("#notify")).to_be_hidden()  # permission already granted: nothing to ask
    say(servers, "live-first", "我想找个人聊聊，最近压力太大了 转人工")
    expect(row_of(staff, "live-first")).to_be_visible(timeout=30_000)
    expect(staff).to_have_title("(1) 排队会话 · 职工服务助手")
    say(servers, "live-crisis", "我真的不想活了")
    crisis = row_of(staff, "live-crisis")
    expect(staff.locator("#queue .q-row").first).to_have_attribute("data-conversation", "live-crisis",
                                                                   timeout=30_000)
    expect(crisis).to_have_class("q-row q-row--waiting q-row--crisis")
    expect(crisis.locator(".q-badge")).to_have_text("危机")
    expect(crisis.locator(".q-wait")).to_have_css("color", "rgb(185, 28, 28)")
    expect(staff).to_have_title("(2) 排队会话 · 职工服务助手")
    first = crisis.locator(".q-wait").inner_text()
    expect(crisis.locator(".q-wait")).not_to_have_text(first, timeout=3000)  # counting up, no reload
    assert staff.evaluate("window.tones") == 2
    assert staff.evaluate("window.notices") == ["有新的会话在排队", "危机会话在排队，请尽快接入"]
    crisis.screenshot(path=str(ARTIFACTS / "live-queue-crisis-row.png"))

    staff.click("#mute")
    expect(staff.locator("#mute")).to_have_text("提示音：关")
    staff.reload()
    expect(staff.locator("#mute")).to_have_text("提示音：关")
    expect(staff.locator("#mute")).to_have_attribute("aria-pressed", "true")
    say(servers, "live-muted", "我想找个人聊聊，最近压力太大了 转人工")
    expect(row_of(staff, "live-muted")).to_be_visible(timeout=30_000)
    assert staff.evaluate("window.tones") == 0 and staff.evaluate("window.notices") == ["有新的会话在排队"]
    staff.click("#mute")
    expect(staff.locator("#mute")).to_have_text("提示音：开")


def test_distress_with_nothing_else_asked_is_lined_up_for_a_counselor_marked_behind_a_crisis(browser, servers,
                                                                                          staff_accounts):
    staff = staff_console(browser, servers.web_url, staff_accounts["counselor"])
    replies = say(servers, "live-distress", "心里好难受，喘不过气来")
    assert any("12356" in r.get("text", "") for r in replies)
    distress = row_of(staff, "live-distress")
    expect(distress).to_have_class("q-row q-row--waiting q-row--distress", timeout=30_000)
    expect(distress.locator(".q-badge")).to_have_text("情绪困扰")
    say(servers, "live-distress-crisis", "我真的不想活了")
    expect(staff.locator("#queue .q-row").first).to_have_attribute("data-conversation", "live-distress-crisis",
                                                                   timeout=30_000)
    expect(staff.locator("#queue .q-row").nth(1)).to_have_attribute("data-conversation", "live-distress")


def test_desktop_notices_are_asked_for_from_a_button_never_on_load(browser, servers, staff_accounts):
    staff = staff_console(browser, servers.web_url, staff_accounts["counselor"])
    expect(staff.locator("#notify")).to_be_visible()
    assert staff.evaluate("Notification.permission") == "default"


def test_one_click_takes_a_conversation_and_opens_it(browser, servers, staff_accounts):
    staff = staff_console(browser, servers.web_url, staff_accounts["counselor"])
    say(servers, "live-take", "我想找个人聊聊，最近压力太大了 转人工")
    row_of(staff, "live-take").get_by_role("button", name="接入").click()
    expect(staff).to_have_url(f"{servers.web_url}/console/conversations/{handoff_id('live-take')}")
    expect(staff.locator("#conv-state")).to_contain_text("处理中")


def test_signing_out_ends_the_open_pages_streams(browser, servers, staff_accounts):
    staff = staff_console(browser, servers.web_url, staff_accounts["counselor"])
    other_tab = staff.context.new_page()
    other_tab.goto(servers.web_url + "/console/")
    other_tab.get_by_role("button", name="退出").click()
    expect(staff).to_have_url(servers.web_url + "/console/login", timeout=10_000)


def test_typing_shows_both_ways_and_the_place_in_line_follows_the_queue(browser, servers, staff_accounts):
    first, second = chat_page(browser, servers.web_url), chat_page(browser, servers.web_url)
    problems = page_errors(first)
    ask(first, "我想找个人聊聊，最近压力太大了 转人工")
    expect(first.locator("#handoff-status")).to_have_text("已转人工，排队第1位", timeout=30_000)
    ask(second, "我想找个人聊聊，最近压力太大了 转人工")
    expect(second.locator("#handoff-status")).to_have_text("已转人工，排队第2位", timeout=30_000)
    say(servers, "live-third", "我想找个人聊聊，最近压力太大了 转人工")

    counselor = api(servers.web_url, staff_accounts["counselor"])
    counselor.request("POST", f"/console/api/handoffs/{handoff_id(conversation_of(first))}/take", body={})
    expect(first.locator("#handoff-status")).to_have_text("工作人员小李已加入对话")
    expect(second.locator("#handoff-status")).to_have_text("已转人工，排队第1位")
    first.screenshot(path=str(ARTIFACTS / "live-chat-staff-joined.png"))

    staff = staff_console(browser, servers.web_url, staff_accounts["counselor"])
    problems += page_errors(staff)
    staff.goto(f"{servers.web_url}/console/conversations/{handoff_id(conversation_of(first))}")
    expect(staff.locator("#conv-state")).to_contain_text("处理中")
    staff.locator("#reply").press_sequentially("我在", delay=50)
    expect(first.locator("#staff-typing")).to_be_visible()
    expect(first.locator("#staff-typing")).to_have_text("工作人员正在输入…")
    expect(first.locator("#staff-typing")).to_be_hidden(timeout=10_000)  # the signal expires
    first.locator("#input").press_sequentially("我", delay=50)
    expect(staff.locator("#worker-typing")).to_be_visible()
    expect(staff.locator("#worker-typing")).to_have_text("职工正在输入…")
    first.keyboard.press("Enter")
    expect(staff.locator("#transcript li").last).to_contain_text("我", timeout=10_000)  # read again without polling

    counselor.request("POST", f"/console/api/handoffs/{handoff_id(conversation_of(second))}/close", body={})
    expect(second.locator("#handoff-status")).to_be_hidden()
    staff.click("#close")
    expect(first.locator("#handoff-status")).to_be_hidden()
    assert problems == []


def test_a_change_through_one_web_server_reaches_a_console_on_another(browser, servers, staff_accounts, tmp_path):
    with web_alone(tmp_path, os.environ["DATABASE_URL"]) as other:
        staff = staff_console(browser, other, staff_accounts["counselor"])
        worker = chat_page(browser, servers.web_url)
        shown = seconds_to_row(worker, staff)
        row = row_of(staff, conversation_of(worker))
        print(f"\nworker request (web server A, action server) -> console on web server B: {shown:.2f} s")
        expect(row.locator(".q-last")).to_contain_text("压力太大")  # B reads the tracker store too
        api(servers.web_url, staff_accounts["counselor"]).request(
            "POST", f"/console/api/handoffs/{handoff_id(conversation_of(worker))}/take", body={})
        expect(row.locator(".q-owner")).to_have_text("小李 处理中")
        started = time.monotonic()
        staff.goto(f"{other}/console/conversations/{handoff_id(conversation_of(worker))}")
        expect(staff.locator("#conv-state")).to_contain_text("处理中")
        # a signal every 2 s while typing: one reaches B's page once its stream is open (no sooner)
        worker.locator("#input").press_sequentially("在吗在吗在吗", delay=500)
        expect(staff.locator("#worker-typing")).to_be_visible()
        print(f"B's conversation page opened -> A's worker typing shown there: {time.monotonic() - started:.2f} s")
