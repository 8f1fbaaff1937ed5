"""Shapes of the files staff edit in knowledge/, declared once: loading checks them, code reads typed objects.

A file that does not fit is reported item by item, naming the file, the item and the field, in
Chinese and English, so a union's editor can fix every problem in one pass.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# Pydantic's error types, as an editor reads them.
_CHINESE = {
    "value_error.missing": "缺少这一项",
    "value_error.extra": "没有这一项（拼写错了？）",
    "type_error.integer": "应为整数",
    "type_error.float": "应为数字",
    "type_error.bool": "应为 true 或 false",
    "type_error.list": "应为列表",
    "type_error.dict": "应为键值对",
    "type_error.str": "应为文字",
    "type_error.none.not_allowed": "不能为空",
    "value_error.date": "日期应写成 2026-12-01",
    "value_error.datetime": "时间应写成 2026-12-05T19:00",
    "value_error.number.not_gt": "应大于0",
    "value_error.any_str.min_length": "不能为空",
    "value_error.list.min_items": "条目太少",
    "value_error.const": "取值不在允许范围内",
    "type_error.enum": "取值不在允许范围内",
    "value_error.str.regex": "格式不对",
}


class Shape(BaseModel):
    """A piece of a knowledge file: immutable, and no key the schema does not name (typos show)."""

    class Config:
        """Frozen (hashable, safe to share across requests); unknown keys are errors."""

        frozen = True
        extra = "forbid"
        allow_population_by_field_name = True


def _where(raw: Any, loc: tuple[Any, ...]) -> str:
    """Where in a file: list positions from 1, with the item's id ("streets #2 (donghu).lawyer.phone")."""
    parts = []
    for part in loc:
        if part == "__root__":
            continue
        if isinstance(part, int) and isinstance(raw, list) and part < len(raw):
            raw = raw[part]
            name = raw.get("id") or raw.get("number") if isinstance(raw, dict) else None
            parts.append(f"#{part + 1}" + (f" ({name})" if name else ""))
            continue
        raw = raw.get(part) if isinstance(raw, dict) else None
        parts.append(str(part))
    return re.sub(r"\.(#)", r" \1", ".".join(parts))


def describe(error: ValidationError, raw: Any, file: str, files: dict[str, str] | None = None) -> list[str]:
    """One line per problem: file, item, field, then what is wrong in Chinese and in English.

    `files` names the file each top-level key came from, for data merged from several files.
    """
    lines = []
    for problem in error.errors():
        loc = problem["loc"]
        source = (files or {}).get(str(loc[0]), file) if loc else file
        chinese = _CHINESE.get(problem["type"], "")
        lines.append(f"{source}: {_where(raw, loc)}: {chinese + ' / ' if chinese else ''}{problem['msg']}")
    return lines


def parse(shape: type[M], raw: Any, file: str, problems: list[str], files: dict[str, str] | None = None) -> M | None:
    """The typed object, or None with the problems added (the caller goes on to find more)."""
    try:
        return shape.parse_obj(raw if raw is not None else {})
    except ValidationError as error:
        problems += describe(error, raw, file, files)
        return None
