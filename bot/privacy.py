"""Workers' personal data out of logs: masking helpers and a filter every process installs."""

from __future__ import annotations

import json
import logging
import re
import warnings

# Mobile numbers and 18-character ID card numbers, wherever they appear in a log line.
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9Xx])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9Xx])")
# A name typed after the words that introduce one (我叫张三, 姓名：李四, 名字是王小明): up to four Han characters.
_NAME = re.compile(r"(我叫|名字是|名字叫|姓名[:：是为]?)(\s*)[\u4e00-\u9fff·]{1,4}")


def mask_phone(phone: str) -> str:
    """139****5678: enough for staff to recognise a number, not to call it."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_text(text: str) -> str:
    """Any mobile or ID number inside free text, and a name the worker introduced, masked."""
    return _NAME.sub(r"\1\2**", _ID_CARD.sub(r"\1********\2", _MOBILE.sub(r"\1****\2", text)))


# Fields of Rasa's structured (JSON) log events that carry what the worker typed, e.g.
# {"text": "...", "event": "rest.message.received.timeout"} or "message.parsing.failed" with user_text.
WORKER_TEXT_FIELDS = frozenset({"text", "user_text", "message", "utterance"})


def redact_worker_text(message: str) -> str:
    """A JSON log event with the worker's words replaced by their length; anything else unchanged."""
    if not message.startswith("{"):
        return message
    try:
        event = json.loads(message)
    except ValueError:
        return message
    if not isinstance(event, dict) or not WORKER_TEXT_FIELDS & event.keys():
        return message
    for field in WORKER_TEXT_FIELDS & event.keys():
        event[field] = f"<{len(str(event[field]))} characters>"
    return json.dumps(event, ensure_ascii=False)


class PersonalDataFilter(logging.Filter):
    """Masks phone and ID numbers in every record, whichever library logged it.

    Also drops the words workers typed from Rasa's structured events (a timeout or a failed parse
    logs the whole message).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, clean it, and keep the record."""
        message = record.getMessage()
        masked = mask_text(redact_worker_text(message))
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_filter() -> None:
    """Attach the filter to every handler of the root logger (the servers log through it)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO)
    for handler in root.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())


def keep_worker_text_out_of_warnings() -> None:
    """Silence the warning that would print a worker's whole message past every log filter.

    Rasa warns "Failed to parse arguments in line '/…'" when a message starting with "/" is not
    an intent payload. Call this after Rasa set its own filters (it lets each UserWarning once).
    """
    warnings.filterwarnings("ignore", message="Failed to parse arguments in line", category=UserWarning)
