"""The page of unanswered questions in headless Chromium: an admin sees the groups, marks one as covered
by an entry and sees it move, downloads the export; other roles may not read it.

Only the web server runs, on a free port with its own scratch database holding the seeded log
(tests/unanswered_history.py), so this test runs beside the full system's tests.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bot.settings import ROOT
from bot.store.database import session_scope
from bot.store.models import AuditEntry, QuestionReview
from tests import unanswered_history
from tests.conftest import console_page, page_errors, seeded_web

ARTIFACTS = ROOT / "build" / "test-artifacts"
ENTRY = "contract-written-no-contract"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The web server alone over a scratch database with the seeded log: (base URL, db URL)."""
    staff = {"kb-admin": ("编辑老周", "admin"), "kb-lawyer": ("王律师", "legal"), "kb-counselor": ("小李", "counselor")}
    with seeded_web(tmp_path_factory.mktemp("unanswered"), unanswered_history.seed, staff) as web:
        yield web


def test_an_admin_marks_a_group_as_covered_and_it_moves(browser, web, kb):
    base, database = web
    page = console_page(browser, base, "kb-admin")
    problems = page_errors(page)

    page.click("nav >> text=没能回答的问题")
    expect(page.locator("h1")).to_have_text("助手没能回答的问题")
    groups = page.locator("#open article.group")
    expect(groups).to_have_count(6)
    riders = groups.first
    expect(riders.locator(".count")).to_have_text("3")
    expect(riders.locator(".examples li")).to_have_count(3)
    expect(riders).to_contain_text("外卖骑手算不算员工")
    expect(riders.locator(".topic")).to_have_text(kb.topics["contract.written"].title)  # the guessed topic
    expect(page.locator("#open")).to_contain_text("我叫**，电话138****5678，身份证110101********1234")
    assert "13812345678" not in page.content() and "张三" not in page.content()
    expect(page.locator("#marked")).to_contain_text("已标记（0 组）")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    riders.locator("input[name=entry_id]").fill("no-such-entry")  # an id the knowledge base does not have
    riders.locator("form.mark-covered button").click()
    expect(page.locator(".error")).to_contain_text("知识库里没有这个条目编号")
    expect(page.locator("#open article.group")).to_have_count(6)
    problems.clear()  # the refusal above is a 400, which Chromium reports on its console

    riders = page.locator("#open article.group").first
    riders.locator("input[name=entry_id]").fill(ENTRY)
    riders.locator("form.mark-covered button").click()
    expect(page.locator("#open article.group")).to_have_count(5)
    expect(page.locator("#open")).not_to_contain_text("外卖骑手算不算员工")
    marked = page.locator("#marked article.group")
    expect(marked).to_have_count(1)
    expect(marked).to_be_visible()  # the marked section is open after marking
    expect(marked.locator(".verdict")).to_have_text("已有条目覆盖")
    expect(marked.locator(".entry")).to_have_text(ENTRY)
    expect(marked).to_contain_text("外卖骑手算不算员工")
    expect(marked).to_contain_text("编辑老周")
    page.screenshot(path=str(ARTIFACTS / "unanswered.png"), full_page=True)

    page.locator("#open article.group").first.locator("form.mark-new button").click()
    expect(page.locator("#marked article.group")).to_have_count(2)
    with page.expect_download() as download:
        page.click("#export")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "已有条目覆盖（把问法加到该条目的 questions 下）：1 组" in exported
    assert f"    # 条目：{ENTRY}" in exported and "      - 外卖骑手算不算员工" in exported
    assert "需要新条目（" in exported and "还没有标记：4 组" in exported
    assert "13812345678" not in exported
    assert problems == []

    with session_scope(database) as session:
        reviews = session.execute(select(QuestionReview.verdict, QuestionReview.entry_id)).all()
        audited = session.execute(select(AuditEntry.action).where(AuditEntry.action.like("unanswered_%"))
                                  .order_by(AuditEntry.id)).scalars().all()
    assert sorted(reviews) == [("covered", ENTRY)] * 3 + [("new_entry", None)]
    assert audited == ["unanswered_read", "unanswered_read", "unanswered_mark", "unanswered_read", "unanswered_mark",
                       "unanswered_read", "unanswered_export"]

    page.locator("#marked article.group").first.locator("form.unmark button").click()
    expect(page.locator("#open article.group")).to_have_count(5)


def test_other_roles_may_not_read_or_mark(browser, web):
    base, _ = web
    for username in ("kb-lawyer", "kb-counselor"):
        page = console_page(browser, base, username)
        expect(page.locator("nav >> text=没能回答的问题")).to_have_count(0)
        for path in ("/console/unanswered", "/console/unanswered/export.txt"):
            answer = page.request.get(base + path)
            assert answer.status == 403 and "无权" in answer.text()
        refused = page.request.post(base + "/console/unanswered/mark", form={"ids": "1", "verdict": "new_entry"})
        assert refused.status == 403
