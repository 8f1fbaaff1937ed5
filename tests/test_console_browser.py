"""A worker in the chat page and a staff member in the console, two pages in headless Chromium."""

import datetime as dt
import os
import time

from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.store.database import session_scope
from bot.store.models import Handoff
from tests.conftest import STAFF_PASSWORD, console_page
from tests.test_browser import ask, bot_bubbles


def conversation_of(worker: Page) -> str:
    """The Rasa conversation id of a chat page (its signed token, less the tag); the page has been greeted."""
    return worker.evaluate("sessionStorage.getItem('zgfw.session')").rsplit(".", 1)[0]


ASK_FOR_A_PERSON = "我想找个人聊聊，最近压力太大了 转人工"


# Playwright looks for an element every 500 ms after the first few tries: the page notes the moment itself.
ROW_SEEN = """conversation => {
  window.rowSeen = null;
  const queue = document.getElementById("queue");
  new MutationObserver((_, observer) => {
    if (queue.querySelector(`[data-conversation='${conversation}']`)) {
      window.rowSeen = Date.now();
      observer.disconnect();
    }
  }).observe(queue, { childList: true, subtree: true });
}"""


def seconds_to_row(worker: Page, staff: Page, text: str = ASK_FOR_A_PERSON) -> float:
    """From the worker's Enter to their row on the open console page, as the page saw it (no reload)."""
    staff.evaluate(ROW_SEEN, conversation_of(worker))
    started = time.time()
    ask(worker, text)
    staff.locator(f"#queue [data-conversation='{conversation_of(worker)}']").wait_for(timeout=30_000)
    return staff.evaluate("window.rowSeen") / 1000 - started


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
    print(f"\nworker request -> console queue row: {seconds_to_row(worker, staff):.2f} s")
    row = staff.locator(f"#queue [data-conversation='{conversation_of(worker)}']")
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
    # the rating prompt may already follow it (bot.notify asks in the background)
    expect(bot_bubbles(worker).filter(has_text="之后您的问题由智能助手继续解答")).to_be_visible(timeout=30_000)
    expect(staff.locator("#conv-state")).to_contain_text("已结束")

    ask(worker, "加班费怎么算")
    expect(worker.locator(".msg--bot .msg__bubble", has_text="依据：").last).to_be_visible(timeout=30_000)


def written_at(conversation_id: str) -> float:
    """When the action server wrote the conversation's handoff (epoch seconds)."""
    with session_scope(os.environ["DATABASE_URL"], read_only=True) as session:
        created = session.execute(select(Handoff.created_at).where(Handoff.conversation_id == conversation_id)).scalar()
    return created.replace(tzinfo=dt.timezone.utc).timestamp()


def test_a_new_waiting_conversation_is_on_the_open_console_at_once(browser, servers, staff_accounts):
    staff = console_page(browser, servers.web_url, staff_accounts["counselor"])
    figures, live_path = [], []
    for _ in range(5):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        worker = context.new_page()
        worker.goto(servers.web_url + "/")
        expect(bot_bubbles(worker).first).to_be_visible(timeout=30_000)
        figures.append(seconds_to_row(worker, staff))
        live_path.append(staff.evaluate("window.rowSeen") / 1000 - written_at(conversation_of(worker)))
        context.close()
    print("\nworker request -> console queue row, 5 runs: " + ", ".join(f"{f:.2f} s" for f in figures))
    print("handoff written -> console queue row, 5 runs: " + ", ".join(f"{f:.2f} s" for f in live_path))
    staff.context.close()
