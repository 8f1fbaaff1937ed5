import pytest
import yaml

from bot.kb.importing import import_knowledge
from bot.kb.knowledge import KnowledgeError, load
from tests.conftest import write_knowledge_copy


def test_a_unions_courses_are_imported_after_the_check(tmp_path):
    knowledge = write_knowledge_copy(tmp_path)
    union = tmp_path / "union"
    (union / "local").mkdir(parents=True)
    deployment = yaml.safe_load((knowledge / "local" / "deployment.yml").read_text("utf-8"))
    deployment["union"]["name"] = "某市总工会"
    (union / "local" / "deployment.yml").write_text(yaml.safe_dump(deployment, allow_unicode=True), "utf-8")
    assert [str(p) for p in import_knowledge(union, knowledge)] == ["local/deployment.yml"]
    assert load(knowledge).local.union.name == "某市总工会"


def test_a_broken_file_imports_nothing(tmp_path):
    knowledge = write_knowledge_copy(tmp_path)
    before = (knowledge / "entries" / "wage.yml").read_text("utf-8")
    union = tmp_path / "union"
    (union / "entries").mkdir(parents=True)
    (union / "entries" / "wage.yml").write_text(
        "entries:\n  - id: wage-x\n    topic: wage.nope\n    title: x\n    questions: [a, b, c]\n"
        "    answer: x\n    reviewed: 2026-11-01\n", "utf-8")
    with pytest.raises(KnowledgeError) as error:
        import_knowledge(union, knowledge)
    assert any("unknown topic wage.nope" in p for p in error.value.problems)
    assert (knowledge / "entries" / "wage.yml").read_text("utf-8") == before
