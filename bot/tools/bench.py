"""`make bench`: latency of a conversation turn and of /model/parse, against Rasa's own floor.

The floor is a minimal Rasa bot with the same NLU pipeline and a single utter-only rule,
served the same way with Rasa's own SQL tracker store (a database file of its own); the ratio says
how much the knowledge answering adds on top of Rasa.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.kb.knowledge import load
from bot.settings import ROOT, Settings, load_settings
from bot.store.database import use_scratch_database
from bot.tools import launcher

BENCH_DIR = ROOT / "build" / "bench"
REQUESTS = 300
WARM_UP = 10


@dataclass(frozen=True)
class Timing:
    """Latency percentiles in milliseconds."""

    p50: float
    p95: float


def _post(url: str, body: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - localhost only
        response.read()


def _timed(url: str, body: dict) -> float:
    start = time.perf_counter()
    _post(url, body)
    return (time.perf_counter() - start) * 1000


def _percentiles(samples: list[float]) -> Timing:
    return Timing(statistics.median(samples), statistics.quantiles(samples, n=20)[18])


def questions() -> list[str]:
    """One question of each knowledge entry, repeated to the number of requests."""
    kb = load(load_settings().knowledge_dir)
    questions = [q for entry in kb.entries.values() for q in entry.questions[:1]]
    return (questions * (1 + (REQUESTS + WARM_UP) // len(questions)))[: REQUESTS + WARM_UP]


def measure(bots: dict[str, Settings]) -> dict[str, dict[str, Timing]]:
    """Time REST turns (a new sender each) and /model/parse, one request at a time, taking the bots in turn.

    Each question goes to every bot before the next one, so a busy moment on the machine falls
    on all of them alike instead of on whichever bot was being measured then.
    """
    samples: dict[tuple[str, str], list[float]] = {}
    for i, question in enumerate(questions()):
        for label, settings in bots.items():
            requests = {
                "REST turn": (f"{settings.rasa_url}/webhooks/rest/webhook",
                              {"sender": f"bench-{label}-{i}", "message": question}),
                "/model/parse": (f"{settings.rasa_url}/model/parse?token={settings.rasa_token}", {"text": question}),
            }
            for name, (url, body) in requests.items():
                took = _timed(url, body)
                if i >= WARM_UP:
                    samples.setdefault((label, name), []).append(took)
    return {label: {name: _percentiles(samples[label, name]) for name in ("REST turn", "/model/parse")}
            for label in bots}


def minimal_project() -> Path:
    """Write and train (once) the floor bot: our pipeline, one intent answered by one rule."""
    project = BENCH_DIR / "minimal"
    model = project / "models" / "minimal.tar.gz"
    config = yaml.safe_load((ROOT / "config.yml").read_text("utf-8"))
    config["policies"] = [{"name": "RulePolicy"}]
    files = {
        "config.yml": config,
        "domain.yml": {"version": "3.1", "intents": ["ask", "greet"],
                       "responses": {"utter_answer": [{"text": "收到"}]}},
        "data/nlu.yml": {"version": "3.1", "nlu": [
            {"intent": "ask", "examples": "".join(f"- {q}\n" for q in questions()[:60])},
            {"intent": "greet", "examples": "- 你好\n- 您好\n- 在吗\n- 哈喽\n- 早上好\n"}]},
        "data/rules.yml": {"version": "3.1", "rules": [
            {"rule": "answer", "steps": [{"intent": "ask"}, {"action": "utter_answer"}]}]},
    }
    digest = json.dumps(files, ensure_ascii=False, sort_keys=True)
    if model.exists() and (project / "inputs.json").read_text("utf-8") == digest:
        return model
    for name, content in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(yaml.safe_dump(content, allow_unicode=True), "utf-8")
    subprocess.run([str(Path(sys.executable).parent / "rasa"), "train", "--quiet", "--config",
                    str(project / "config.yml"), "--domain", str(project / "domain.yml"), "--data",
                    str(project / "data"), "--out", str(project / "models"), "--fixed-model-name", "minimal"],
                   cwd=ROOT, check=True, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    (project / "inputs.json").write_text(digest, "utf-8")
    return model


def floor_endpoints() -> Path:
    """Our endpoints.yml with Rasa's stock SQL tracker store in place of ours, and no action server."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text("utf-8"))
    endpoints["tracker_store"]["type"] = "SQL"
    del endpoints["action_endpoint"]
    path = BENCH_DIR / "minimal" / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints), "utf-8")
    return path


def serve_minimal(settings: Settings, model: Path) -> subprocess.Popen:
    """The floor bot on the settings' Rasa port, ready to answer."""
    argv = [str(Path(sys.executable).parent / "rasa"), "run", "--enable-api", "--auth-token",
            settings.rasa_token, "--interface", settings.host, "--port", str(settings.rasa_port),
            "--model", str(model), "--credentials", str(ROOT / "credentials.yml"),
            "--endpoints", str(floor_endpoints())]
    url = f"{settings.rasa_url}/status?token={settings.rasa_token}"
    return launcher.launch([launcher.Process("minimal", argv, url, launcher.child_environment(settings))])[0].process


def run() -> int:
    """Start both bots side by side, measure them interleaved and print the table."""
    os.environ["ZGFW_TRACKER_DB"] = str(BENCH_DIR / "tracker.db")
    use_scratch_database()  # benchmark turns never reach the live app database
    settings = load_settings().copy(update={"host": "127.0.0.1", "rasa_port": 25005, "action_port": 25055,
                                            "web_port": 28000})
    floor_tracker = settings.tracker.copy(update={"db": str(BENCH_DIR / "floor_tracker.db")})
    floor_settings = settings.copy(update={"rasa_port": 25006, "tracker": floor_tracker})
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("tracker.db", "floor_tracker.db"):
        (BENCH_DIR / name).unlink(missing_ok=True)
    floor_model = minimal_project()
    children = launcher.start(settings)
    try:
        children.append(launcher.Child("minimal", serve_minimal(floor_settings, floor_model), ""))
        timings = measure({"ours": settings, "floor": floor_settings})
    finally:
        launcher.stop(children)
    print(f"{REQUESTS} requests to each bot after {WARM_UP} warm-up, one at a time, the bots taken in turn,"
          f" on this machine ({os.cpu_count()} cores)")
    print(f"{'':<16}{'this bot p50':>14}{'p95':>9}{'minimal p50':>14}{'p95':>9}{'ratio p50':>11}{'p95':>7}")
    for name, a in timings["ours"].items():
        b = timings["floor"][name]
        print(f"{name:<16}{a.p50:>12.1f}ms{a.p95:>7.1f}ms{b.p50:>12.1f}ms{b.p95:>7.1f}ms"
              f"{a.p50 / b.p50:>10.2f}x{a.p95 / b.p95:>6.2f}x")
    return 0
