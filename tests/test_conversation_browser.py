"""The conversation view in headless Chromium against the real servers: what staff read, and how they answer."""

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import STAFF_PASSWORD, console_page, page_errors
from tests.test_browser import ask, basis, bot_bubbles
from tests.test_console import Browser

ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "build" / "test-artifacts"
INTAKE = [("我要申请法律援助，老板拖欠工资", "您同意吗"), ("同意", "哪家单位"), ("鑫达电子厂", "发生了什么"),
          ("干了三个月一分钱没拿到，老板电话打不通了", "多少钱"), ("大概一万五", "什么时候开始"),
          ("今年8月", "街道或镇"), ("东湖", "怎么称呼"), ("王建国", "手机号"), ("13812345679", "请核对")]
CLOCK = re.compile(r"\d{1,2}:\d{2}:\d{2}")


def colleague(username: str, display_name: str, role: str) -> str:
    from bot.staff.accounts import create_staff
    from bot.store.database import session_scope

    with session_scope(os.environ["DATABASE_URL"]) as session:
        create_staff(session, username=username, display_name=display_name, role=role, password=STAFF_PASSWORD)
    return username


def worker_with_a_case(browser, servers) -> tuple[Page, str]:  # noqa: ANN001
    """A worker on a phone who applied for legal aid, asked about overtime pay, then asked for a person."""
    worker = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    worker.goto(servers.web_url + "/")
    expect(bot_bubbles(worker).first).to_be_visible(timeout=30_000)
    for text, expected in INTAKE:
        ask(worker, text)
        expect(bot_bubbles(worker).last).to_contain_text(expected, timeout=30_000)
    worker.get_by_role("button", name="确认提交").last.click()
    expect(worker.locator(".msg--bot .msg__bubble", has_text="FY-").last).to_be_visible(timeout=30_000)
    ask(worker, "加班费怎么算")
    expect(basis(worker).last).to_be_visible(timeout=30_000)
    expect(bot_bubbles(worker).filter(has_text="加班费").last).to_be_visible()
    ask(worker, "转人工")
    expect(bot_bubbles(worker).last).to_contain_text("排队", timeout=30_000)
    return worker, worker.evaluate("sessionStorage.getItem('zgfw.session')").split(".")[0]  # less its signature


def open_conversation(page: Page, conversation_id: str) -> None:
    row = page.locator(f'#queue .q-row[data-conversation="{conversation_id}"]')
    expect(row).to_be_visible(timeout=30_000)
    row.get_by_role("link").click()
    expect(page.locator("#transcript li").first).to_be_visible(timeout=30_000)


def staff_bubbles(worker: Page):
    return worker.locator(".msg--bot .msg__bubble", has_text="【工作人员")


def test_staff_read_the_whole_conversation_and_answer_from_the_keyboard(browser, servers, staff_accounts):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    zhao = colleague("lawyer-zhao", "赵律师", "legal")
    worker, conversation_id = worker_with_a_case(browser, servers)
    staff = console_page(browser, servers.web_url, staff_accounts["legal"])
    errors = page_errors(staff)
    open_conversation(staff, conversation_id)

    # Who said what and when: the worker, the bot, and (once taken) this staff member by name.
    expect(staff.locator(".line--worker .line__who").first).to_contain_text("职工")
    expect(staff.locator(".line--bot .line__who").first).to_contain_text("智能助手")
    assert CLOCK.search(staff.locator(".line--worker .line__who").first.text_content())
    staff.click("#take")
    expect(bot_bubbles(worker).last).to_contain_text("工作人员王律师已接入", timeout=30_000)
    expect(staff.locator(".line--staff .line__who").last).to_contain_text("工作人员 王律师", timeout=30_000)

    # What the worker did, what they typed into the form (phone masked), the bot's topic and its answer.
    expect(staff.locator("#done")).to_contain_text("法律援助案件 FY-", timeout=30_000)
    expect(staff.locator("#done")).to_contain_text("欠薪")
    answers = staff.locator("#answers")
    expect(answers).to_contain_text("用人单位鑫达电子厂")
    expect(answers).to_contain_text("138****5679")
    assert "13812345679" not in answers.text_content()
    expect(staff.locator("#guess-topic")).to_contain_text("加班")
    expect(staff.locator("#guess-entry summary")).to_contain_text("已用知识条目回答：加班费")
    staff.locator("#guess-entry summary").click()
    expect(staff.locator("#guess-entry .pre")).to_be_visible()
    staff.evaluate("refreshContext()")  # what every new line of the conversation does: the entry stays open
    expect(staff.locator("#guess-entry details")).to_have_attribute("open", "")
    expect(staff.locator("#guess-entry .citations")).to_contain_text("《")

    # An internal note stays with staff.
    staff.fill("#note", "职工情绪激动，先安抚再谈仲裁")
    staff.click("#note-form button")
    expect(staff.locator("#notes")).to_contain_text("王律师：职工情绪激动，先安抚再谈仲裁", timeout=30_000)
    expect(staff.locator("#note")).to_have_value("")

    # A canned response from the keyboard alone: "/", a filter, arrows, Enter to insert, Enter to send.
    box = staff.locator("#reply")
    box.focus()
    staff.keyboard.type("/")
    menu = staff.locator("#canned-menu")
    expect(menu).to_be_visible()
    staff.screenshot(path=str(ARTIFACTS / "conversation-canned-menu.png"), full_page=True)
    staff.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(box).to_have_value("/")
    staff.keyboard.press("Backspace")
    staff.keyboard.type("/面谈")
    expect(menu.locator("[role=option]")).to_have_count(1)
    expect(menu.locator("[aria-selected=true]")).to_contain_text("到服务中心面谈")
    staff.keyboard.press("Enter")
    expect(menu).to_be_hidden()
    expect(box).to_have_value(re.compile(r"^您可以带上.*到东湖街道职工之家（.*）找我们面谈。$"))
    staff.keyboard.press("Enter")
    expect(staff_bubbles(worker).last).to_contain_text("到东湖街道职工之家", timeout=30_000)
    expect(box).to_have_value("")
    staff.keyboard.type("/")
    staff.keyboard.press("ArrowDown")
    staff.keyboard.press("ArrowUp")
    expect(menu.locator("[aria-selected=true]")).to_contain_text("问候")
    staff.keyboard.press("Enter")
    expect(box).to_have_value(re.compile("^您好，我是工会工作人员王律师，"))
    staff.keyboard.press("Enter")
    expect(staff_bubbles(worker).last).to_contain_text("我是工会工作人员王律师", timeout=30_000)

    # Shift+Enter is a new line, Enter sends both lines.
    staff.keyboard.type("第一行")
    staff.keyboard.press("Shift+Enter")
    staff.keyboard.type("第二行")
    expect(box).to_have_value("第一行\n第二行")
    staff.keyboard.press("Enter")
    expect(staff_bubbles(worker).last).to_contain_text("第一行第二行", timeout=30_000)
    assert "第一行\n第二行" in staff_bubbles(worker).last.inner_text()  # the line break reaches the worker's page

    # 发送知识条目: search, Enter takes the first, the answer and its legal basis land in the box to edit.
    staff.click("#open-knowledge")
    dialog = staff.locator("#knowledge-dialog")
    expect(dialog).to_be_visible()
    staff.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    staff.click("#open-knowledge")
    staff.keyboard.type("加班费怎么算")
    expect(dialog.locator("#knowledge-results button").first).to_contain_text("加班费怎么算", timeout=10_000)
    staff.screenshot(path=str(ARTIFACTS / "conversation-knowledge-search.png"), full_page=True)
    staff.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(box).to_have_value(re.compile(r"加班.*\n\n依据：《", re.S))
    staff.keyboard.type("（王律师补充：请保留考勤记录）")
    staff.keyboard.press("Enter")
    expect(basis(worker).last).to_contain_text("王律师补充", timeout=30_000)  # a paragraph a bubble
    staff.screenshot(path=str(ARTIFACTS / "conversation-desktop.png"), full_page=True)
    for name in ("/context", "/console/api/knowledge"):
        took = staff.evaluate(f"performance.getEntriesByType('resource').filter(e => e.name.includes('{name}'))"
                              ".map(e => e.duration)")
        print(f"\n{name}: {len(took)} calls, slowest {max(took):.0f} ms, median {sorted(took)[len(took) // 2]:.0f} ms")

    # The note never reached the worker.
    assert "情绪激动" not in worker.locator("#log").text_content()

    # To a named colleague: the worker is told, the colleague finds it in the queue as theirs and takes it.
    zhao = console_page(browser, servers.web_url, zhao)
    staff.locator("#colleague").select_option(label="赵律师")
    staff.click("#transfer-colleague")
    expect(bot_bubbles(worker).last).to_contain_text("您的问题已转给", timeout=30_000)
    expect(zhao.locator(f'#queue .q-row[data-conversation="{conversation_id}"]')).to_contain_text("转给您的",
                                                                                            timeout=30_000)
    staff.goto(servers.web_url + "/console/")
    expect(staff.locator(f'#queue .q-row[data-conversation="{conversation_id}"]')).to_contain_text("已转给同事")
    zhao.set_viewport_size({"width": 390, "height": 844})
    open_conversation(zhao, conversation_id)
    zhao.click("#take")
    expect(bot_bubbles(worker).last).to_contain_text("工作人员赵律师已接入", timeout=30_000)
    expect(zhao.locator("#notes")).to_contain_text("职工情绪激动")  # the note is there for the colleague
    expect(zhao.locator("#done")).to_contain_text("FY-")
    assert zhao.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out on a phone
    expect(zhao.locator("#reply")).to_be_in_viewport()
    zhao.screenshot(path=str(ARTIFACTS / "conversation-phone.png"), full_page=True)
    zhao.locator("#reply").fill("我接着为您处理。")
    zhao.locator("#reply").press("Enter")
    expect(staff_bubbles(worker).last).to_contain_text("【工作人员赵律师】我接着为您处理。", timeout=30_000)
    assert errors == []

    # Asked for a person after a labor question, the worker waits for the legal team: a counselor's queue
    # does not list the conversation (what each role reads of a record: tests/test_conversation_tools.py).
    counselor = console_page(browser, servers.web_url, staff_accounts["counselor"])
    listed = counselor.request.get(servers.web_url + "/console/api/queue").json()["items"]
    assert conversation_id not in {item["conversation_id"] for item in listed}


def test_admins_add_edit_and_delete_canned_responses_safely(browser, servers, staff_accounts):
    admin = console_page(browser, servers.web_url, staff_accounts["admin"])
    errors = page_errors(admin)
    admin.goto(servers.web_url + "/console/canned")
    expect(admin.locator("#canned-list")).to_contain_text("到服务中心面谈")
    admin.fill("input[name=id]", "Bad Id")
    admin.fill("input[name=title]", "夜间热线")
    admin.fill("textarea[name=text]", "晚上也可以拨打{hotline}，或者拨打{unknown}")
    admin.evaluate("document.querySelector('input[name=id]').removeAttribute('pattern')")
    admin.click("#canned-form button[type=submit]")
    expect(admin.locator("#error")).to_contain_text("不认识的变量 unknown")
    expect(admin.locator("textarea[name=text]")).to_have_value("晚上也可以拨打{hotline}，或者拨打{unknown}")
    admin.fill("input[name=id]", "night-hotline")
    admin.fill("textarea[name=text]", "晚上也可以拨打{hotline}。")
    admin.fill("input[name=tags]", "热线 夜间")
    admin.click("#canned-form button[type=submit]")
    expect(admin.locator("#canned-list tr[data-id=night-hotline]")).to_contain_text("夜间热线")
    admin.locator("#canned-list tr[data-id=night-hotline]").get_by_role("link", name="修改").click()
    admin.fill("input[name=title]", "夜里的热线")
    admin.click("#canned-form button[type=submit]")
    expect(admin.locator("#canned-list tr[data-id=night-hotline]")).to_contain_text("夜里的热线")
    admin.screenshot(path=str(ARTIFACTS / "canned-admin.png"), full_page=True)
    saved = (servers.knowledge_dir / "canned.yml").read_text(encoding="utf-8")
    assert "night-hotline" in saved and "夜里的热线" in saved

    # Nobody posts without the page's token, and only admins edit.
    plain = Browser(servers.web_url)
    assert plain.login(staff_accounts["admin"]) == 302
    assert plain.request("POST", "/console/canned", form={"id": "x", "title": "x", "text": "x"})[0] == 403
    counselor = Browser(servers.web_url)
    assert counselor.login(staff_accounts["counselor"]) == 302
    assert counselor.request("POST", "/console/canned", form={"csrf_token": counselor.csrf, "id": "x", "title": "x",
                                                              "text": "x"})[0] == 403

    admin.locator("#canned-list tr[data-id=night-hotline] button").click()
    expect(admin.locator("#canned-list tr[data-id=night-hotline]")).to_have_count(0)
    assert "night-hotline" not in (servers.knowledge_dir / "canned.yml").read_text(encoding="utf-8")
    assert errors == []
