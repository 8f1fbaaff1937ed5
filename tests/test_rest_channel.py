"""The running system through Rasa's REST channel and HTTP API, as a messaging app would use it."""

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from bot.settings import ROOT
from tests.test_offline_bot import REPORT_KEYS


def post(url: str, body: dict) -> list | dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def say(settings, sender: str, text: str) -> list[dict]:
    return post(f"{settings.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text})


def slots(settings, sender: str) -> dict:
    url = f"{settings.rasa_url}/conversations/{sender}/tracker?token={settings.rasa_token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())["slots"]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_a_wage_question_and_its_follow_up_are_answered_in_context(servers):
    first = say(servers, "rest-wage", "老板拖欠我三个月工资了，电话也不接，怎么办")
    assert "依据：" in texts(first)
    assert any(b["title"] == "转人工" for r in first for b in r.get("buttons", []))
    topic = slots(servers, "rest-wage")["topic"]
    assert topic.startswith("wage.")
    follow = say(servers, "rest-wage", "那要多久")
    assert texts(follow).strip()
    assert slots(servers, "rest-wage")["topic"] == topic


def test_traditional_characters_reach_the_same_topic(servers):
    say(servers, "rest-simplified", "上班路上被车撞了算不算工伤")
    say(servers, "rest-traditional", "上班路上被車撞了算不算工傷")
    assert slots(servers, "rest-simplified")["topic"] == slots(servers, "rest-traditional")["topic"]


def test_crisis_gets_hotlines_at_once(servers):
    reply = texts(say(servers, "rest-crisis", "工资讨不回来，我真的不想活了"))
    assert "12356" in reply and "120" in reply
    assert slots(servers, "rest-crisis")["handoff_requested"] is True


@pytest.mark.parametrize("message", ["", "   ", "😭😭😭", "欠" * 20000, "asdfghjkl"])
def test_odd_input_gets_a_clear_chinese_answer(servers, message):
    reply = texts(say(servers, f"rest-odd-{len(message)}-{message[:1]}", message))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply), reply


def test_out_of_scope_is_declined_with_what_the_bot_can_do(servers):
    reply = texts(say(servers, "rest-weather", "明天北京下不下雨"))
    assert "劳动" in reply
    assert slots(servers, "rest-weather")["topic"] is None


def test_statute_article_is_quoted(servers):
    reply = texts(say(servers, "rest-article", "劳动合同法第四十七条怎么规定的"))
    assert "经济补偿按劳动者在本单位工作的年限" in reply


def test_bot_ask_prints_the_documented_json():
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "在车间干活被机器轧伤了手，公司不给报工伤"],
                            cwd=ROOT, capture_output=True, text=True, check=True, timeout=300)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report) == REPORT_KEYS
    assert report["topic"].startswith("injury.")
    assert report["answer"] and report["citations"]
    assert 1 <= len(report["candidates"]) <= 3


def test_a_slash_message_that_is_no_intent_stays_out_of_the_servers_output(servers):
    from tests.conftest import RUNNING

    printed_before = RUNNING["log"].stat().st_size
    assert say(servers, "rest-slash", "/greet{我叫张秀兰，电话打不通")  # answered, not dropped
    time.sleep(1)
    with open(RUNNING["log"], encoding="utf-8", errors="replace") as log:
        log.seek(printed_before)
        printed = log.read()
    assert "张秀兰" not in printed
