"""Faults through the running system: a process dies or restarts while workers and staff are using it."""

import asyncio
import json
import os
import signal
import time

from bot.settings import ROOT
from bot.tools import launcher
from bot.tools.services import free_port
from tests import fake_wechat
from tests.conftest import RUNNING
from tests.test_chat_sessions import page
from tests.test_console import Browser, tracker
from tests.test_wechat import content

ACTION_SERVER, RASA_SERVER = 0, 1


def kill(index: int) -> None:
    """SIGKILL a process group the `servers` fixture started: no chance to say goodbye."""
    process = RUNNING["children"][index].process
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def restart(settings, index: int) -> None:
    """Start the process again as the launcher does; the fixture stops the new one at the end."""
    spec = [*launcher.rasa_pair(settings, ROOT / "endpoints.yml"), launcher.web_server(settings)][index]
    with open(RUNNING["log"], "a") as output:
        RUNNING["children"][index] = launcher.launch([spec], output)[0]


def texts(said: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in said)


def test_with_the_action_server_dead_workers_hear_so_and_the_next_turn_works_once_it_is_back(servers, hook, kb):
    token, said = asyncio.run(page(servers.rasa_url, None, "你好"))
    assert said
    kill(ACTION_SERVER)
    try:
        _, said = asyncio.run(page(servers.rasa_url, token, "老板拖欠我两个月工资怎么办"))
        assert texts(said) == kb.replies["no_answer"].text
        reply = fake_wechat.push(hook, fake_wechat.text_xml("o-action-down", "被公司辞退了有没有补偿", 701))
        assert content(reply.body) == kb.replies["no_answer"].text
    finally:
        restart(servers, ACTION_SERVER)
    asked = [e["text"] for e in tracker(servers, token.split(".")[0])["events"] if e["event"] == "user"]
    assert "老板拖欠我两个月工资怎么办" in asked  # kept: staff reading the transcript see it
    _, said = asyncio.run(page(servers.rasa_url, token, "老板拖欠我两个月工资怎么办"))
    assert "依据" in texts(said)
    reply = fake_wechat.push(hook, fake_wechat.text_xml("o-action-down", "被公司辞退了有没有补偿", 702))
    assert "依据" in content(reply.body)


def taken(servers, hook: str, staff_accounts, openid: str, msg_id: int) -> tuple[Browser, str]:
    """A WeChat worker asks for a person and a legal counselor takes the conversation."""
    assert "排队" in content(fake_wechat.push(hook, fake_wechat.text_xml(openid, "转人工 我要找律师", msg_id)).body)
    legal = Browser(servers.web_url)
    assert legal.login(staff_accounts["legal"]) == 302
    [item] = [i for i in json.loads(legal.request("GET", "/console/api/queue")[1])["items"]
              if i["conversation_id"] == openid]
    path = f"/console/api/handoffs/{item['id']}"
    assert legal.request("POST", f"{path}/take", body={})[0] == 200
    return legal, path


def test_while_staff_hold_a_conversation_the_workers_messages_reach_them_without_an_apology(
        servers, hook, wechat_api, staff_accounts):
    legal, path = taken(servers, hook, staff_accounts, "o-held-worker", 711)
    reply = fake_wechat.push(hook, fake_wechat.text_xml("o-held-worker", "我是在工地摔伤的，老板不管", 712))
    assert reply.body == "success"  # the bot is paused on purpose: no "something went wrong"
    time.sleep(1)
    assert not any("出了点问题" in t for t in wechat_api.texts_to("o-held-worker"))
    lines = json.loads(legal.request("GET", path)[1])["lines"]
    assert any(line["text"] == "我是在工地摔伤的，老板不管" for line in lines)
    assert legal.request("POST", f"{path}/close", body={})[0] == 200


def test_rasa_restarting_during_a_handoff_is_shown_to_staff_and_loses_nothing(
        servers, hook, wechat_api, staff_accounts):
    openid = "o-rasa-restart"
    legal, path = taken(servers, hook, staff_accounts, openid, 721)
    assert fake_wechat.push(hook, fake_wechat.text_xml(openid, "我被欠了三个月工资", 722)).body == "success"
    kill(RASA_SERVER)
    try:
        status, body, _ = legal.request("GET", path)
        shown = json.loads(body)
        assert status == 200 and shown["error"] == "暂时读不到对话记录" and shown["handoff"]["status"] == "active"
        status, body, _ = legal.request("POST", f"{path}/reply", body={"text": "您好，我是王律师"})
        assert status == 502 and "稍后重试" in json.loads(body)["error"]
        assert json.loads(legal.request("GET", path)[1])["handoff"]["status"] == "active"  # still hers
    finally:
        restart(servers, RASA_SERVER)
    lines = json.loads(legal.request("GET", path)[1])["lines"]
    assert [line["text"] for line in lines if line["text"] == "我被欠了三个月工资"]  # the transcript survived
    assert legal.request("POST", f"{path}/reply", body={"text": "您好，我是王律师"})[0] == 200
    assert wechat_api.texts_to(openid)[-1].endswith("您好，我是王律师")
    assert fake_wechat.push(hook, fake_wechat.text_xml(openid, "好的谢谢", 723)).body == "success"  # still paused
    assert legal.request("POST", f"{path}/close", body={})[0] == 200


def test_the_app_database_stopping_mid_form_loses_no_answer_and_opens_one_case(tmp_path):
    from sqlalchemy import func, select

    from bot.store.database import session_scope
    from bot.store.models import LegalCase
    from tests.conftest import another_system, new_database, throwaway_postgres
    from tests.test_legal_aid_rest import INTAKE
    from tests.test_rest_channel import post

    database = throwaway_postgres()
    database.start()
    try:
        url = new_database(database)
        rasa = free_port()
        with another_system(tmp_path, ZGFW_RASA_PORT=str(rasa), ZGFW_ACTION_PORT=str(free_port()),
                            ZGFW_WEB_PORT=str(free_port()), DATABASE_URL=url):
            def say(text: str) -> str:
                said = post(f"http://127.0.0.1:{rasa}/webhooks/rest/webhook", {"sender": "db-down", "message": text})
                return texts(said)

            for text, expected in INTAKE[:-1]:
                assert expected in say(text)
            database.stop()
            assert "保存不了" in say("/affirm")  # the confirm tap while the database is down
            assert "保存不了" in say("/retry_submission")  # a retry that still finds it down
            database.start()
            assert "案件编号是 FY-" in say("/retry_submission")
            assert "没有等待提交" in say("/retry_submission")  # a double tap opens nothing more
        with session_scope(url) as session:
            rows = session.execute(select(LegalCase.employer, LegalCase.worker_phone, func.count())
                                   .group_by(LegalCase.employer, LegalCase.worker_phone)).all()
        assert rows == [("鑫达电子厂", "13812345679", 1)]  # every answer kept, one case
    finally:
        database.remove()


def test_a_wechat_api_that_does_not_answer_is_given_up_on_and_tried_again(servers, hook, wechat_api, staff_accounts):
    openid = "o-slow-wechat-api"
    legal, path = taken(servers, hook, staff_accounts, openid, 731)
    wechat_api.hang_next = 1
    assert legal.request("POST", f"{path}/reply", body={"text": "我是李律师，请讲"})[0] == 200
    deadline = time.monotonic() + 60
    while not wechat_api.texts_to(openid)[-1].endswith("我是李律师，请讲") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert wechat_api.texts_to(openid)[-1].endswith("我是李律师，请讲")
    assert [code for code, body in wechat_api.refused if body["touser"] == openid] == [0]  # one hung attempt
    assert legal.request("POST", f"{path}/close", body={})[0] == 200
