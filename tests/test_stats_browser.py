"""The statistics page in headless Chromium: charts drawn, the date filter changes the figures, a CSV download.

Only the web server runs, on a free port with its own scratch database holding the seeded history
(tests/stats_history.py), so this test runs beside the full system's tests.
"""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.settings import ROOT
from bot.store.database import session_scope
from bot.store.models import AuditEntry
from tests import stats_history
from tests.conftest import console_page, page_errors, seeded_web
from tests.stats_history import today

ARTIFACTS = ROOT / "build" / "test-artifacts"
CHARTS = ("conversations", "groups", "topics", "outcomes", "handoffs", "handoff_times", "orders", "satisfaction",
          "satisfaction_by_staff")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The web server alone, on a free port, over a scratch database with the seeded history: (base URL, db URL)."""
    staff = {"stats-admin": ("统计管理员", "admin"), "stats-lawyer": ("王律师", "legal")}
    with seeded_web(tmp_path_factory.mktemp("stats"), stats_history.seed, staff) as web:
        yield web


def cells(page: Page, table: str) -> list[list[str]]:
    rows = page.locator(f"#table-{table} tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]


def test_an_admin_reads_the_charts_filters_by_date_and_downloads_a_csv(browser, web):
    base, database = web
    page = console_page(browser, base, "stats-admin")
    problems = page_errors(page)

    page.click("nav >> text=统计")
    expect(page.locator("h1")).to_have_text("服务统计")
    assert page.input_value("#from") == (today() - dt.timedelta(days=29)).isoformat()
    assert page.input_value("#to") == today().isoformat()
    for name in CHARTS:
        expect(page.locator(f"#chart-{name} canvas").first).to_be_visible()
    # the last 30 days: everything but the question and handoff of 40 days ago
    assert cells(page, "outcomes") == [["已回答", "4", "57.1"], ["请职工在相近主题中选择", "1", "14.3"],
                                       ["超出服务范围，婉拒", "1", "14.3"], ["转介其他法律领域", "1", "14.3"]]
    assert cells(page, "handoff_times")[0] == ["等待接入", "5", "3.0", "10.0"]
    assert cells(page, "orders") == [
        ["留言回电·一般问题", "1", "0", "—", "0"], ["法律援助案件·难点问题", "2", "2", "50.0", "0"],
        ["转人工·一般问题", "1", "1", "100.0", "0"], ["困难帮扶转介·难点问题", "0", "0", "—", "1"]]
    assert cells(page, "satisfaction_by_staff") == [["小李", "1", "100.0"], ["王律师", "2", "50.0"]]
    assert cells(page, "satisfaction") == [
        ["法律援助案件", "不满意", "1", "50.0"], ["法律援助案件", "满意", "1", "50.0"],
        ["转人工", "很满意", "1", "100.0"]]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stats.png"), full_page=True)

    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    page.fill("#from", yesterday)
    page.fill("#to", yesterday)
    page.click("#period button[type=submit]")
    expect(page.locator("#table-outcomes tbody tr")).to_have_count(2)
    assert cells(page, "outcomes") == [["已回答", "1", "50.0"], ["转介其他法律领域", "1", "50.0"]]
    assert cells(page, "conversations") == [[yesterday, "微信公众号", "2"]]
    for name in CHARTS:
        expect(page.locator(f"#chart-{name} canvas").first).to_be_visible()

    with page.expect_download() as download:
        page.click("#stat-conversations a.csv")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 Chinese only with the byte-order mark
    assert content.decode("utf-8-sig").splitlines() == ["日期,渠道,会话数", f"{yesterday},微信公众号,2"]
    assert download.value.suggested_filename == f"stats-conversations-{yesterday}-{yesterday}.csv"
    assert problems == []

    with session_scope(database) as session:
        read = session.execute(select(AuditEntry.action, AuditEntry.target, AuditEntry.detail)
                               .where(AuditEntry.action.like("stats_%")).order_by(AuditEntry.id)).all()
    assert read[-2:] == [("stats_read", "", f"{yesterday}..{yesterday}"),
                         ("stats_csv", "conversations", f"{yesterday}..{yesterday}")]


def test_bad_dates_are_explained_and_other_roles_may_not_read_statistics(browser, web):
    base, _ = web
    admin = console_page(browser, base, "stats-admin")
    admin.goto(base + "/console/stats?from=2026-13-01&to=x")
    expect(admin.locator(".error")).to_contain_text("日期格式不对")
    assert admin.input_value("#to") == today().isoformat()  # the last 30 days instead
    assert admin.request.get(base + "/console/stats/nothing.csv").status == 404
    later = admin.request.get(base + "/console/stats/outcomes.csv?from=2026-02-01&to=2026-01-01")
    assert later.status == 400 and "开始日期晚于结束日期" in later.text()

    lawyer = console_page(browser, base, "stats-lawyer")
    expect(lawyer.locator("nav >> text=统计")).to_have_count(0)
    for path in ("/console/stats", "/console/stats/outcomes.csv"):
        answer = lawyer.request.get(base + path)
        assert answer.status == 403 and "无权" in answer.text()
