"""Canned responses (常用回复): short texts staff insert into a reply, kept in knowledge/canned.yml.

Staff edit them on the console's admin page or in the file itself; either way the file is checked
on load. It is wording read at run time, never a training input (scripts/train.sh leaves it out of
the model digest, as it does knowledge/replies.yml). Variables in braces are filled from
knowledge/local and the conversation when a response is inserted.
"""

from __future__ import annotations

import os
import re
import string
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.kb.knowledge import KnowledgeError
from bot.kb.local import LocalData

FILE = "canned.yml"
VARIABLES = {"street_centre": "职工所在街道的服务中心", "hotline": "工会服务热线",
             "legal_aid_centre": "法律援助中心", "staff_name": "您的名字"}
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TITLE_LIMIT, TEXT_LIMIT, TAG_LIMIT = 30, 2000, 10
HEADER = ("# 常用回复：工作人员在回复框里输入“/”即可选用。可以在工作台“常用回复”页面修改，也可以直接改这个文件。\n"
          "# 每条有 id（小写字母、数字和连字符）、title（标题）、text（正文）、可选的 tags（标签）。\n"
          "# 正文里可用的变量：" + "、".join(f"{{{name}}}（{label}）" for name, label in VARIABLES.items()) + "\n")
_writing = threading.Lock()  # one read-change-write at a time in this process


class CannedError(KnowledgeError):
    """The file or an edit breaks a rule; every problem is listed, in Chinese, for staff to fix at once."""


@dataclass(frozen=True)
class Canned:
    """One canned response."""

    id: str
    title: str
    text: str
    tags: tuple[str, ...] = ()


def problems_of(canned: Canned) -> list[str]:
    """What is wrong with one response (empty when it is fine)."""
    found = []
    if not ID.match(canned.id):
        found.append(f"编号“{canned.id}”只能用小写字母、数字和连字符")
    if not 0 < len(canned.title.strip()) <= TITLE_LIMIT:
        found.append(f"{canned.id}：标题不能为空，也不能超过{TITLE_LIMIT}字")
    if not 0 < len(canned.text.strip()) <= TEXT_LIMIT:
        found.append(f"{canned.id}：正文不能为空，也不能超过{TEXT_LIMIT}字")
    if len(canned.tags) > TAG_LIMIT or any(not tag.strip() for tag in canned.tags):
        found.append(f"{canned.id}：标签最多{TAG_LIMIT}个，且不能为空")
    try:
        unknown = [name for _, name, _, _ in string.Formatter().parse(canned.text) if name is not None
                   and name not in VARIABLES]
    except ValueError:
        unknown = ["{"]
    if unknown:
        found.append(f"{canned.id}：不认识的变量 {'、'.join(unknown)}（单独的花括号也不行）")
    return found


def check(entries: list[Canned]) -> list[Canned]:
    """The entries, if every one is fine and no id repeats; else CannedError with every problem."""
    found = [problem for canned in entries for problem in problems_of(canned)]
    seen: set[str] = set()
    for canned in entries:
        if canned.id in seen:
            found.append(f"编号“{canned.id}”重复了")
        seen.add(canned.id)
    if found:
        raise CannedError(found)
    return entries


def load(path: Path) -> list[Canned]:
    """The checked responses in file order (none when the file does not exist yet)."""
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = raw.get("canned") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise CannedError([f"{path.name} 要有一个 canned 列表，每项有 id、title、text"])
    return check([_parse(item) for item in items])


def save(path: Path, *, canned: Canned, replaces: str | None = None) -> list[Canned]:
    """Add a response, or put it in place of the one with id `replaces`; checked, written atomically."""
    with _writing:
        entries = load(path)
        if replaces is not None and replaces not in {c.id for c in entries}:
            raise CannedError([f"没有编号为“{replaces}”的常用回复（可能刚被别人删掉了）"])
        kept = [canned if c.id == replaces else c for c in entries]
        _write(path, check(kept if replaces is not None else [*entries, canned]))
        return load(path)


def delete(path: Path, *, canned_id: str) -> list[Canned]:
    """Remove one response (nothing happens if it is already gone)."""
    with _writing:
        entries = [c for c in load(path) if c.id != canned_id]
        _write(path, entries)
        return entries


def values(local: LocalData, *, street: str | None, staff_name: str) -> dict[str, str]:
    """The variables for one conversation: the worker's street (if they named one) and the staff member."""
    streets = {s.id: s for s in local.streets}
    centres = [local.centre(streets[street].centre)] if street in streets else list(local.centres)
    aid_centre = next((s for s in local.legal_services if "法律援助" in s.name), None)
    union_line = local.hotlines[0] if local.hotlines else None
    return {
        "street_centre": "；".join(f"{c.name}（{c.address}，电话{c.phone}）" for c in centres),
        "hotline": f"{union_line.number}（{union_line.name}）" if union_line else "12351",
        "legal_aid_centre": f"{aid_centre.name}（{aid_centre.address}，电话{aid_centre.phone}）" if aid_centre
        else "当地法律援助中心",
        "staff_name": staff_name,
    }


def fill(canned: Canned, variables: dict[str, str]) -> str:
    """The response's text with its variables filled in."""
    return canned.text.format_map(variables)


def _parse(item: dict[str, Any]) -> Canned:
    tags = item.get("tags") or ()
    return Canned(str(item.get("id", "")), str(item.get("title", "")), str(item.get("text", "")).strip(),
                  tuple(str(tag) for tag in tags) if isinstance(tags, list | tuple) else (str(tags),))


def _write(path: Path, entries: list[Canned]) -> None:
    """Write beside the file and rename over it: a reader sees the old file or the new one, never half."""
    body = yaml.safe_dump({"canned": [{k: list(v) if k == "tags" else v for k, v in asdict(c).items()
                                       if k != "tags" or v} for c in entries]},
                          allow_unicode=True, sort_keys=False, width=1000)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(HEADER + body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
