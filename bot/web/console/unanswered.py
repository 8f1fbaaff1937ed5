"""What the assistant could not answer (admins, who edit knowledge/): groups of missed questions and marks.

An editor marks a group as covered by an existing entry or as needing a new one; the export turns
the groups into `questions:` lists to paste into knowledge/entries/*.yml. Only admins read and mark:
the page shows what workers typed (masked), and the knowledge base is theirs to change.
"""

from __future__ import annotations

import json

import yaml
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy.orm import Session

from bot.clock import local_time
from bot.kb.knowledge import KnowledgeBase
from bot.store import audit, unanswered
from bot.store.database import in_store
from bot.store.period import Period
from bot.web.console.auth import current_staff, staff_only
from bot.web.console.pages import download, knowledge_of, page
from bot.web.console.period import DEFAULT_DAYS, default_period, period_from, range_text

blueprint = Blueprint("console_unanswered", url_prefix="/console")

REASONS = {"not_answered": "没有回答（婉拒、没有把握或追问没有上文）", "low_confidence": "回答了但把握不大",
           "not_picked": "请职工选主题，职工没有选", "handoff": "之后马上转了人工"}
VERDICTS = {"covered": "已有条目覆盖", "new_entry": "需要新条目"}
NO_GUESS = "（助手没有猜出主题）"
NOT_MARKED = {unanswered.UnknownEntry: "没有标记：知识库里没有这个条目编号，请从列表中选择。",
              ValueError: "没有标记：这组问题已不在记录中，请刷新页面。"}


def background(kb: KnowledgeBase) -> list[str]:
    """The knowledge base's questions: what workers' questions usually sound like, for grouping."""
    return [question for entry in kb.entries.values() for question in entry.questions]


def topic_title(topic: str | None, kb: KnowledgeBase) -> str:
    """The guessed topic in Chinese, as the knowledge base names it."""
    if topic is None:
        return NO_GUESS
    return kb.topics[topic].title if topic in kb.topics else topic


def _ids(form_value: str) -> list[int]:
    return [int(part) for part in form_value.split(",") if part.strip().isdigit()]


@blueprint.get("/unanswered")
@staff_only("admin")
async def unanswered_page(request: Request, notice: str = "") -> HTTPResponse:
    """The groups of the chosen dates, the ones to review first, most asked first."""
    try:
        period, error = period_from(request), notice
    except ValueError as problem:
        period, error = default_period(), f"{problem}，下面是最近{DEFAULT_DAYS}天的问题。"
    staff, kb = current_staff(request), knowledge_of(request)

    def read(session: Session) -> unanswered.Unanswered:
        audit.record(session, staff_id=staff.id, action="unanswered_read", detail=range_text(period))
        return unanswered.unanswered(session, period=period, background=background(kb))

    found = await in_store(read)
    return page("unanswered.html", request, period=period, found=found, error=error, kb=kb, reasons=REASONS,
                verdicts=VERDICTS, topic_title=lambda topic: topic_title(topic, kb), local_time=local_time,
                show_marked=request.args.get("shown") == "marked", entries=sorted(kb.entries.values(),
                                                                                  key=lambda e: (e.topic, e.id)))


@blueprint.post("/unanswered/<verb:mark|unmark>")
@staff_only("admin")
async def unanswered_mark(request: Request, verb: str) -> HTTPResponse:
    """Mark a group (covered by an entry, or needing a new one), or take a mark off; back to the same dates."""
    staff, kb, form = current_staff(request), knowledge_of(request), request.form or {}
    ids = _ids(form.get("ids", ""))
    verdict, entry_id = form.get("verdict", ""), form.get("entry_id", "").strip() or None

    def act(session: Session) -> int:
        if verb == "unmark":
            done = unanswered.unmark(session, staff=staff, ids=ids)
        else:
            done = unanswered.mark(session, staff=staff, ids=ids, verdict=verdict, entry_id=entry_id, kb=kb)
        audit.record(session, staff_id=staff.id, action=f"unanswered_{verb}", target=str(min(ids, default=0)),
                     detail=f"{verdict if verb == 'mark' else ''} {entry_id or ''} {done}".strip())
        return done

    try:
        await in_store(act)
    except (unanswered.UnknownEntry, ValueError) as error:
        response = await unanswered_page(request, NOT_MARKED[type(error)])
        response.status = 400
        return response
    dates = f"from={request.args.get('from', '')}&to={request.args.get('to', '')}"
    return redirect(f"/console/unanswered?{dates}" + ("&shown=marked#marked" if verb == "mark" else "#open"))


@blueprint.get("/unanswered/export.txt")
@staff_only("admin")
async def unanswered_export(request: Request) -> HTTPResponse:
    """The groups as `questions:` lists for knowledge/entries/*.yml: new entries, covered ones, not yet marked."""
    try:
        period = period_from(request)
    except ValueError as problem:
        return HTTPResponse(str(problem), status=400, content_type="text/plain; charset=utf-8")
    staff, kb = current_staff(request), knowledge_of(request)

    def read(session: Session) -> unanswered.Unanswered:
        audit.record(session, staff_id=staff.id, action="unanswered_export", detail=range_text(period))
        return unanswered.unanswered(session, period=period, background=background(kb))

    found = await in_store(read)
    filename = f"unanswered-{period.first.isoformat()}-{period.last.isoformat()}.txt"
    return download(export_text(found, period, kb), filename=filename, content_type="text/plain; charset=utf-8")


def export_text(found: unanswered.Unanswered, period: Period, kb: KnowledgeBase) -> str:
    """Three sections of YAML-ready `questions:` lists, each group headed by a comment line.

    Indented as fields of an entry in knowledge/entries/*.yml, so a block pastes under `- id: ...`.
    """
    marked = [group for group in found.marked if group.review.verdict == "new_entry"]
    covered = [group for group in found.marked if group.review.verdict == "covered"]
    lines = [f"# 助手没能回答的问题（{period.first.isoformat()} 至 {period.last.isoformat()}），"
             "可粘贴到 knowledge/entries/*.yml 的条目下",
             "# 职工的原话已遮盖手机号、身份证号和姓名；粘贴前请再读一遍。", ""]
    for title, groups in (("需要新条目（新条目还要写 id、topic、title、answer、citations 等）", marked),
                          ("已有条目覆盖（把问法加到该条目的 questions 下）", covered),
                          ("还没有标记", found.open)):
        lines += [f"# ===== {title}：{len(groups)} 组 =====", ""]
        for group in groups:
            lines.append(f"    # 猜测的主题：{topic_title(group.topic, kb)}（{group.topic or '无'}），{group.count} 次")
            if group.review is not None and group.review.entry_id:
                entry = kb.entries.get(group.review.entry_id)
                where = f"{entry.title}，{entry.source}" if entry else "知识库里已没有这个条目"
                lines.append(f"    # 条目：{group.review.entry_id}（{where}）")
            lines.append("    questions:")
            lines += [f"      - {yaml_item(text)}" for text in group.texts]
            lines.append("")
    return "\n".join(lines)


def yaml_item(text: str) -> str:
    """The text as a YAML list item's value: plain when YAML reads it back unchanged, else double-quoted."""
    plain = " ".join(text.split())
    try:
        if yaml.safe_load(f"- {plain}") == [plain]:
            return plain
    except yaml.YAMLError:
        pass
    return json.dumps(plain, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar
