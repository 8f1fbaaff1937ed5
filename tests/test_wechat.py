"""The WeChat channel against a fake WeChat on loopback that speaks the real protocol."""

import datetime as dt
import json
import logging
import os
import signal
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from bot.channels.wechat import state
from bot.channels.wechat.input import WeChatInput, from_menu
from bot.channels.wechat.output import CHUNK_CHARS, render
from bot.clock import utcnow
from bot.settings import WeChatSettings
from bot.store.database import session_scope
from bot.store.models import Undelivered, WeChatState
from tests import fake_wechat
from tests.conftest import RUNNING
from tests.test_console import taken, tracker


def content(reply: str) -> str:
    return reply.split("<Content><![CDATA[")[1].split("]]></Content>")[0]


def answered(hook: str, wechat_api: fake_wechat.FakeWeChatAPI, openid: str, text: str, msg_id: int) -> str:
    """What the worker reads: the passive reply, or the service messages sent when the turn outlasted WeChat's wait."""
    before = len(wechat_api.texts_to(openid))
    reply = fake_wechat.push(hook, fake_wechat.text_xml(openid, text, msg_id)).body
    if "<Content>" in reply:
        return content(reply)
    deadline = time.monotonic() + 30
    while len(wechat_api.texts_to(openid)) == before:
        assert time.monotonic() < deadline, f"no answer to {text!r}"
        time.sleep(0.2)
    return "\n".join(wechat_api.texts_to(openid)[before:])


def test_handshake_and_forged_requests(hook):
    timestamp, nonce = str(int(time.time())), "abc"
    good = fake_wechat.sign(fake_wechat.TOKEN, timestamp, nonce)
    with urllib.request.urlopen(f"{hook}?signature={good}&timestamp={timestamp}&nonce={nonce}&echostr=hello") as r:
        assert r.read().decode() == "hello"
    private = "我的手机13812345678"
    forged = fake_wechat.push(hook, fake_wechat.text_xml("o-forger", private, 1), token="not-the-token")
    stale = fake_wechat.push(hook, fake_wechat.text_xml("o-forger", private, 2), timestamp=int(time.time()) - 3600)
    assert (forged.status, stale.status) == (403, 403)


def test_a_refusal_is_logged_without_the_body(caplog):
    from types import SimpleNamespace

    channel = WeChatInput(WeChatSettings(token=fake_wechat.TOKEN, appid=fake_wechat.APPID, secret=fake_wechat.SECRET))
    request = SimpleNamespace(args={"signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "n"},
                              ip="203.0.113.9", body="我的手机13812345678".encode())
    with caplog.at_level(logging.WARNING, logger="bot.channels.wechat.channel"):
        assert not channel._signed(request)
    assert "bad or stale signature (from 203.0.113.9)" in caplog.text and "13812345678" not in caplog.text


def test_a_question_is_answered_in_the_reply_plain_and_encrypted(hook):
    plain = fake_wechat.push(hook, fake_wechat.text_xml("o-worker-1", "老板拖欠工资三个月怎么办", 101))
    assert plain.status == 200 and "依据：" in content(plain.body)
    secret = fake_wechat.push(hook, fake_wechat.text_xml("o-worker-2", "上班路上出车祸算工伤吗", 102), encrypt=True)
    assert secret.status == 200 and "<Encrypt>" in secret.body and "工伤" not in secret.body
    assert "依据：" in content(fake_wechat.decrypt_reply(secret.body))


def test_follow_gets_the_menu_and_a_number_picks_a_button(hook, wechat_api):
    welcome = content(fake_wechat.push(hook, fake_wechat.event_xml("o-worker-3", "subscribe")).body)
    assert "职工服务助手" in welcome and "5. 转人工" in welcome and "回复数字" in welcome
    assert "排队" in answered(hook, wechat_api, "o-worker-3", "5", 103)
    assert fake_wechat.push(hook, fake_wechat.event_xml("o-worker-3", "unsubscribe")).body == "success"


def test_other_message_types_get_a_clear_answer(hook):
    image = fake_wechat.other_xml("o-worker-4", "image", "<PicUrl><![CDATA[http://x/p.jpg]]></PicUrl>"
                                  "<MediaId><![CDATA[m]]></MediaId>", 104)
    assert "图片" in content(fake_wechat.push(hook, image).body)
    location = fake_wechat.other_xml("o-worker-4", "location", "<Location_X>30.1</Location_X><Location_Y>120.1"
                                     "</Location_Y><Scale>15</Scale><Label><![CDATA[某地]]></Label>", 105)
    assert "街道" in content(fake_wechat.push(hook, location).body)
    voice = fake_wechat.other_xml("o-worker-4", "voice", "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]>"
                                  "</Format><Recognition><![CDATA[加班费怎么算]]></Recognition>", 106)
    assert "依据：" in content(fake_wechat.push(hook, voice).body)


def test_a_slow_answer_goes_through_the_service_api_once_despite_retries(hook, wechat_api, servers):
    openid = "o-slow-worker"
    action_server = RUNNING["children"][0].process.pid
    os.kill(action_server, signal.SIGSTOP)  # the answer now takes as long as the action server is stopped
    try:
        xml = fake_wechat.text_xml(openid, "被公司辞退了有没有补偿", 201)
        with ThreadPoolExecutor(max_workers=1) as pool:
            first = pool.submit(fake_wechat.push, hook, xml)
            time.sleep(1)
            retries = [fake_wechat.push(hook, xml) for _ in range(3)]  # WeChat's retries of MsgId 201
            first = first.result()
        time.sleep(5)
    finally:
        os.kill(action_server, signal.SIGCONT)
    assert first.status == 200 and "正在为您查询" in content(first.body) and first.seconds < 5
    assert [r.body for r in retries] == ["success"] * 3
    deadline = time.monotonic() + 30
    while not wechat_api.texts_to(openid) and time.monotonic() < deadline:
        time.sleep(0.2)
    [answer] = wechat_api.texts_to(openid)
    assert "依据：" in answer
    said = [e["text"] for e in tracker(servers, openid)["events"] if e["event"] == "user"]
    assert said == ["被公司辞退了有没有补偿"]  # processed once


def test_service_api_errors_expired_token_and_closed_window(hook, wechat_api, servers, staff_accounts):
    openid = "o-handoff-worker"
    assert "排队" in content(fake_wechat.push(hook, fake_wechat.text_xml(openid, "转人工 我要找律师", 301)).body)
    legal, path = taken(servers, staff_accounts, openid)
    assert any("已接入" in t for t in wechat_api.texts_to(openid))  # a staff message reaches WeChat

    issued = len(wechat_api.tokens_issued)
    urllib.request.urlopen(f"http://127.0.0.1:{wechat_api.port}/cgi-bin/token?grant_type=client_credential"
                           f"&appid={fake_wechat.APPID}&secret={fake_wechat.SECRET}").read()  # ours is now stale
    assert legal.request("POST", f"{path}/reply", body={"text": "您好，请说说情况"})[0] == 200
    assert wechat_api.texts_to(openid)[-1].endswith("您好，请说说情况")
    assert len(wechat_api.tokens_issued) == issued + 2 and wechat_api.refused[-1][0] == 40001

    wechat_api.fail_next.append(-1)  # "system busy" once: retried after a second, delivered
    assert legal.request("POST", f"{path}/reply", body={"text": "稍等我查一下"})[0] == 200
    assert wechat_api.refused[-1][0] == -1 and wechat_api.texts_to(openid)[-1].endswith("稍等我查一下")

    wechat_api.fail_next.append(45015)  # the worker has not written for 48 hours: no retry can help
    assert legal.request("POST", f"{path}/reply", body={"text": "还在吗"})[0] == 200
    assert wechat_api.refused[-1][0] == 45015 and not wechat_api.texts_to(openid)[-1].endswith("还在吗")
    wechat_api.fail_next.extend([-1] * 4)  # busy every time: given up after four tries
    assert legal.request("POST", f"{path}/reply", body={"text": "明天给您回电话"})[0] == 200
    with session_scope() as session:
        kept = session.execute(select(Undelivered.text, Undelivered.reason)
                               .where(Undelivered.conversation_id == openid).order_by(Undelivered.id)).all()
    assert [(text.endswith("还在吗"), reason) for text, reason in kept] == [
        (True, "outside the 48-hour window"), (False, "errcode -1")]
    assert kept[1][0].endswith("明天给您回电话")
    shown = json.loads(legal.request("GET", path)[1])["undelivered"]  # staff see what to follow up
    assert [m["text"].endswith("明天给您回电话") for m in shown] == [False, True]
    assert legal.request("POST", f"{path}/close", body={})[0] == 200


def test_long_answers_are_split_and_buttons_numbered():
    long = "欠薪" * CHUNK_CHARS
    button = {"title": "申请法律援助", "payload": "/x"}
    parts, options = render([{"text": long}, {"text": "要申请吗？", "buttons": [button]}])
    assert len(parts) == 3 and all(len(p) <= CHUNK_CHARS for p in parts)
    assert parts[-1].endswith("1. 申请法律援助\n（回复数字即可选择）")
    assert options == [button]


def test_a_menu_counts_for_the_next_message_only(use_database):
    options = [{"title": "申请法律援助", "payload": "/x"}]
    state.save_menu("o-1", options)
    assert state.take_menu("o-1") == options
    assert state.take_menu("o-1") == []  # used up by that message, whatever it said
    state.save_menu("o-1", options)
    state.save_menu("o-1", [])  # a staff member's message (no buttons) replaces the menu
    assert state.take_menu("o-1") == []
    state.save_menu("o-1", options)
    with session_scope() as session:
        session.get(WeChatState, "menu:o-1").expires_at = utcnow() - dt.timedelta(minutes=1)
    assert state.take_menu("o-1") == []  # typed days later: "1" is just "1"
    assert from_menu(options, "1") == "/x" and from_menu([], "1") == "1" and from_menu(options, "申请法律援助") == "/x"


def test_the_token_is_refreshed_once_for_every_replica(use_database):
    fetched = []
    lock = threading.Lock()

    def fetch() -> tuple[str, int]:
        with lock:
            fetched.append(1)
        time.sleep(0.2)  # WeChat's token endpoint is not instant
        return f"token-{len(fetched)}", 7200

    store = state.TokenStore("wx-replicas")
    start = threading.Barrier(6)

    def replica(_: int) -> str:
        start.wait()
        return store.current() or store.refresh(fetch)

    with ThreadPoolExecutor(max_workers=6) as pool:
        tokens = set(pool.map(replica, range(6)))
    assert len(fetched) == 1 and tokens == {"token-1"}
    assert store.refresh(fetch, stale="token-1") == "token-2"  # a token WeChat rejected is replaced


def test_each_message_id_is_handled_once(use_database):
    assert state.first_delivery("m-1")
    assert not state.first_delivery("m-1")


def test_a_turn_that_said_nothing_gets_an_apology(kb, use_database):
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel

    said = asyncio.run(WeChatInput._answer(CollectingOutputChannel(), "o-1"))
    assert said == [kb.replies["no_answer"].text]


def test_old_message_ids_are_dropped_as_new_ones_arrive(use_database):
    with session_scope() as session:
        session.add(WeChatState(key="msg:old", value="", expires_at=utcnow() - dt.timedelta(hours=1)))
    assert state.first_delivery("m-new")
    assert state.first_delivery("old")  # forgotten, so it counts again
