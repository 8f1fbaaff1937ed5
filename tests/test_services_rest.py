"""Courses and hardship aid through the REST channel, against the running system."""

import json
import os

from sqlalchemy import select

from bot.store import courses
from bot.store.database import session_scope
from bot.store.models import AidReferral, CourseSession
from tests.test_console import Browser, tracker
from tests.test_rest_channel import say, texts


def buttons(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in r.get("buttons") or []]


def sign_up(servers, sender: str, session_id: str, phone: str) -> str:
    say(servers, sender, f'/course_signup{{"course_session":"{session_id}"}}')
    say(servers, sender, "王建国")
    say(servers, sender, phone)
    return texts(say(servers, sender, "/affirm"))


def test_find_a_class_and_sign_up(servers):
    sender = "rest-course-1"
    found = say(servers, sender, "想学瑜伽，有什么课")
    assert "找到这些课" in texts(found)
    details = [b["payload"] for b in buttons(found) if b["payload"].startswith("/course_details")][1]
    assert "名额" in texts(say(servers, sender, details))
    assert "报名用什么名字" in texts(say(servers, sender, details.replace("course_details", "course_signup")))
    assert "手机号" in texts(say(servers, sender, "王建国"))
    assert "手机号是11位数字" in texts(say(servers, sender, "1381234"))
    assert "请核对报名信息" in texts(say(servers, sender, "13812345678"))
    assert "报名成功" in texts(say(servers, sender, "/affirm"))
    assert "已报上" in texts(say(servers, sender, "我报了哪些课"))


def test_a_full_class_has_a_waiting_list_that_moves_up(servers):
    assert "报名成功" in sign_up(servers, "rest-wait-a", "yoga-1", "13800000001")
    assert "报名成功" in sign_up(servers, "rest-wait-b", "yoga-1", "13800000002")
    assert "候补" in sign_up(servers, "rest-wait-c", "yoga-1", "13800000003")
    listing = say(servers, "rest-wait-a", "我报了哪些课")
    assert "已取消" in texts(say(servers, "rest-wait-a", buttons(listing)[0]["payload"]))
    told = [e["text"] for e in tracker(servers, "rest-wait-c")["events"] if e["event"] == "bot"]
    assert told[-1].startswith("好消息")
    assert "已报上" in texts(say(servers, "rest-wait-c", "我报了哪些课"))


def test_cancelling_a_seat_that_moves_up_my_own_waiting_place(servers):
    """A worker signed up twice (self and a relative) in one conversation: the good news comes in the same
    turn, not after waiting 15 s for the conversation lock the turn itself holds."""
    sender = "rest-wait-self"
    with session_scope(os.environ["DATABASE_URL"]) as session:
        yoga = session.get(CourseSession, "yoga-2")
        yoga.seats = yoga.taken + 1
    assert "报名成功" in sign_up(servers, sender, "yoga-2", "13800000011")
    with session_scope(os.environ["DATABASE_URL"]) as session:  # the relative's place, on the waiting list
        relative = courses.sign_up(session, session_id="yoga-2", worker_name="王小红", phone="13800000012",
                                   conversation_id=sender, channel="rest")
    assert relative.status == "waiting"
    cancels = [b["payload"] for b in buttons(say(servers, sender, "我报了哪些课")) if "cancel_signup" in b["payload"]]
    seat = min(cancels, key=lambda payload: int(json.loads(payload.removeprefix("/cancel_signup"))["signup"]))
    said = texts(say(servers, sender, seat))  # the confirmed seat (signed up first)
    assert "已取消" in said and "好消息" in said


def test_aid_screening_with_a_referral_staff_can_read(servers, staff_accounts):
    sender = "rest-aid-1"
    assert "是工会会员吗" in texts(say(servers, sender, "家里有人得了大病 能申请救助吗"))
    for answer in ("/affirm", "/affirm", "/deny", "/deny", "不清楚"):
        say(servers, sender, answer)
    results = texts(say(servers, sender, "/deny"))
    assert "【大病二次救助】您很可能符合" in results and "要转给工作人员吗" in results
    assert "怎么称呼" in texts(say(servers, sender, "/affirm"))
    say(servers, sender, "李秀英")
    assert "已经转给" in texts(say(servers, sender, "13912345678"))
    with session_scope(os.environ["DATABASE_URL"]) as session:
        row = session.execute(select(AidReferral).where(AidReferral.conversation_id == sender)).scalar_one()
    assert "illness-aid" in json.loads(row.programmes)
    counselor = Browser(servers.web_url)
    assert counselor.login(staff_accounts["counselor"]) == 302
    status, page, _ = counselor.request("GET", "/console/referrals")
    assert status == 200 and "李秀英" in page and "大病二次救助" in page
