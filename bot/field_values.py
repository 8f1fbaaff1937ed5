"""How a worker's typed answers become clean values: phones, names, amounts, case numbers.

Every form (legal aid, classes, hardship aid, callbacks) cleans answers here, so a phone number
is read the same way wherever it is asked.
"""

from __future__ import annotations

import re

from bot.text import normalize

UNKNOWN = "不清楚"
# A mainland mobile number: 11 digits starting 13-19, once spaces, dashes and +86 are removed.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE = re.compile(r"[\s\-－—()（）]")
_UNKNOWN_WORDS = ("不清楚", "不知道", "不记得", "记不清", "说不清", "没算过", "不确定", "忘了")
_NAME = re.compile(r"^[\u4e00-\u9fff·•A-Za-z ]{1,20}$")
LIMITS = {"case_employer": 100, "case_facts": 2000, "case_amount": 40, "case_since": 40, "case_name": 20}


def clean_phone(text: str) -> str | None:
    """The 11-digit mobile number in an answer, or None when it is not one."""
    digits = _PHONE_NOISE.sub("", normalize(text)).removeprefix("+86")
    return digits if _MOBILE.match(digits) else None


def is_unknown(text: str) -> bool:
    """Whether the worker says they do not know (a fine answer for amount and date)."""
    return any(word in text for word in _UNKNOWN_WORDS)


def clean_free_text(field: str, text: str) -> str | None:
    """The worker's own words (spaces collapsed) within the field's limit, or None."""
    value = " ".join(text.split())
    return value if 0 < len(value) <= LIMITS[field] else None


def clean_name(text: str) -> str | None:
    """A name or a way to be addressed (王师傅, 小李): letters only, up to 20."""
    value = normalize(text).strip().removeprefix("我叫").removeprefix("我是").strip("。.！! ")
    return value if _NAME.match(value) else None


_CASE_NUMBER = re.compile(r"FY\s*[-－—_ ]?\s*(\d{4})\s*[-－—_ ]?\s*(\d{6})", re.IGNORECASE)


def clean_case_number(text: str) -> str | None:
    """FY-2026-000123 however it was typed (fy2026000123, FY 2026 000123), or None."""
    match = _CASE_NUMBER.search(normalize(text))
    return f"FY-{match.group(1)}-{match.group(2)}" if match else None
