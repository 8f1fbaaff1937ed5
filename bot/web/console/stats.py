"""The union's statistics page (admins): figures from the question log and the handoff queue.

Every figure is a table (for screen readers and CSV) and a chart drawn by stats.js with ECharts
from the same rows, which the page carries as a JSON data block (CSP allows data, not inline code).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot import clock
from bot.kb.knowledge import KnowledgeBase
from bot.store import audit, handoff, orders, statistics
from bot.store.database import in_store
from bot.store.period import Period
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import csv_download, knowledge_of, page
from bot.web.console.period import DEFAULT_DAYS, default_period, period_from, range_text

blueprint = Blueprint("console_stats", url_prefix="/console")

CHANNELS = {"socketio": "网页聊天", "wechat": "微信公众号", "rest": "接口（REST）", "telegram": "Telegram"}
OUTCOMES = {"answer": "已回答", "clarify": "请职工在相近主题中选择", "unknown": "没有把握回答",
            "ask_topic_first": "追问前先问是哪方面", "decline": "超出服务范围，婉拒", "refer": "转介其他法律领域",
            "ask_rephrase": "没有中文，请职工换个说法"}
# Topic groups are the part of a topic id before the dot (knowledge/topics.yml lists them).
GROUPS = {"contract": "劳动合同", "wage": "工资报酬", "time": "工时与休假", "insurance": "社会保险",
          "injury": "工伤", "women": "女职工权益", "dispute": "劳动争议处理", "legalaid": "法律援助",
          "union": "工会服务与帮扶", "course": "培训课程", "service": "服务网点与热线"}
NO_TOPIC = "无主题（婉拒、转介等）"
MEASURES = {"wait": "等待接入", "duration": "人工处理时长"}


@dataclass(frozen=True)
class Table:
    """One figure: a title, what it counts, Chinese column headers, rows, and how stats.js draws it."""

    title: str
    note: str
    columns: tuple[str, ...]
    rows: list[tuple]
    chart: str  # stacked | bar | pie | times (stats.js)


def _conversations(session: Session, period: Period, _kb: KnowledgeBase) -> Table:
    rows = statistics.conversations_per_day(session, period=period)
    return Table("每天的会话数（按渠道）", "提过问题或要求转人工的会话，按当地日期计；跨过午夜的会话两天都计入。",
                 ("日期", "渠道", "会话数"),
                 [(r.day, CHANNELS.get(r.channel, r.channel), r.conversations) for r in rows], "stacked")


def _groups(session: Session, period: Period, _kb: KnowledgeBase) -> Table:
    rows = statistics.questions_by_group(session, period=period)
    return Table("问题按主题组", "职工的问题按知识库的主题组计数（请职工选择时按最可能的主题）。",
                 ("主题组", "问题数"),
                 [(GROUPS.get(r.key, r.key) if r.key else NO_TOPIC, r.count) for r in rows], "bar")


def _topics(session: Session, period: Period, kb: KnowledgeBase) -> Table:
    rows = statistics.questions_by_topic(session, period=period)
    return Table("问得最多的主题", "问题数最多的15个主题，主题名称来自知识库。",
                 ("主题", "问题数"), [(kb.topics[r.key].title if r.key in kb.topics else r.key, r.count) for r in rows],
                 "bar")


def _outcomes(session: Session, period: Period, _kb: KnowledgeBase) -> Table:
    rows = statistics.outcomes(session, period=period)
    return Table("助手的处理结果", "每个问题助手是怎么处理的：回答、请职工选择、婉拒、转介，或没有把握。",
                 ("结果", "问题数", "占比（%）"),
                 [(OUTCOMES.get(r.outcome, r.outcome), r.questions, round(r.share * 100, 1)) for r in rows], "pie")


def _handoffs(session: Session, period: Period, _kb: KnowledgeBase) -> Table:
    rows = statistics.handoffs_by_skill(session, period=period)
    return Table("转人工（按技能和原因）", "期间内发起的转人工，包括还在等待的和下班时间的留言。",
                 ("技能", "原因", "次数"),
                 [(handoff.SKILLS.get(r.skill, r.skill), handoff.REASONS.get(r.reason, r.reason), r.handoffs)
                  for r in rows], "stacked")


def _handoff_times(session: Session, period: Period, _kb: KnowledgeBase) -> Table:
    rows = statistics.handoff_times(session, period=period)
    return Table("转人工的等待与处理时长（分钟）",
                 "等待接入：从发起到工作人员接入；处理时长：从接入到结束。p50 是中位数，p90 表示九成在此时长之内。",
                 ("指标", "次数", "p50（分钟）", "p90（分钟）"),
                 [(MEASURES[r.measure], r.handoffs, r.p50_minutes, r.p90_minutes) for r in rows], "times")


def _orders(session: Session, period: Period, kb: KnowledgeBase) -> Table:
    rows = statistics.work_orders(session, period=period, today=clock.today())
    tiers = {code: tier.name for code, tier in kb.local.work_orders.tiers.items()}
    return Table("工单（按类型和级别）",
                 "期间内受理、办结的工单；按时办结率＝办结工单中在办结期限最后一天之前办完的比例；现超期＝今天仍未办结且已过期限的工单（不论何时受理）。",
                 ("类型与级别", "受理", "办结", "按时办结率（%）", "现超期"),
                 [(f"{orders.KINDS.get(r.kind, r.kind)}·{tiers.get(r.tier, r.tier)}", r.opened, r.closed,
                   _percent(r.closed_on_time, r.closed), r.overdue_now) for r in rows], "bar")


def _satisfaction(session: Session, period: Period, _kb: KnowledgeBase) -> Table:
    rows = statistics.ratings_by_service(session, period=period)
    totals: dict[str, int] = {}
    for r in rows:  # a few rows per service, already counted by the database
        totals[r.key] = totals.get(r.key, 0) + r.ratings
    return Table("满意度（按服务）",
                 "期间内职工给出的评价，按工单类型；每张工单只评一次；占比是该评价在这类服务全部评价中的比例。",
                 ("服务", "评价", "次数", "占比（%）"),
                 [(orders.KINDS.get(r.key, r.key), orders.RATINGS.get(r.rating, r.rating), r.ratings,
                   _percent(r.ratings, totals[r.key])) for r in rows], "stacked")


def _satisfaction_by_staff(session: Session, period: Period, _kb: KnowledgeBase) -> Table:
    rows = statistics.ratings_by_staff(session, period=period)
    totals: dict[str, list[int]] = {}
    for r in rows:  # a few rows per staff member, already counted by the database
        total = totals.setdefault(r.key, [0, 0])
        total[0] += r.ratings
        total[1] += r.ratings if r.rating in SATISFIED else 0
    return Table("满意度（按工作人员）", "工单负责人收到的评价；满意率＝“很满意”和“满意”占全部评价的比例。",
                 ("工作人员", "评价数", "满意率（%）"),
                 [(name, count, _percent(good, count)) for name, (count, good) in totals.items()], "bar")


SATISFIED = ("very_satisfied", "satisfied")


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


FIGURES: dict[str, Callable[[Session, Period, KnowledgeBase], Table]] = {
    "conversations": _conversations, "groups": _groups, "topics": _topics, "outcomes": _outcomes,
    "handoffs": _handoffs, "handoff_times": _handoff_times, "orders": _orders, "satisfaction": _satisfaction,
    "satisfaction_by_staff": _satisfaction_by_staff}


@blueprint.get("/stats")
@staff_only("admin")
async def stats_page(request: Request) -> HTTPResponse:
    """The figures for the chosen dates, as tables and charts."""
    try:
        period, error = period_from(request), ""
    except ValueError as problem:
        period, error = default_period(), f"{problem}，下面是最近{DEFAULT_DAYS}天的统计。"
    staff, kb = current_staff(request), knowledge_of(request)

    def read(session: Session) -> dict[str, Table]:
        audit.record(session, staff_id=staff.id, action="stats_read", detail=range_text(period))
        return {name: make(session, period, kb) for name, make in FIGURES.items()}

    tables = await in_store(read)
    data = {"from": period.first.isoformat(), "to": period.last.isoformat(),
            "tables": {name: asdict(table) for name, table in tables.items()}}
    return page("stats.html", request, period=period, tables=tables, data=data, error=error)


@blueprint.get("/stats/<file>")
@staff_only("admin")
async def stats_csv(request: Request, file: str) -> HTTPResponse:
    """One table as CSV (/console/stats/<table>.csv), UTF-8 with a byte-order mark so that Excel reads Chinese."""
    name = file.removesuffix(".csv")
    if not file.endswith(".csv") or name not in FIGURES:
        return HTTPResponse("没有这个统计表", status=404, content_type="text/plain; charset=utf-8")
    try:
        period = period_from(request)
    except ValueError as problem:
        return HTTPResponse(str(problem), status=400, content_type="text/plain; charset=utf-8")
    staff, kb = current_staff(request), knowledge_of(request)

    def read(session: Session) -> Table:
        audit.record(session, staff_id=staff.id, action="stats_csv", target=name, detail=range_text(period))
        return FIGURES[name](session, period, kb)

    table = await in_store(read)
    return csv_download(f"stats-{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv", table.columns,
                        table.rows)

