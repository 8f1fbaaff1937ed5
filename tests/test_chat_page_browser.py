"""The worker's chat page in headless Chromium: formatted answers, times, staff names, reconnects, duty hours."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.clock import LOCAL_TIME
from bot.rasa_api import RasaClient
from bot.settings import ROOT, load_settings
from bot.store.database import session_scope
from bot.store.models import Handoff
from tests.conftest import console_page, page_errors, web_alone, write_knowledge_copy
from tests.test_browser import ask, basis, bot_bubbles
from tests.test_console import tracker

ARTIFACTS = ROOT / "build" / "test-artifacts"
PHONE = {"width": 390, "height": 844}

# The page's DOM as nested lists: [tag, {attributes that matter}, children...]; text nodes are strings.
TREE = """text => {
  const walk = node => node.nodeType === Node.TEXT_NODE ? node.textContent : [
    node.nodeName.toLowerCase(),
    Object.fromEntries(["href", "start"].filter(a => node.hasAttribute(a)).map(a => [a, node.getAttribute(a)])),
    ...Array.from(node.childNodes).map(walk)];
  return Array.from(ChatFormat.richText(text).childNodes).map(walk);
}"""


@pytest.fixture
def phone(browser, servers) -> Page:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(servers.web_url + "/")
    expect(bot_bubbles(page).first).to_be_visible(timeout=30_000)
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def conversation_of(page: Page) -> str:
    return page.evaluate("sessionStorage.getItem('zgfw.session')").split(".")[0]


def said_by_worker(servers, conversation_id: str) -> list[str]:
    return [e["text"] for e in tracker(servers, conversation_id)["events"] if e["event"] == "user"]


def waiting_handoff(conversation_id: str) -> int:
    with session_scope(os.environ["DATABASE_URL"]) as session:
        return session.scalar(select(Handoff.id).where(Handoff.conversation_id == conversation_id,
                                                       Handoff.status == "waiting"))


def bot_says(servers, conversation_id: str, text: str, staff: str | None = None) -> None:
    """A message outside the worker's turn, the way the console sends one (bot.notify, RasaClient.say).

    In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    """
    saying = RasaClient(servers.rasa_url, servers.rasa_token).say(conversation_id, text, staff=staff)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, saying).result()


@pytest.mark.parametrize(("text", "tree"), [
    ("单位不按时发工资是违法的。\n怎么办：\n1. 先把证据留好。\n2. 找工会协商。\n拿不准的，找工会。",
     [["p", {}, "单位不按时发工资是违法的。", ["br", {}], "怎么办："],
      ["ol", {"start": "1"}, ["li", {}, "先把证据留好。"], ["li", {}, "找工会协商。"]],
      ["p", {}, "拿不准的，找工会。"]]),
    ("第一段\n\n第二段", [["p", {}, "第一段"], ["p", {}, "第二段"]]),
    ("- 甲\n• 乙\n· 丙", [["ul", {}, ["li", {}, "甲"], ["li", {}, "乙"], ["li", {}, "丙"]]]),
    ("3、第三步\n4、第四步", [["ol", {"start": "3"}, ["li", {}, "第三步"], ["li", {}, "第四步"]]]),
    ("1.5倍工资", [["p", {}, "1.5倍工资"]]),
    ("**加粗**和**没有收尾", [["p", {}, ["strong", {}, "加粗"], "和**没有收尾"]]),
    ("**先看[指南](https://example.org/a_b)再说**", [["p", {}, ["strong", {}, "先看",
                                                         ["a", {"href": "https://example.org/a_b"}, "指南"], "再说"]]]),
    ("详见https://example.org/path?a=1&b=2。然后", [["p", {}, "详见",
                                                    ["a", {"href": "https://example.org/path?a=1&b=2"},
                                                     "https://example.org/path?a=1&b=2"], "。然后"]]),
    ("网址（http://example.org/x），好的.", [["p", {}, "网址（",
                                              ["a", {"href": "http://example.org/x"}, "http://example.org/x"],
                                              "），好的."]]),
    ("see https://example.org/x.", [["p", {}, "see ",
                                     ["a", {"href": "https://example.org/x"}, "https://example.org/x"], "."]]),
    ("拨打12348或12351，手机13900000101；电话0000-12345601不算，123456也不算",
     [["p", {}, "拨打", ["a", {"href": "tel:12348"}, "12348"], "或", ["a", {"href": "tel:12351"}, "12351"],
       "，手机", ["a", {"href": "tel:13900000101"}, "13900000101"], "；电话0000-12345601不算，123456也不算"]]),
    ("· 12348 公共法律服务热线", [["ul", {}, ["li", {}, ["a", {"href": "tel:12348"}, "12348"], " 公共法律服务热线"]]]),
])
def test_bot_text_becomes_paragraphs_lists_bold_and_safe_links(phone: Page, text: str, tree: list):
    assert phone.evaluate(TREE, text) == tree


@pytest.mark.parametrize("text", [
    "** 不是加粗 ** 和 ****", "[点我](javascript:alert(1))和[再点](javascript:alert`1`)",
    "[本地](file:///etc/passwd) javascript:alert(1) data:text/html,<b>x</b>",
    "<img src=x onerror=alert(1)><script>alert(2)</script><a href='javascript:alert(3)'>x</a>",
])
def test_markup_and_other_link_schemes_stay_text(phone: Page, text: str):
    assert phone.evaluate(TREE, text) == [["p", {}, text]]


def test_an_answer_is_formatted_and_every_message_has_its_time_across_a_reload(phone: Page):
    errors = page_errors(phone)
    ask(phone, "老板欠了我两个月工资不给，怎么办")
    expect(basis(phone)).to_have_count(1, timeout=30_000)
    answer = phone.locator(".msg--bot .msg__bubble", has=phone.locator("ol")).last
    expect(answer.locator("ol li")).to_have_count(5)
    expect(answer.locator("ol li").first).to_contain_text("先把证据留好")
    expect(phone.locator(".msg--bot a[href='tel:12333']").first).to_be_visible()
    screenshot(phone, "chat-formatted-answer.png")

    times = phone.locator(".msg .msg__time")
    count = phone.locator(".msg").count()
    expect(times).to_have_count(count)
    now = dt.datetime.now()  # the browser's clock and time zone are this machine's
    lately = {f"{now - dt.timedelta(minutes=back):%H:%M}" for back in range(3)}
    assert set(times.all_inner_texts()) <= lately
    saved = phone.evaluate("JSON.parse(sessionStorage.getItem('zgfw.log'))")
    assert all(isinstance(entry["at"], int) for entry in saved)

    old = {"from": "bot", "text": "旧版页面存下的消息，没有时间", "buttons": []}
    phone.evaluate("entry => { const log = JSON.parse(sessionStorage.getItem('zgfw.log')); log.push(entry);"
                   " sessionStorage.setItem('zgfw.log', JSON.stringify(log)); }", old)
    phone.reload()
    expect(phone.locator(".msg")).to_have_count(count + 1)
    expect(times).to_have_count(count)
    expect(bot_bubbles(phone).last).to_have_text(old["text"])
    expect(answer.locator("ol li")).to_have_count(5)
    assert errors == []


def test_bot_and_worker_markup_is_shown_as_text_and_runs_nothing(phone: Page, servers):
    errors = page_errors(phone)
    worker_text = ("<img src=x onerror=\"window.hacked='worker'\"><script>window.hacked='w2'</script>"
                   "[链接](javascript:window.hacked='w3')")
    ask(phone, worker_text)
    expect(phone.locator(".msg--user .msg__bubble").last).to_have_text(worker_text)
    bot_text = ("<img src=x onerror=\"window.hacked='bot'\"> <script>window.hacked='b2'</script>\n"
                "- [点这里](javascript:window.hacked='b3')\n- javascript:window.hacked='b4'\n"
                "- <a href=\"javascript:window.hacked='b5'\">链接</a>")
    bot_says(servers, conversation_of(phone), bot_text, staff="<b onclick=\"window.hacked='staff'\">小李</b>")
    staff_message = phone.locator(".msg--staff").last
    expect(staff_message.locator(".msg__who")).to_have_text("工作人员 <b onclick=\"window.hacked='staff'\">小李</b>",
                                                            timeout=30_000)
    expect(staff_message.locator("li")).to_have_count(3)
    expect(staff_message.locator(".msg__bubble")).to_contain_text("<script>window.hacked='b2'</script>")
    log = phone.locator("#log")
    for tag in ("img", "script", "b"):
        assert log.locator(tag).count() == 0, tag
    # The markup became no link; the only links are the page's own (a hotline in the bot's answer to the worker).
    assert phone.locator(".msg--user a").count() == staff_message.locator("a").count() == 0
    assert all(href.startswith(("tel:", "https://", "http://"))
               for href in log.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))"))
    time.sleep(0.5)  # an onerror would have fired by now
    assert phone.evaluate("window.hacked") is None
    assert errors == []


def test_a_staff_members_reply_carries_their_name(browser, servers, staff_accounts, phone: Page):
    ask(phone, "转人工")
    expect(bot_bubbles(phone).last).to_contain_text("排队", timeout=30_000)
    staff = console_page(browser, servers.web_url, staff_accounts["admin"])
    staff.goto(f"{servers.web_url}/console/conversations/{waiting_handoff(conversation_of(phone))}")
    staff.click("#take")
    expect(phone.locator(".msg--staff .msg__who").last).to_have_text("工作人员 管理员", timeout=30_000)
    staff.fill("#reply", "您好，我是工会的工作人员。\n您可以先看看：\n- 劳动合同\n- 工资条")
    staff.click("#reply-form button")
    reply = phone.locator(".msg--staff", has_text="您可以先看看").last
    expect(reply.locator(".msg__who")).to_have_text("工作人员 管理员", timeout=30_000)
    expect(reply.locator("li")).to_have_count(2)
    expect(reply.locator(".msg__time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    assert phone.locator(".msg--bot:not(.msg--staff) .msg__who").count() == 0  # the bot has no name tag
    screenshot(phone, "chat-staff-message.png")
    staff.click("#close")
    closing = bot_bubbles(phone).filter(has_text="之后您的问题由智能助手继续解答")
    expect(closing).to_have_count(1, timeout=30_000)  # the rating prompt may already follow it
    staff.context.close()


def test_messages_typed_offline_wait_and_go_out_once_after_reconnect(phone: Page, servers):
    errors = page_errors(phone)
    conversation_id = conversation_of(phone)
    phone.context.set_offline(True)
    expect(phone.locator("#status")).to_contain_text("网络已断开", timeout=10_000)
    ask(phone, "加班费怎么算")
    ask(phone, "试用期可以不交社保吗")
    pending = phone.locator(".msg--user.msg--pending")
    expect(pending).to_have_count(2)
    expect(pending.locator(".msg__pending")).to_have_text(["待发送", "待发送"])
    expect(phone.locator("#status")).to_contain_text("待发送")
    screenshot(phone, "chat-offline-pending.png")

    phone.context.set_offline(False)
    expect(pending).to_have_count(0, timeout=30_000)
    expect(basis(phone)).to_have_count(2, timeout=60_000)
    expect(phone.locator("#status")).to_have_text("", timeout=30_000)
    assert said_by_worker(servers, conversation_id).count("加班费怎么算") == 1
    assert said_by_worker(servers, conversation_id).count("试用期可以不交社保吗") == 1
    assert not [e for e in json.loads(phone.evaluate("sessionStorage.getItem('zgfw.log')")) if e.get("pending")]

    # The network flaps while a message waits: it still goes out once.
    phone.context.set_offline(True)
    ask(phone, "年假有几天")
    for _ in range(3):
        phone.context.set_offline(False)
        time.sleep(0.3)
        phone.context.set_offline(True)
        time.sleep(0.3)
    phone.context.set_offline(False)
    expect(basis(phone)).to_have_count(3, timeout=60_000)
    time.sleep(2)  # a second copy would have been answered by now
    assert said_by_worker(servers, conversation_id).count("年假有几天") == 1
    expect(basis(phone)).to_have_count(3)
    assert errors == [] or all("ERR_INTERNET_DISCONNECTED" in e for e in errors)


def test_a_staff_reply_sent_while_the_phone_had_no_signal_shows_once_it_is_back(phone: Page, servers):
    errors = page_errors(phone)
    conversation_id = conversation_of(phone)
    phone.context.set_offline(True)
    expect(phone.locator("#status")).to_contain_text("网络已断开", timeout=10_000)
    bot_says(servers, conversation_id, "您好，我是工会的小李，刚才信号不好吗？", staff="小李")
    phone.context.set_offline(False)
    reply = phone.locator(".msg--staff", has_text="刚才信号不好吗")
    expect(reply).to_have_count(1, timeout=30_000)
    expect(reply.locator(".msg__who")).to_have_text("工作人员 小李")
    phone.reload()  # the reloaded page asks again for what came lately and shows nothing twice
    expect(phone.locator("#status")).to_have_text("", timeout=30_000)
    time.sleep(2)  # connected again by now, and told what came lately
    expect(phone.locator(".msg--staff", has_text="刚才信号不好吗")).to_have_count(1)
    assert errors == [] or all("ERR_INTERNET_DISCONNECTED" in e for e in errors)


def test_a_page_that_has_shown_nothing_from_the_bot_is_told_all_of_it(phone: Page):
    ask(phone, "加班费怎么算")
    expect(basis(phone)).to_have_count(1, timeout=60_000)
    told = bot_bubbles(phone).count()
    # The greeting and the answer never reached this page (lost with its connection): only the worker's words remain.
    phone.evaluate("sessionStorage.setItem('zgfw.log', JSON.stringify("
                   "JSON.parse(sessionStorage.getItem('zgfw.log')).filter(e => e.from === 'user')))")
    phone.reload()
    expect(basis(phone)).to_have_count(1, timeout=30_000)
    expect(bot_bubbles(phone)).to_have_count(told)
    time.sleep(2)  # a second copy would have come by now
    expect(bot_bubbles(phone)).to_have_count(told)


def test_a_message_waiting_when_the_page_is_reloaded_is_sent_after_it(phone: Page, servers):
    conversation_id = conversation_of(phone)
    phone.context.set_offline(True)
    expect(phone.locator("#status")).to_contain_text("网络已断开", timeout=10_000)
    ask(phone, "工伤怎么认定")
    expect(phone.locator(".msg--pending")).to_have_count(1)
    phone.context.set_offline(False)
    phone.reload()
    expect(basis(phone)).to_have_count(1, timeout=60_000)
    expect(phone.locator(".msg--pending")).to_have_count(0)
    assert said_by_worker(servers, conversation_id).count("工伤怎么认定") == 1


def test_enter_sends_and_shift_enter_starts_a_new_line_on_a_phone(phone: Page):
    phone.fill("#input", "第一行")
    phone.keyboard.press("Shift+Enter")
    phone.keyboard.type("第二行")
    expect(phone.locator("#input")).to_have_value("第一行\n第二行")
    expect(phone.locator(".msg--user")).to_have_count(0)
    phone.keyboard.press("Enter")
    expect(phone.locator(".msg--user .msg__bubble")).to_have_text(["第一行\n第二行"])
    expect(phone.locator("#input")).to_have_value("")
    for part in ("#input", "#send", "#status"):
        expect(phone.locator(part)).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(phone.locator("#off-duty")).to_be_hidden()  # people are on duty round the clock here


def narrow_hours(folder: Path) -> Path:
    """A knowledge copy whose people are on duty every day but today (local time)."""
    knowledge = write_knowledge_copy(folder)
    deployment = knowledge / "local" / "deployment.yml"
    local = yaml.safe_load(deployment.read_text(encoding="utf-8"))
    today = dt.datetime.now(LOCAL_TIME).isoweekday()
    local["handoff"]["hours"] = [{"days": [d for d in range(1, 8) if d != today], "from": "09:00", "to": "21:00"}]
    deployment.write_text(yaml.safe_dump(local, allow_unicode=True), encoding="utf-8")
    return knowledge


def test_out_of_hours_the_page_says_so_before_anyone_asks(browser, tmp_path, monkeypatch):
    from bot.tools import launcher

    knowledge = narrow_hours(tmp_path)
    monkeypatch.setenv("ZGFW_KNOWLEDGE_DIR", str(knowledge))
    database = f"sqlite:///{tmp_path / 'app.db'}"
    launcher.prepare_database(database, load_settings())
    with web_alone(tmp_path, database) as base:
        with urllib.request.urlopen(base + "/chat/status", timeout=30) as response:
            status = json.loads(response.read())
        assert status["onDuty"] is False and re.fullmatch(r"周.+ 09:00-21:00", status["hours"])
        page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
        page.goto(base + "/")
        notice = page.locator("#off-duty")
        expect(notice).to_contain_text(f"现在是非工作时间（工作时间：{status['hours']}）")
        expect(notice).to_contain_text("您可以继续向助手提问，或留下电话")
        expect(notice.get_by_role("button", name="留言等回电")).to_be_visible()
        expect(page.locator("#status")).to_contain_text("暂时连不上服务器", timeout=30_000)  # no Rasa here
        expect(page.locator("#send")).to_be_in_viewport()
        screenshot(page, "chat-out-of-hours.png")
        page.context.close()


def test_during_hours_the_status_says_someone_is_on_duty(servers):
    with urllib.request.urlopen(servers.web_url + "/chat/status", timeout=30) as response:
        assert response.headers["Cache-Control"] == "no-store"
        assert json.loads(response.read()) == {"onDuty": True, "hours": "周一至周日 00:00-24:00"}
