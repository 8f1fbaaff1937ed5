"""A worker opens a legal-aid case through the REST channel; the row is in the app database."""

import os

from sqlalchemy import select

from bot.store.database import session_scope
from bot.store.models import LegalCase
from tests.test_rest_channel import say, slots, texts

INTAKE = [
    ("我要申请法律援助，老板拖欠工资", "您同意吗"),
    ("同意", "哪家单位"),
    ("加班费怎么算？", "哪家单位"),            # a question mid-form: answered, then the form asks again
    ("鑫达电子厂", "发生了什么"),
    ("干了三个月一分钱没拿到，老板电话打不通了", "多少钱"),
    ("大概一万五", "什么时候开始"),
    ("今年8月", "街道或镇"),
    ("东湖", "怎么称呼"),
    ("王建国", "手机号"),
    ("138123", "手机号是11位数字"),           # invalid phone: the reason, then the question again
    ("138 1234 5678", "请核对"),
    ("电话填错了", "手机号是多少"),
    ("13812345679", "请核对"),
    ("/affirm", "案件编号是 FY-"),
]


def test_intake_through_the_rest_channel_creates_one_case(servers):
    sender = "rest-intake-1"
    transcript = []
    for text, expected in INTAKE:
        replies = texts(say(servers, sender, text))
        transcript.append((text, replies))
        assert expected in replies, transcript
    assert "加班" in transcript[2][1]  # the question itself was answered
    number = slots(servers, sender)["case_number"]
    assert say(servers, sender, "/affirm")  # a double tap on the confirm button ...
    with session_scope(os.environ["DATABASE_URL"]) as session:
        rows = session.execute(select(LegalCase).where(LegalCase.conversation_id == sender)).scalars().all()
    assert [row.number for row in rows] == [number]  # ... opens no second case
    row = rows[0]
    assert (row.dispute_type, row.employer, row.street, row.worker_phone, row.lawyer_name) == \
        ("wage", "鑫达电子厂", "donghu", "13812345679", "李律师（示例）")
    assert slots(servers, sender)["case_phone"] is None  # the form's answers are cleared once stored


def test_status_lookup_and_cancel_through_the_rest_channel(servers):
    sender = "rest-intake-2"
    for text, _ in INTAKE:
        say(servers, sender, text)
    number = slots(servers, sender)["case_number"]
    other = "rest-lookup-1"
    assert "手机号" in texts(say(servers, other, f"查一下案件进度 {number}"))
    assert "已分派" in texts(say(servers, other, "13812345679"))
    say(servers, "rest-lookup-2", f"{number} 我的案子到哪一步了")
    assert "没有查到" in texts(say(servers, "rest-lookup-2", "13900000000"))  # someone else's phone
    say(servers, "rest-cancel", "我要申请法律援助")
    say(servers, "rest-cancel", "同意")
    assert "已经取消" in texts(say(servers, "rest-cancel", "不办了"))
    assert slots(servers, "rest-cancel")["case_consent"] is None


def test_refusals_at_the_summary_open_no_case(servers):
    for number, refusal in enumerate(("不提交", "不是的，先别提交", "不确认")):
        sender = f"rest-refuse-{number}"
        for text, _ in INTAKE[:-1]:  # up to the summary, not the confirm tap
            say(servers, sender, text)
        replies = texts(say(servers, sender, refusal))
        assert "案件编号" not in replies and "要改哪一项" in replies, (refusal, replies)
        with session_scope(os.environ["DATABASE_URL"]) as session:
            rows = session.execute(select(LegalCase).where(LegalCase.conversation_id == sender)).scalars().all()
        assert rows == [], refusal
        assert slots(servers, sender)["case_phone"] == "13812345679"  # nothing the worker typed is lost
