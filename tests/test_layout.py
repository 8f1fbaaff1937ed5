"""Imports flow one way: the folders of bot/ are layers, and no layer reaches up (README, "Where things are")."""

import yaml

from bot.settings import ROOT
from bot.tools.imports import imported_by, model_code, module_name

# Small modules any layer may use; they import only each other.
SHARED = {"bot.settings", "bot.clock", "bot.text", "bot.privacy", "bot.workdays", "bot.consent",
          "bot.field_values", "bot.rasa_api", "bot.chat_tokens"}
# What each part may import besides itself and the shared modules.
MAY_IMPORT = {
    "shared": set(),
    "bot.kb": set(),
    "bot.nlu": {"bot.kb"},
    "bot.store": {"bot.kb"},  # services take typed content (a course, a street's lawyer, duty hours)
    "bot.staff": {"bot.kb", "bot.store"},  # canned responses fill in the local services
    "bot.notify": {"bot.kb", "bot.store"},
    "bot.channels": {"bot.kb", "bot.store"},
    "bot.web": {"bot.kb", "bot.store", "bot.staff", "bot.notify"},
    "actions": {"bot.kb", "bot.nlu", "bot.store", "bot.notify"},
    "bot.tools": {"bot.kb", "bot.nlu", "bot.store", "bot.staff", "bot.notify", "bot.channels", "bot.web"},
}


def part_of(module: str) -> str:
    """The layer a module belongs to (bot.kb.local -> bot.kb; bot.text -> shared)."""
    if module.startswith("actions"):
        return "actions"
    top = ".".join(module.split(".")[:2])
    return "shared" if top in SHARED or module == "bot" else top


def test_every_module_of_bot_belongs_to_a_known_part():
    parts = {part_of(module_name(path)) for path in (ROOT / "bot").rglob("*.py")}
    assert parts - {"bot.__main__"} <= set(MAY_IMPORT)


def test_no_part_imports_one_above_it():
    wrong = []
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]:
        here = part_of(module_name(path))
        if here == "bot.__main__":
            continue
        for name in imported_by(path):
            there = part_of(name)
            if there not in (here, "shared") and there not in MAY_IMPORT[here]:
                wrong.append(f"{module_name(path)} imports {name}")
    assert wrong == []


def test_action_modules_share_only_common_forms_and_say():
    shared = {"actions.common", "actions.forms", "actions.say"}
    wrong = [f"{module_name(path)} imports {name}" for path in (ROOT / "actions").glob("*.py")
             for name in imported_by(path) if name.startswith("actions.") and name not in shared
             and not name.startswith(module_name(path))]
    assert wrong == []


def test_the_model_depends_on_the_knowledge_and_nlu_code_only():
    code = {module_name(path) for path in model_code()}
    assert {"bot.kb.knowledge", "bot.nlu.retrieval", "bot.nlu.crisis", "bot.text"} <= code
    assert not {name for name in code if name.startswith(("bot.store", "bot.web", "bot.tools", "actions"))}
    # The answer decision runs beside the model: recalibrating it must not retrain.
    assert "bot.kb.answering" not in code
    pipeline = {step["name"].rsplit(".", 1)[0] for step in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
                if "." in step["name"]}
    assert pipeline <= code
