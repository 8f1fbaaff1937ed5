"""A worker in the chat page and a staff member in the console, two pages in headless Chromium."""

import time

from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD
from tests.test_browser import ask, bot_bubbles


def test_a_worker_reaches_a_person_and_gets_the_bot_back(browser, servers, staff_accounts):
    worker = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()

    staff.goto(servers.web_url + "/console/")
    expect(staff).to_have_url(servers.web_url + "/console/login")
    staff.fill("input[name=username]", staff_accounts["counselor"])
    staff.fill("input[name=password]", STAFF_PASSWORD)
    staff.click("button[type=submit]")
    expect(staff.locator("h1")).to_contain_text("排队会话")

    worker.goto(servers.web_url + "/")
    expect(bot_bubbles(worker).first).to_be_visible(timeout=30_000)
    started = time.monotonic()
    ask(worker, "我想找个人聊聊，最近压力太大了 转人工")
    row = staff.locator("#queue tr", has_text="等待中").last
    expect(row).to_be_visible(timeout=30_000)
    shown_after = time.monotonic() - started
    print(f"\nworker request -> console queue row: {shown_after:.2f} s")
    expect(bot_bubbles(worker).last).to_contain_text("排队", timeout=30_000)

    row.get_by_role("link").click()
    expect(staff.locator("#transcript")).to_contain_text("压力太大", timeout=30_000)
    staff.click("#take")
    expect(bot_bubbles(worker).last).to_contain_text("工作人员小李已接入", timeout=30_000)

    ask(worker, "<script>window.hacked=1</script>我睡不着")
    expect(staff.locator("#transcript li").last).to_contain_text("<script>window.hacked=1</script>我睡不着",
                                                                 timeout=30_000)
    assert staff.locator("#transcript script").count() == 0 and staff.evaluate("window.hacked") is None
    expect(bot_bubbles(worker).last).to_contain_text("已接入")  # the bot stayed quiet

    staff.fill("#reply", "我在，慢慢说。")
    staff.click("#reply-form button")
    expect(bot_bubbles(worker).last).to_contain_text("【工作人员小李】我在，慢慢说。", timeout=30_000)
    expect(staff.locator("#reply")).to_have_value("")

    staff.click("#close")
    expect(bot_bubbles(worker).last).to_contain_text("之后您的问题由智能助手继续解答", timeout=30_000)
    expect(staff.locator("#conv-state")).to_contain_text("已结束")

    ask(worker, "加班费怎么算")
    expect(worker.locator(".msg--bot .msg__bubble", has_text="依据：").last).to_be_visible(timeout=30_000)
