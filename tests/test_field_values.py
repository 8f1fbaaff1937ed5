"""The intake's rules for workers' answers, and masking of personal data in logs."""

import json
import logging

import pytest

from bot import field_values
from bot.privacy import PersonalDataFilter, mask_phone, mask_text


@pytest.mark.parametrize("typed, phone", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"), ("1381234567", None), ("12812345678", None), ("不想给", None),
    ("138123456789", None),
])
def test_mobile_numbers(typed, phone):
    assert field_values.clean_phone(typed) == phone


@pytest.mark.parametrize("typed, number", [
    ("FY-2026-000123", "FY-2026-000123"), ("fy2026000123", "FY-2026-000123"),
    ("我的编号是 FY 2026 000123 查一下", "FY-2026-000123"), ("2026-000123", None),
])
def test_case_numbers(typed, number):
    assert field_values.clean_case_number(typed) == number


def test_dispute_types_from_words_codes_and_topics(kb):
    content = kb.legal_aid
    assert content.dispute_in_text("老板拖欠工资三个月") == "wage"
    assert content.dispute_in_text("在车间被砸伤了") == "injury"
    assert content.dispute_in_text("工伤期间工资不发") is None  # two types: ask the worker
    assert content.dispute_in_text("injury") == "injury"
    assert content.dispute_for_topic("contract.severance") == "dismissal"
    assert content.dispute_for_topic("wage.overtime") == "wage"
    assert content.dispute_for_topic("union.hardship_aid") is None


def test_corrections_name_their_field(kb):
    assert kb.legal_aid.field_in_text("电话填错了") == "case_phone"
    assert kb.legal_aid.field_in_text("公司名字不对") == "case_employer"
    assert kb.legal_aid.field_in_text("好的") is None


def test_names_and_free_text():
    assert field_values.clean_name("我叫王建国") == "王建国"
    assert field_values.clean_name("王师傅") == "王师傅"
    assert field_values.clean_name("13812345678") is None
    assert field_values.clean_free_text("case_employer", "  鑫达   电子厂 ") == "鑫达 电子厂"
    assert field_values.clean_free_text("case_employer", "厂" * 101) is None
    assert field_values.is_unknown("具体多少不清楚")


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_text("电话13812345678，身份证110101199003071234") == "电话138****5678，身份证110101********1234"


def test_masking_names_the_worker_introduces():
    assert mask_text("我叫王建国，被拖欠工资") == "我叫**，被拖欠工资"
    assert mask_text("姓名：欧阳娜娜 电话13812345678") == "姓名：** 电话138****5678"
    assert mask_text("我的名字是 李四") == "我的名字是 **"
    assert mask_text("工资被拖欠三个月") == "工资被拖欠三个月"


def test_log_filter_masks_any_logger_output(caplog):
    logger = logging.getLogger("some.library")
    caplog.handler.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO):
        logger.info("message from %s: %s", "13812345678", "hi")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text


def test_log_filter_drops_what_the_worker_typed_from_rasa_events(caplog):
    logger = logging.getLogger("rasa.core.channels.rest")
    caplog.handler.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.error(json.dumps({"text": "我叫王小红，老板欠我三万", "event": "rest.message.received.timeout"},
                                ensure_ascii=False))
        logger.info('{"event": "model.loaded", "path": "models/x.tar.gz"}')
    assert "王小红" not in caplog.text and '"text": "<15 characters>"' in caplog.text
    assert "rest.message.received.timeout" in caplog.text and "models/x.tar.gz" in caplog.text
