import datetime as dt

import pytest
import yaml

from bot.kb.knowledge import KnowledgeError, load
from bot.settings import ROOT
from tests.conftest import write_knowledge_copy


def test_every_citation_quote_is_inside_the_article_it_cites(kb):
    checked = 0
    for entry in kb.entries.values():
        for citation in entry.citations:
            statute = kb.statutes[citation.law]
            assert any(citation.quote in p for p in statute.articles[citation.article]), (entry.id, citation)
            checked += 1
    assert checked >= 150


def test_topics_are_the_shared_taxonomy_unchanged(kb):
    shared = yaml.safe_load((ROOT.parent / "shared" / "topics.yml").read_text("utf-8"))
    assert list(kb.topics) == list(shared)


def test_every_topic_is_answered_and_key_topics_in_depth(kb):
    assert len(kb.entries) >= 150
    for topic in kb.topics:
        assert any("overview" in e.aspects for e in kb.entries_for(topic)), topic
    for topic in ("wage.arrears", "contract.dismissal", "contract.severance", "injury.recognition",
                  "dispute.arbitration"):
        assert len(kb.entries_for(topic)) >= 3, topic


def test_a_misquoted_citation_is_reported(tmp_path):
    root = write_knowledge_copy(tmp_path)
    path = root / "entries" / "wage.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["entries"][0]["citations"] = [{"law": "labor-law", "article": 50, "quote": "工资可以随便拖欠"}]
    data["entries"][1]["topic"] = "wage.no_such_topic"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(KnowledgeError) as error:
        load(root)
    assert any("quote is not in labor-law article 50" in p for p in error.value.problems)
    assert any("unknown topic wage.no_such_topic" in p for p in error.value.problems)


def test_entries_not_reviewed_for_a_year_are_listed(kb):
    assert kb.stale(dt.date(2026, 11, 23)) == []
    later = kb.stale(dt.date(2028, 1, 1))
    assert len(later) == len(kb.entries)


def test_local_data_problems_are_named(tmp_path):
    root = write_knowledge_copy(tmp_path)
    path = root / "local" / "deployment.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["courses"][0]["sessions"][0]["place"] = "nowhere"
    data["programmes"][0]["topic"] = "union.nothing"
    del data["streets"][0]["lawyer"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(KnowledgeError) as error:
        load(root)
    problems = "\n".join(error.value.problems)
    assert "place nowhere is not a centre" in problems
    assert "unknown topic union.nothing" in problems
    assert "missing lawyer" in problems


def test_sample_deployment_is_marked_as_sample(kb):
    assert kb.local["sample"] is True
    assert {h["number"] for h in kb.local["hotlines"]} >= {"12351", "12333", "12348", "12356"}
    assert all(street["lawyer"]["phone"] for street in kb.local["streets"])
