"""Work orders and ratings end to end: staff close a handoff in the console, the worker rates it on REST and WeChat."""

import datetime as dt
import re
import time

from sqlalchemy import select, update

from bot import clock
from bot.store.database import session_scope
from bot.store.models import WorkOrder
from tests.test_console import Browser, taken, tracker
from tests.test_rest_channel import say, texts
from tests.test_wechat import answered


def handled_and_closed(servers, staff_accounts, sender: str) -> None:
    """Staff take the waiting conversation and close it in the console."""
    legal, path = taken(servers, staff_accounts, sender)
    assert legal.request("POST", f"{path}/close", body={})[0] == 200


def rating_prompt(settings, sender: str) -> dict:
    """The rating prompt once it reached the conversation (it is sent after the staff member's close returns)."""
    deadline = time.monotonic() + 30
    while True:
        said = [e for e in tracker(settings, sender)["events"] if e["event"] == "bot"]
        if said and "满意吗" in said[-1]["text"]:
            return said[-1]
        assert time.monotonic() < deadline, said[-1:]
        time.sleep(0.2)


def order_of(sender: str) -> WorkOrder:
    with session_scope() as session:
        return session.execute(select(WorkOrder).where(WorkOrder.conversation_id == sender)).scalar_one()


def test_a_closed_handoff_is_rated_once_on_rest_and_the_worker_may_add_a_sentence(servers, staff_accounts):
    sender = "rating-rest-worker"
    assert "排队" in texts(say(servers, sender, "转人工 工资被扣了一半"))
    handled_and_closed(servers, staff_accounts, sender)
    number = order_of(sender).number
    prompt = rating_prompt(servers, sender)
    assert number in prompt["text"]
    buttons = prompt["data"]["buttons"]
    assert [b["title"] for b in buttons] == ["很满意", "满意", "一般", "不满意"]

    sorry = say(servers, sender, buttons[3]["payload"])
    assert "回访" in texts(sorry) and sorry[-1]["buttons"][0]["title"] == "补充意见"
    assert "已经评价过" in texts(say(servers, sender, buttons[0]["payload"]))  # once per order
    assert "补充" in texts(say(servers, sender, sorry[-1]["buttons"][0]["payload"]))
    assert "记下" in texts(say(servers, sender, "等了二十分钟才有人回，电话13812345678"))
    assert "加班" in texts(say(servers, sender, "加班费怎么算"))  # nothing blocks the next question
    row = order_of(sender)
    assert (row.status, row.rating, row.follow_up) == ("closed", "dissatisfied", "needed")
    assert "等了二十分钟才有人回" in row.rating_comment and row.rating_comment.endswith("电话138****5678")


def test_a_wechat_worker_rates_by_number(hook, wechat_api, servers, staff_accounts):
    openid = "o-rating-worker"
    assert "排队" in answered(hook, wechat_api, openid, "转人工 想问问工伤", 9701)
    handled_and_closed(servers, staff_accounts, openid)
    rating_prompt(servers, openid)
    prompt = wechat_api.texts_to(openid)[-1]
    assert "满意吗" in prompt and "1. 很满意" in prompt and "4. 不满意" in prompt
    assert "谢谢您的评价" in answered(hook, wechat_api, openid, "2", 9702)
    assert order_of(openid).rating == "satisfied"


def test_admins_see_overdue_orders_and_follow_ups_and_change_a_tier(servers, staff_accounts):
    sender = "rating-admin-worker"
    say(servers, sender, "转人工 老板跑路了")
    handled_and_closed(servers, staff_accounts, sender)
    say(servers, sender, f'/rate_service{{"order":"{order_of(sender).number}","rating":"dissatisfied"}}')
    late = "rating-late-worker"
    say(servers, late, "转人工 公司两个月没发工资")
    with session_scope() as session:  # opened a while ago and not done in time
        session.execute(update(WorkOrder).where(WorkOrder.conversation_id == late).values(
            due_on=clock.today() - dt.timedelta(days=3)))
    admin = Browser(servers.web_url)
    assert admin.login(staff_accounts["admin"]) == 302
    status, page, _ = admin.request("GET", "/console/orders")
    attention, follow_ups = page.split("待回访")[0], page.split("待回访")[1].split("全部工单")[0]
    late_number, rated_number = order_of(late).number, order_of(sender).number
    assert status == 200 and late_number in attention and "已超期" in attention
    assert rated_number in follow_ups
    status, csv_text, headers = admin.request("GET", "/console/orders/overdue.csv")
    assert status == 200 and csv_text.startswith("\ufeff工单号") and late_number in csv_text
    assert re.search(r"attachment; filename=\"overdue-\d{4}-\d{2}-\d{2}\.csv\"", headers["Content-Disposition"])

    form = {"csrf_token": admin.csrf, "tier": "complex", "text": "职工情况复杂，需要多部门协调"}
    assert admin.request("POST", f"/console/orders/{late_number}/tier", form=form)[0] == 302
    assert late_number not in admin.request("GET", "/console/orders/overdue.csv")[1]  # 15 working days now
    _, page, _ = admin.request("GET", f"/console/orders/{late_number}")
    assert "特别复杂问题" in page and "多部门协调" in page and "/console/conversations/" in page
    refused = admin.request("POST", f"/console/orders/{late_number}/tier",
                            form={"csrf_token": admin.csrf, "tier": "general", "text": ""})
    assert refused[0] == 200 and "写明原因" in refused[1]
    form = {"csrf_token": admin.csrf, "text": "已回电，职工接受道歉"}
    assert admin.request("POST", f"/console/orders/{rated_number}/follow-up", form=form)[0] == 302

    counselor = Browser(servers.web_url)
    assert counselor.login(staff_accounts["counselor"]) == 302
    assert counselor.request("GET", "/console/orders/overdue")[0] in (302, 403)
    assert counselor.request("GET", f"/console/orders/{late_number}")[0] == 404  # a legal matter
