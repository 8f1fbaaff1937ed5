"""`make run`'s launcher: everything starts on localhost, prints where to go, and Ctrl-C stops it all."""

import os
import signal
import subprocess
import sys
import time

from bot.settings import ROOT
from bot.tools.services import free_port
from tests.conftest import another_system


def children_of(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True).stdout.split("\n")[1:]
    return [int(line.split()[0]) for line in found if line.split() and int(line.split()[1]) == pid]


def test_run_prints_the_addresses_and_ctrl_c_stops_every_process(tmp_path):
    web = free_port()
    env = {**os.environ, "ZGFW_RASA_PORT": str(free_port()), "ZGFW_ACTION_PORT": str(free_port()),
           "ZGFW_WEB_PORT": str(web), "ZGFW_TRACKER_DB": str(tmp_path / "tracker.db")}
    launcher = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=open(tmp_path / "stderr", "w"))
    output = ""
    deadline = time.monotonic() + 300
    while "Press Ctrl-C to stop." not in output and time.monotonic() < deadline:
        output += launcher.stdout.readline()
    assert f"Chat page:       http://127.0.0.1:{web}/" in output
    children = children_of(launcher.pid)
    assert len(children) == 3
    launcher.send_signal(signal.SIGINT)
    assert launcher.wait(timeout=60) == 0
    for pid in children:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_with_the_rest_channel_off_nobody_can_speak_through_rest(tmp_path):
    import json
    import urllib.error
    import urllib.request

    rasa = free_port()
    with another_system(tmp_path, ZGFW_RASA_PORT=str(rasa), ZGFW_ACTION_PORT=str(free_port()),
                        ZGFW_WEB_PORT=str(free_port()), ZGFW_REST_CHANNEL="off"):
        message = json.dumps({"sender": "oWeChatOpenIdOfSomeoneElse", "message": "我报了哪些课"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{rasa}/webhooks/rest/webhook", data=message,
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            urllib.request.urlopen(request, timeout=30)
            status = 200
        except urllib.error.HTTPError as refused:
            status = refused.code
        assert status == 404
        with urllib.request.urlopen(f"http://127.0.0.1:{rasa}/socket.io/?EIO=4&transport=polling", timeout=30) as page:
            assert page.status == 200  # the chat page's channel is still there
