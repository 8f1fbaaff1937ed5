"""`make bench`: latency of a conversation turn and of /model/parse, against Rasa's own floor.

The floor is a minimal Rasa bot with the same NLU pipeline and a single utter-only rule,
served the same way; the ratio says how much the knowledge answering adds on top of Rasa.
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
REQUESTS = 150
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


def _measure(url: str, bodies: list[dict]) -> Timing:
    for body in bodies[:WARM_UP]:
        _post(url, body)
    samples = []
    for body in bodies[WARM_UP:]:
        start = time.perf_counter()
        _post(url, body)
        samples.append((time.perf_counter() - start) * 1000)
    quantiles = statistics.quantiles(samples, n=20)
    return Timing(statistics.median(samples), quantiles[18])


def questions() -> list[str]:
    """One question of each knowledge entry, repeated to the number of requests."""
    kb = load(load_settings().knowledge_dir)
    questions = [q for entry in kb.entries.values() for q in entry.questions[:1]]
    return (questions * (1 + (REQUESTS + WARM_UP) // len(questions)))[: REQUESTS + WARM_UP]


def measure(settings: Settings, label: str) -> dict[str, Timing]:
    """Time REST turns (new sender each) and /model/parse on a running Rasa server."""
    asked = questions()
    turns = [{"sender": f"bench-{label}-{i}", "message": q} for i, q in enumerate(asked)]
    parses = [{"text": q} for q in asked]
    return {
        "REST turn": _measure(f"{settings.rasa_url}/webhooks/rest/webhook", turns),
        "/model/parse": _measure(f"{settings.rasa_url}/model/parse?token={settings.rasa_token}", parses),
    }


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


def serve_minimal(settings: Settings, model: Path) -> subprocess.Popen:
    """The floor bot on the settings' Rasa port, ready to answer."""
    argv = [str(Path(sys.executable).parent / "rasa"), "run", "--enable-api", "--auth-token",
            settings.rasa_token, "--interface", settings.host, "--port", str(settings.rasa_port),
            "--model", str(model), "--credentials", str(ROOT / "credentials.yml")]
    url = f"{settings.rasa_url}/status?token={settings.rasa_token}"
    return launcher.launch([launcher.Process("minimal", argv, url, launcher.child_environment(settings))])[0].process


def run() -> int:
    """Measure both bots one after the other on the same ports and print the table."""
    os.environ["ZGFW_TRACKER_DB"] = str(BENCH_DIR / "tracker.db")
    use_scratch_database()  # benchmark turns never reach the live app database
    settings = load_settings().copy(update={"host": "127.0.0.1", "rasa_port": 25005, "action_port": 25055,
                                            "web_port": 28000})
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "tracker.db").unlink(missing_ok=True)
    floor_model = minimal_project()
    children = launcher.start(settings)
    try:
        ours = measure(settings, "ours")
    finally:
        launcher.stop(children)
    process = serve_minimal(settings, floor_model)
    try:
        floor = measure(settings, "floor")
    finally:
        launcher.stop([launcher.Child("minimal", process, "")])
    print(f"{REQUESTS} requests each after {WARM_UP} warm-up, sequential, on this machine ({os.cpu_count()} cores)")
    print(f"{'':<16}{'this bot p50':>14}{'p95':>9}{'minimal p50':>14}{'p95':>9}{'ratio p50':>11}{'p95':>7}")
    for name in ours:
        a, b = ours[name], floor[name]
        print(f"{name:<16}{a.p50:>12.1f}ms{a.p95:>7.1f}ms{b.p50:>12.1f}ms{b.p95:>7.1f}ms"
              f"{a.p50 / b.p50:>10.2f}x{a.p95 / b.p95:>6.2f}x")
    return 0
