"""The trained model with its actions, in-process (what `bot ask`, eval and bench rely on)."""

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from bot.settings import ROOT, load_settings
from bot.store.database import session_scope
from bot.store.models import Handoff
from bot.tools.launcher import prepare_database

REPORT_KEYS = {"text", "intent", "entities", "topic", "entry", "answer", "citations", "handoff", "candidates",
               "decision", "referral", "also", "risk"}


def entities(parse: dict) -> dict[str, str]:
    return {e["entity"]: e["value"] for e in parse["entities"]}


def test_knowledge_entities_come_from_the_spacy_rules(offline_bot, kb):
    street = kb.local.streets[0]
    found = entities(offline_bot.parse(f"我在{street.name}上班，劳动合同法第四十条怎么说"))
    assert found["street"] == street.id
    assert found["statute"] == "labor-contract-law"


def test_phone_money_duration_and_date_come_from_regexes(offline_bot):
    found = entities(offline_bot.parse("从2026年3月起老板欠了我三个月工资一共15000元，我电话13912345678"))
    assert found["phone"] == "13912345678"
    assert found["money"] == "15000元"
    assert found["duration"] == "三个月"
    assert found["date"] == "2026年3月"


@pytest.mark.parametrize("text", ["FY-2026-000012 我的案子到哪一步了", "fy2026000045 查一下",
                                  "ＦＹ－２０２６－０００１２３", "帮我看看案件进度", "我的案子现在到哪一步了"])
def test_a_case_number_or_asking_after_ones_own_case_is_a_status_lookup(offline_bot, text):
    assert offline_bot.parse(text)["intent"]["name"] == "case_status"


def test_traditional_text_is_understood_like_simplified(offline_bot):
    simplified = offline_bot.parse("公司不给交社保怎么办")
    traditional = offline_bot.parse("公司不給交社保怎麼辦")
    assert traditional["topic_ranking"][0]["topic"] == simplified["topic_ranking"][0]["topic"]


def test_report_has_the_documented_keys_and_an_answer_with_its_basis(offline_bot):
    report = offline_bot.ask("干了五年被公司辞退了，能拿多少补偿", sender="t-severance")
    assert set(report) == REPORT_KEYS
    assert report["topic"].startswith("contract.")
    assert report["entry"] and report["citations"]
    assert "依据：" in report["answer"]
    assert report["handoff"] is False


def test_follow_up_is_answered_within_the_conversation_topic(offline_bot):
    first = offline_bot.ask("下班路上骑电动车被车撞了，算工伤吗", sender="t-follow")
    follow = offline_bot.ask("那需要准备什么材料", sender="t-follow")
    assert first["topic"].startswith("injury.")
    assert follow["topic"] == first["topic"]
    assert "materials" in offline_bot._kb.entries[follow["entry"]].aspects


def test_crisis_is_escalated_at_once_even_inside_a_wage_question(offline_bot):
    report = offline_bot.ask("欠薪半年了，家里等着钱用，我真的撑不下去了", sender="t-crisis")
    assert report["intent"]["name"] == "crisis"
    assert report["handoff"] is True
    assert "12356" in report["answer"]


def test_asking_for_a_person_with_a_question_gets_both(offline_bot):
    report = offline_bot.ask("帮我转人工，另外问下公司不交社保我能不能直接辞职", sender="t-both")
    assert report["handoff"] is True
    assert "12351" in report["answer"]


@pytest.mark.parametrize(("text", "intent"), [("hello", "greet"), ("bye", "goodbye"), ("thx", "thank"),
                                            ("ok", "affirm")])
def test_small_talk_in_latin_letters_or_digits_stays_small_talk(offline_bot, text, intent):
    # Beside the out-of-scope examples of digits and stray keys, "hello" had become out_of_scope.
    assert offline_bot.parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize("text", ["怎么转人公", "我要找真仁聊聊"])
def test_a_person_asked_for_with_typing_slips_is_reached(offline_bot, text):
    report = offline_bot.ask(text, sender=f"t-slip-{abs(hash(text))}")
    assert report["intent"]["name"] == "request_human" and report["handoff"] is True


def test_off_domain_is_declined(offline_bot):
    report = offline_bot.ask("红烧肉怎么做好吃", sender="t-off")
    assert report["topic"] is None
    assert "劳动" in report["answer"]


def test_odd_input_is_answered_in_chinese(offline_bot):
    for number, text in enumerate(["", "😭😭😭", "欠" * 5000, "？？？"]):
        report = offline_bot.ask(text, sender=f"t-odd-{number}")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in report["answer"]), text[:10]


def test_bot_ask_never_writes_to_the_live_database(tmp_path):
    live = f"sqlite:///{tmp_path / 'live.db'}"
    prepare_database(live, load_settings())
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "我想找个人聊聊，转人工"], cwd=ROOT,
                          env={**os.environ, "DATABASE_URL": live}, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["handoff"] is True  # the handoff action ran, against a throwaway database
    with session_scope(live) as session:
        assert session.scalar(select(func.count()).select_from(Handoff)) == 0


def test_a_divorce_question_is_referred_not_answered_with_a_labor_entry(offline_bot):
    report = offline_bot.ask("我老公在外地打工三年不回家，我想离婚，孩子抚养权归谁", sender="t-divorce")
    assert report["decision"] == "refer" and report["referral"] == "family"
    assert report["topic"] is None and report["entry"] is None
    assert "12348" in report["answer"]


# Digits and stray keys once read as small talk: "12345" got 好的，再见 and "asdfgh" 好的。
@pytest.mark.parametrize("text", ["<b></b>", "<script>alert(1)</script>", "help me please", "13787654321",
                                  "54321", "ghjkl", "!!!"])
def test_markup_or_english_alone_is_asked_again_in_chinese(offline_bot, kb, text):
    report = offline_bot.ask(text, sender=f"no-chinese-{abs(hash(text))}")
    assert report["decision"] == "ask_rephrase" and report["referral"] is None
    assert report["answer"].startswith(kb.replies["ask_rephrase"].text)
