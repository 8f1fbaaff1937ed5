"""A worker in the chat page, in headless Chromium (Debian's), driven by Playwright."""

import pytest
from playwright.sync_api import Page, expect


@pytest.fixture
def phone(browser, servers) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(servers.web_url + "/")
    yield page
    context.close()


def bot_bubbles(page: Page):
    return page.locator(".msg--bot .msg__bubble")


def basis(page: Page):
    """Bubbles with a citation line (the socket.io channel sends each paragraph as a bubble)."""
    return page.locator(".msg--bot .msg__bubble", has_text="依据：")


def ask(page: Page, text: str) -> None:
    page.fill("#input", text)
    page.keyboard.press("Enter")


def test_worker_asks_and_reads_the_answer_with_its_legal_basis(phone: Page):
    expect(bot_bubbles(phone).first).to_contain_text("职工服务助手", timeout=30_000)
    for title in ("劳动法律咨询", "困难帮扶", "课程报名", "申请法律援助", "转人工"):
        expect(phone.get_by_role("button", name=title).first).to_be_visible()
    expect(phone.locator("#send")).to_be_in_viewport()

    ask(phone, "老板欠了我两个月工资不给，怎么办")
    expect(phone.locator(".msg--user .msg__bubble").last).to_have_text("老板欠了我两个月工资不给，怎么办")
    expect(phone.locator("#typing")).to_be_visible()
    expect(basis(phone)).to_have_count(1, timeout=30_000)
    expect(phone.locator("#typing")).to_be_hidden()


def test_the_conversation_survives_a_reload_and_buttons_work(phone: Page):
    expect(bot_bubbles(phone).first).to_be_visible(timeout=30_000)
    ask(phone, "上班路上被车撞了算工伤吗")
    expect(basis(phone)).to_have_count(1, timeout=30_000)
    shown = bot_bubbles(phone).count()
    phone.reload()
    expect(phone.locator(".msg--user .msg__bubble")).to_have_text(["上班路上被车撞了算工伤吗"])
    expect(bot_bubbles(phone)).to_have_count(shown)
    ask(phone, "那要准备什么材料")
    expect(basis(phone)).to_have_count(2, timeout=30_000)
    phone.get_by_role("button", name="转人工").last.click()
    expect(bot_bubbles(phone).last).to_contain_text("排队", timeout=30_000)


def test_worker_text_is_shown_as_text_and_empty_input_is_explained(phone: Page):
    expect(bot_bubbles(phone).first).to_be_visible(timeout=30_000)
    phone.click("#send")
    expect(phone.locator("#status")).to_have_text("请先输入您的问题。")
    ask(phone, "<b>老板</b>跑了")
    expect(phone.locator(".msg--user .msg__bubble").last).to_have_text("<b>老板</b>跑了")
    assert phone.locator(".msg--user b").count() == 0
